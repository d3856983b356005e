"""`taskgate log`: the rejections the hooks made (taskgate.rejections)."""

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
    p = sub.add_parser("log", help="the rejections the hooks made (why was my commit refused?)")
    common(p)
    p.add_argument("-n", "--count", type=int, default=20, help="how many (default 20; 0: all)")
    p.add_argument("--stats", action="store_true", help="counts by actor and rule")


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        from taskgate.rejections import show

        if args.format not in ("text", "json"):
            raise TaskgateError(f"taskgate log --format {args.format}: use text or json")
        text = show(repo.common_dir, count=args.count, stats=args.stats, fmt=args.format)
        safe_write(sys.stdout, text)
        return EXIT_OK
