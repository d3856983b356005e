"""`taskgate ci`: re-check a range of commits (taskgate.ci)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import EXIT_OK, open_repo, report, safe_write


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    p = sub.add_parser("ci", help="re-check a range of commits")
    common(p)
    p.add_argument("--range", dest="range_", default=None, metavar="A..B")
    p.add_argument("--no-gate", action="store_true")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("--plan", action="store_true", help="print the touched modules as JSON")
    p.add_argument("--gate-only", action="store_true", help="run only the gate")
    p.add_argument("--module", default=None, help="with --gate-only: this module only")


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        from taskgate.ci import run_ci_command

        result = run_ci_command(repo, args)
        if isinstance(result, str):
            safe_write(sys.stdout, result)
            return EXIT_OK
        return report(result, args.format, started)
