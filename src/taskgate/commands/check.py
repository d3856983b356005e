"""`taskgate check`: the staged state without committing (taskgate.commithooks), or with
`--all` a whole tree (taskgate.checkall)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import open_repo, report
from taskgate.errors import TaskgateError


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    p = sub.add_parser("check", help="check the staged state without committing")
    common(p)
    p.add_argument("-m", "--message", default=None)
    p.add_argument("--no-gate", action="store_true")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument(
        "--all",
        action="store_true",
        help="the workflow files and every module's gate on the tree at HEAD",
    )
    p.add_argument(
        "--worktree", action="store_true", help="with --all: the working tree instead of HEAD"
    )


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        from taskgate.commithooks import check_staged

        if args.worktree and not args.all:
            raise TaskgateError("--worktree goes with --all (check the whole working tree)")
        if args.all:
            if args.message is not None:
                raise TaskgateError("--all checks a tree, not a commit: drop -m")
            from taskgate.checkall import check_all

            outcome = check_all(
                repo, worktree=args.worktree, gate=not args.no_gate,
                use_cache=not args.no_cache,
            )  # fmt: skip
            return report(outcome, args.format, started)

        outcome = check_staged(
            repo, args.message, gate=not args.no_gate, use_cache=not args.no_cache
        )
        return report(outcome, args.format, started)
