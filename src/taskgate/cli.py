"""Command line: parse arguments, pick the entry point and the reporter, map to an exit status.

Exit status: 0 no errors, 1 errors found, 2 usage/configuration/environment error,
3 unexpected internal failure (traceback only with TASKGATE_DEBUG=1).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from taskgate import __version__
from taskgate.errors import TaskgateError

if TYPE_CHECKING:
    import argparse

    from taskgate.commithooks import Outcome
    from taskgate.git import Repo

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # Usage errors exit 2 through TaskgateError, with argparse's own words.
            self.print_usage(sys.stderr)
            raise TaskgateError(message)

    return Parser


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    p.add_argument("--repo", type=Path, default=None, help="repository path (default: cwd)")
    p.add_argument("-v", "--verbose", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    parser_class = _parser_class()
    parser = parser_class(
        prog="taskgate",
        description="Enforce a lead/coder-agent workflow through git hooks and CI.",
    )
    parser.add_argument("--version", action="version", version=f"taskgate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=parser_class)

    p = sub.add_parser("install", help="write taskgate's hook shims")
    _common(p)
    p.add_argument("--hook-type", "-t", action="append", dest="hook_types", default=None)
    p = sub.add_parser("uninstall", help="remove the shims, restore chained hooks")
    _common(p)
    p = sub.add_parser("init", help="scaffold the workflow files and policy")
    _common(p)
    p.add_argument(
        "--pre-commit",
        action="store_true",
        help="also write .pre-commit-config.yaml (the pre-commit framework route)",
    )

    hook = sub.add_parser("hook", help="run as a git hook")
    hooks = hook.add_subparsers(dest="hook", required=True, parser_class=parser_class)
    for name in ("pre-commit", "pre-merge-commit", "pre-receive"):
        _common(hooks.add_parser(name))
    p = hooks.add_parser("commit-msg")
    _common(p)
    p.add_argument("message_file", type=Path)
    p = hooks.add_parser("prepare-commit-msg")
    _common(p)
    p.add_argument("message_file", type=Path)
    p.add_argument("source", nargs="?", default=None)
    p.add_argument("sha", nargs="?", default=None)
    p = hooks.add_parser("pre-push")
    _common(p)
    p.add_argument("remote", nargs="?", default=None)
    p.add_argument("url", nargs="?", default=None)

    p = sub.add_parser("check", help="check the staged state without committing")
    _common(p)
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

    p = sub.add_parser("ci", help="re-check a range of commits")
    _common(p)
    p.add_argument("--range", dest="range_", default=None, metavar="A..B")
    p.add_argument("--no-gate", action="store_true")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("--plan", action="store_true", help="print the touched modules as JSON")
    p.add_argument("--gate-only", action="store_true", help="run only the gate")
    p.add_argument("--module", default=None, help="with --gate-only: this module only")

    p = sub.add_parser("rules", help="the rule table")
    _common(p)
    p = sub.add_parser("explain", help="one rule's documentation")
    _common(p)
    p.add_argument("rule_id")
    p = sub.add_parser("board", help="the task board as columns")
    _common(p)

    # --- taskgate agent: add|worktree|list (identity, SPEC §10.4), brief|hooks (§10.8);
    # `dispute`; `guard` skips argparse
    from taskgate.agentside.commands import add_brief_and_hooks, add_dispute

    agent = sub.add_parser("agent", help="agents: keys, worktrees, briefs, runtime hooks")
    agents = agent.add_subparsers(dest="agent_command", required=True, parser_class=parser_class)
    p = agents.add_parser("add", help="make an agent's signing key and list it")
    _common(p)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--key-dir", type=Path, required=True, metavar="DIR")
    p = agents.add_parser("worktree", help="a linked worktree that signs as the agent")
    _common(p)
    p.add_argument("name", metavar="NAME")
    p.add_argument("path", type=Path, metavar="PATH")
    p.add_argument("-b", dest="branch", default=None, metavar="BRANCH")
    p.add_argument("--key", type=Path, default=None, help="the agent's private key file")
    p.add_argument("--key-dir", type=Path, default=None, metavar="DIR", help="where NAME's key is")
    p = agents.add_parser("list", help="agents, modules, key fingerprints, worktrees")
    _common(p)
    add_brief_and_hooks(agents, _common)
    add_dispute(sub, _common)
    sub.add_parser("guard", help="judge one agent tool call (a runtime's hook; reads stdin)")
    p = sub.add_parser("log", help="the rejections the hooks made (why was my commit refused?)")
    _common(p)
    p.add_argument("-n", "--count", type=int, default=20, help="how many (default 20; 0: all)")
    p.add_argument("--stats", action="store_true", help="counts by actor and rule")
    p = sub.add_parser("doctor", help="is the set-up sound? one line per problem and its fix")
    _common(p)
    p = sub.add_parser("config", help="the effective policy and each module's gate commands")
    _common(p)
    return parser


def _open_repo(path: Path | None, *, hook: bool = False) -> Repo:
    from taskgate.errors import GitMissing
    from taskgate.git import Repo

    try:
        return Repo(path, hook=hook)
    except GitMissing:
        raise  # "not inside a repository" would send the user looking in the wrong place
    except TaskgateError as exc:
        raise TaskgateError(f"not inside a git repository ({exc})") from exc


def _safe_write(stream: TextIO, text: str) -> None:
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        _silence(stream)


def _silence(stream: TextIO) -> None:
    # The reader went away: send the rest to /dev/null so Python's exit flush cannot fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _report(outcome: Outcome, fmt: str, started: float) -> int:
    from taskgate.finding import has_errors
    from taskgate.report import render

    elapsed = int((time.perf_counter() - started) * 1000)
    try:
        render(outcome, fmt, stdout=sys.stdout, stderr=sys.stderr, elapsed_ms=elapsed)
    except BrokenPipeError:
        _silence(sys.stdout)
        _silence(sys.stderr)
    return EXIT_FINDINGS if has_errors(outcome.findings) else EXIT_OK


def _dispatch(args: Any, started: float) -> int:
    cmd = args.command
    if cmd == "rules":
        from taskgate.explain import rules_table

        _safe_write(sys.stdout, rules_table(args.format))
        return EXIT_OK
    if cmd == "explain":
        from taskgate.explain import explain

        _safe_write(sys.stdout, explain(args.rule_id))
        return EXIT_OK
    if cmd in ("hook", "install") and _windows():
        raise TaskgateError(
            f"taskgate {cmd}: Windows is not supported; taskgate supports and is tested on "
            "POSIX systems (Linux, macOS), and its hook shims are POSIX sh scripts. Use WSL, "
            "or run `taskgate ci` in a Linux CI job (`taskgate doctor` says the same)"
        )
    # The commit hooks run in the top level, where Repo may find .git without rev-parse.
    commit_hook = cmd == "hook" and args.hook in ("commit-msg", "pre-commit", "pre-merge-commit")
    repo = _open_repo(args.repo, hook=commit_hook)
    with repo:
        if cmd == "install":
            from taskgate.install import install

            _safe_write(sys.stderr, "\n".join(install(repo, args.hook_types)) + "\n")
            return EXIT_OK
        if cmd == "uninstall":
            from taskgate.install import uninstall

            _safe_write(sys.stderr, "\n".join(uninstall(repo)) + "\n")
            return EXIT_OK
        if cmd == "init":
            from taskgate.scaffold import init

            _safe_write(sys.stderr, "\n".join(init(repo, pre_commit=args.pre_commit)) + "\n")
            return EXIT_OK
        if cmd == "agent" and args.agent_command in ("brief", "hooks"):
            from taskgate.agentside.commands import run_agent

            return run_agent(repo, args, _safe_write)
        if cmd == "dispute":
            from taskgate.agentside.commands import run_dispute

            return run_dispute(repo, args, _safe_write)
        if cmd == "board":
            from taskgate.boardview import show_board

            if args.format not in ("text", "json"):
                raise TaskgateError(
                    f"taskgate board --format {args.format}: the board is a table, not "
                    "findings; use --format text or --format json (`taskgate check "
                    f"--format {args.format}` reports the board's problems)"
                )

            _safe_write(sys.stdout, show_board(repo, args.format))
            return EXIT_OK
        if cmd == "hook" and args.hook == "prepare-commit-msg":
            from taskgate.amend import record_amend

            record_amend(repo, args.source, args.sha)  # a note for commit-msg; says nothing
            return EXIT_OK
        if cmd == "doctor":
            from taskgate.doctor import doctor

            lines, healthy = doctor(repo)
            if args.format == "json":
                import json

                doc = {"version": 1, "healthy": healthy, "lines": lines}
                _safe_write(sys.stdout, json.dumps(doc, indent=2) + "\n")
            elif args.format == "text":
                _safe_write(sys.stdout, "\n".join(lines) + "\n")
            else:
                raise TaskgateError(f"taskgate doctor --format {args.format}: use text or json")
            return EXIT_OK if healthy else EXIT_FINDINGS
        if cmd == "config":
            from taskgate.effectiveconfig import config_text

            _safe_write(sys.stdout, config_text(repo, args.format))
            return EXIT_OK
        if cmd == "hook":
            outcome = _hook(repo, args)
            status = _report(outcome, args.format, started)
            if status == EXIT_FINDINGS:
                from taskgate.rejections import record

                record(repo, args.hook, outcome)
            return status
        if cmd == "log":
            from taskgate.rejections import show

            if args.format not in ("text", "json"):
                raise TaskgateError(f"taskgate log --format {args.format}: use text or json")
            text = show(repo.common_dir, count=args.count, stats=args.stats, fmt=args.format)
            _safe_write(sys.stdout, text)
            return EXIT_OK
        if cmd == "agent" and args.agent_command in ("add", "worktree", "list"):
            from taskgate.identity.agents import run_agent_command

            _safe_write(sys.stdout, run_agent_command(repo, args))
            return EXIT_OK
        if cmd == "check":
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
                return _report(outcome, args.format, started)

            outcome = check_staged(
                repo, args.message, gate=not args.no_gate, use_cache=not args.no_cache
            )
            return _report(outcome, args.format, started)
        if cmd == "ci":
            from taskgate.ci import run_ci_command

            result = run_ci_command(repo, args)
            if isinstance(result, str):
                _safe_write(sys.stdout, result)
                return EXIT_OK
            return _report(result, args.format, started)
    raise TaskgateError(f"unknown command {cmd}")


def _windows() -> bool:
    return os.name == "nt" or sys.platform.startswith(("win", "cygwin", "msys"))


def _hook(repo: Repo, args: Any) -> Outcome:
    from taskgate import commithooks

    name = args.hook
    if name == "commit-msg":
        return commithooks.hook_commit_msg(repo, args.message_file)
    if name == "pre-commit":
        from taskgate.checkall import check_all, framework_all_files

        if framework_all_files():
            # `pre-commit run --all-files`: every file, as the framework's other hooks see it.
            return check_all(repo, worktree=True)
        return commithooks.hook_pre_commit(repo)
    if name == "pre-merge-commit":
        return commithooks.hook_pre_commit(repo, merge=True)
    from taskgate import push

    lines = sys.stdin.read().splitlines() if not sys.stdin.isatty() else []
    if name == "pre-push":
        return push.hook_pre_push(repo, args.remote, lines)
    return push.hook_pre_receive(repo, lines)


_HOOK_POSITIONALS = {
    "commit-msg": ("message_file",),
    "prepare-commit-msg": ("message_file", "source", "sha"),
    "pre-push": ("remote", "url"),
    "pre-commit": (),
    "pre-merge-commit": (),
    "pre-receive": (),
}


def _fast_hook_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """Parse `hook NAME ...` without building the whole parser (hooks run on every commit)."""
    if len(argv) < 2 or argv[0] != "hook" or argv[1] not in _HOOK_POSITIONALS:
        return None
    ns = SimpleNamespace(command="hook", hook=argv[1], format="text", repo=None, verbose=False)
    names: list[str] = list(_HOOK_POSITIONALS[argv[1]])
    values: dict[str, str | None] = dict.fromkeys(names)
    rest = list(argv[2:])
    while rest:
        arg = rest.pop(0)
        if arg in ("--format", "--repo") and rest:
            value = rest.pop(0)
            if arg == "--format":
                if value not in ("text", "json", "github", "sarif"):
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


def _wants_github(argv: Sequence[str]) -> bool:
    """`--format github` (or `--format=github`) anywhere on the command line."""
    from itertools import pairwise

    pairs = pairwise(argv)
    return "--format=github" in argv or any(a == "--format" and b == "github" for a, b in pairs)


def _guard(argv: list[str]) -> int:
    """`taskgate guard`: an agent runtime's hook. Every failure blocks: exit 2, never 1 or 3."""
    try:
        from taskgate.agentside.guard import cli
    except BaseException as exc:  # a guard that cannot load must still block
        _safe_write(sys.stderr, f"TG807 taskgate guard cannot run, so it blocks: {exc!r}\n")
        return EXIT_USAGE
    return cli(argv)


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["guard"]:
        return _guard(argv[1:])
    try:
        args: Any = _fast_hook_args(argv) or build_parser().parse_args(argv)
        return _dispatch(args, started)
    except TaskgateError as exc:
        _safe_write(sys.stderr, f"taskgate: error: {exc}\n")
        if _wants_github(argv):
            # In a GitHub Actions log the error must be an annotation, not just a line.
            from taskgate.report.github import escape_data

            _safe_write(sys.stdout, f"::error title=taskgate::{escape_data(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _safe_write(sys.stderr, "taskgate: interrupted\n")
        return 130
    except OSError as exc:
        # The file system said no (a hooks folder that is a file, a symlink loop, a full
        # disk): an environment problem the user can fix, not an internal failure.
        where = f" {exc.filename}" if exc.filename else ""
        _safe_write(sys.stderr, f"taskgate: error:{where}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # argparse --help / --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except Exception as exc:
        if os.environ.get("TASKGATE_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        _safe_write(
            sys.stderr,
            f"taskgate: internal error: {type(exc).__name__}: {exc} "
            "(set TASKGATE_DEBUG=1 for the traceback)\n",
        )
        return EXIT_INTERNAL
