"""`taskgate board`: the task board as columns (taskgate.showboard)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import EXIT_OK, open_repo, safe_write
from taskgate.errors import TaskgateError


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    p = sub.add_parser("board", help="the task board as columns")
    common(p)


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        from taskgate.showboard import show_board

        if args.format not in ("text", "json"):
            raise TaskgateError(
                f"taskgate board --format {args.format}: the board is a table, not "
                "findings; use --format text or --format json (`taskgate check "
                f"--format {args.format}` reports the board's problems)"
            )

        safe_write(sys.stdout, show_board(repo, args.format))
        return EXIT_OK
