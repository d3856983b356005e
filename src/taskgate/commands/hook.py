"""`taskgate hook NAME`: run as a git hook. The commit hooks go to taskgate.commithooks
(`pre-commit run --all-files` to taskgate.checkall), pre-push and pre-receive to
taskgate.push, prepare-commit-msg to taskgate.amend. Hooks run on every commit, so their
arguments are parsed here without argparse (`fast_args`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from taskgate.git import Repo
    from taskgate.outcome import Outcome

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import EXIT_FINDINGS, EXIT_OK, FORMATS, open_repo, refuse_windows, report

# Each hook and its positional arguments, as git passes them.
POSITIONALS = {
    "commit-msg": ("message_file",),
    "prepare-commit-msg": ("message_file", "source", "sha"),
    "pre-push": ("remote", "url"),
    "pre-commit": (),
    "pre-merge-commit": (),
    "pre-receive": (),
}
# The hooks git runs in the top level of a work tree, where Repo may find .git without
# rev-parse and starts the processes a commit hook needs at once.
COMMIT_HOOKS = ("commit-msg", "pre-commit", "pre-merge-commit")


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    hook = sub.add_parser("hook", help="run as a git hook")
    hooks = hook.add_subparsers(dest="hook", required=True, parser_class=parser_class)
    for name in ("pre-commit", "pre-merge-commit", "pre-receive"):
        common(hooks.add_parser(name))
    p = hooks.add_parser("commit-msg")
    common(p)
    p.add_argument("message_file", type=Path)
    p = hooks.add_parser("prepare-commit-msg")
    common(p)
    p.add_argument("message_file", type=Path)
    p.add_argument("source", nargs="?", default=None)
    p.add_argument("sha", nargs="?", default=None)
    p = hooks.add_parser("pre-push")
    common(p)
    p.add_argument("remote", nargs="?", default=None)
    p.add_argument("url", nargs="?", default=None)


def fast_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """Parse `hook NAME ...` without building the whole parser (hooks run on every commit)."""
    if len(argv) < 2 or argv[0] != "hook" or argv[1] not in POSITIONALS:
        return None
    ns = SimpleNamespace(command="hook", hook=argv[1], format="text", repo=None, verbose=False)
    names: list[str] = list(POSITIONALS[argv[1]])
    values: dict[str, str | None] = dict.fromkeys(names)
    rest = list(argv[2:])
    while rest:
        arg = rest.pop(0)
        if arg in ("--format", "--repo") and rest:
            value = rest.pop(0)
            if arg == "--format":
                if value not in FORMATS:
                    return None
                ns.format = value
            else:
                ns.repo = Path(value)
        elif arg in ("-v", "--verbose"):
            ns.verbose = True
        elif arg.startswith("-") and arg != "-":
            return None  # anything unusual: let argparse explain it
        elif names:
            values[names.pop(0)] = arg
        else:
            return None
    for key, given in values.items():
        setattr(ns, key, given)
    if argv[1] in ("commit-msg", "prepare-commit-msg"):
        if values["message_file"] is None:
            return None
        ns.message_file = Path(values["message_file"])
    return ns


def run(args: Any, started: float) -> int:
    refuse_windows("hook")
    with open_repo(args.repo, hook=args.hook in COMMIT_HOOKS) as repo:
        if args.hook == "prepare-commit-msg":
            from taskgate.amend import record_amend

            record_amend(repo, args.source, args.sha)  # a note for commit-msg; says nothing
            return EXIT_OK
        outcome = _outcome(repo, args)
        status = report(outcome, args.format, started)
        if status == EXIT_FINDINGS:
            from taskgate.rejections import record

            record(repo, args.hook, outcome)
        return status


def _outcome(repo: Repo, args: Any) -> Outcome:
    from taskgate import commithooks

    name = args.hook
    if name == "commit-msg":
        return commithooks.hook_commit_msg(repo, args.message_file)
    if name == "pre-commit":
        if os.environ.get("PRE_COMMIT") == "1" and _framework_all_files():
            # `pre-commit run --all-files`: every file, as the framework's other hooks see it.
            from taskgate.checkall import check_all

            return check_all(repo, worktree=True)
        return commithooks.hook_pre_commit(repo)
    if name == "pre-merge-commit":
        return commithooks.hook_pre_commit(repo, merge=True)
    from taskgate import push

    lines = sys.stdin.read().splitlines() if not sys.stdin.isatty() else []
    if name == "pre-push":
        return push.hook_pre_push(repo, args.remote, lines)
    return push.hook_pre_receive(repo, lines)


def _framework_all_files() -> bool:
    """`pre-commit run --all-files` (only asked when the framework runs the hook: the
    module that answers imports more than a commit's pre-commit hook needs)."""
    from taskgate.checkall import framework_all_files

    return framework_all_files()
