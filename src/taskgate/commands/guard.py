"""`taskgate guard`: an agent runtime's hook, one tool call judged (taskgate.agentside.guard).

It skips argparse (it runs on every tool call): `taskgate.cli` hands it its arguments.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import EXIT_USAGE, open_repo, safe_write
from taskgate.errors import TaskgateError


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    sub.add_parser("guard", help="judge one agent tool call (a runtime's hook; reads stdin)")


def main(argv: list[str]) -> int:
    """Every failure blocks: exit 2, never 1 or 3."""
    try:
        from taskgate.agentside.guard import cli
    except BaseException as exc:  # a guard that cannot load must still block
        safe_write(sys.stderr, f"TG807 taskgate guard cannot run, so it blocks: {exc!r}\n")
        return EXIT_USAGE
    return cli(argv)


def run(args: Any, started: float) -> int:
    # Reached only when argparse found `guard` after something else (`taskgate -- guard`).
    with open_repo(args.repo):
        raise TaskgateError("unknown command guard")
