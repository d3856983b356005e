"""`taskgate init`: scaffold the workflow files and policy (taskgate.scaffold)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import EXIT_OK, open_repo, safe_write


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    p = sub.add_parser("init", help="scaffold the workflow files and policy")
    common(p)
    p.add_argument(
        "--pre-commit",
        action="store_true",
        help="also write .pre-commit-config.yaml (the pre-commit framework route)",
    )


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        from taskgate.scaffold import init

        safe_write(sys.stderr, "\n".join(init(repo, pre_commit=args.pre_commit)) + "\n")
        return EXIT_OK
