"""Command line: parse arguments, hand the command to its module, map to an exit status.

Each command is one module of `taskgate.commands` (COMMANDS below); the module calls the
entry point, which returns findings for the reporter. Exit status: 0 no errors, 1 errors
found, 2 usage/configuration/environment error, 3 unexpected internal failure (traceback
only with TASKGATE_DEBUG=1).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from taskgate import __version__
from taskgate.commands import EXIT_INTERNAL, EXIT_USAGE, common, safe_write
from taskgate.errors import TaskgateError

if TYPE_CHECKING:
    import argparse
    from types import ModuleType

# Each command and the module of taskgate.commands that runs it, in `--help` order.
COMMANDS = {
    "install": "install",
    "uninstall": "uninstall",
    "init": "init",
    "hook": "hook",
    "check": "check",
    "ci": "ci",
    "rules": "rules",
    "explain": "explain",
    "board": "board",
    "agent": "agent",
    "dispute": "dispute",
    "guard": "guard",
    "log": "log",
    "doctor": "doctor",
    "config": "config",
}


def command_module(name: str) -> ModuleType:
    """The module of taskgate.commands that runs `name`."""
    module = f"taskgate.commands.{COMMANDS[name]}"
    __import__(module)  # not importlib: it is not loaded yet when a hook runs
    return sys.modules[module]


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # Usage errors exit 2 through TaskgateError, with argparse's own words.
            self.print_usage(sys.stderr)
            raise TaskgateError(message)

    return Parser


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (`only`) the one command a run names: building the
    other commands' parsers costs a few milliseconds (gettext looks up every help string).
    The usage line names every command either way, as argparse would."""
    one = only in COMMANDS
    parser_class = _parser_class()
    parser = parser_class(
        prog="taskgate",
        description="Enforce a lead/coder-agent workflow through git hooks and CI.",
    )
    parser.add_argument("--version", action="version", version=f"taskgate {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=parser_class,
        metavar="{" + ",".join(COMMANDS) + "}" if one else None,
    )  # fmt: skip
    for name in [only] if one and only else COMMANDS:
        command_module(name).add_parser(sub, common, parser_class)
    return parser


def _parse(argv: Sequence[str]) -> Any:
    if argv[:1] == ["hook"]:
        # Hooks run on every commit: their arguments are read without argparse when plain.
        from taskgate.commands import hook

        fast = hook.fast_args(argv)
        if fast is not None:
            return fast
    return build_parser(argv[0] if argv else None).parse_args(argv)


def _wants_github(argv: Sequence[str]) -> bool:
    """`--format github` (or `--format=github`) anywhere on the command line."""
    from itertools import pairwise

    pairs = pairwise(argv)
    return "--format=github" in argv or any(a == "--format" and b == "github" for a, b in pairs)


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["guard"]:  # the console script hands it over first (taskgate.launch)
        from taskgate.agentside import run_guard

        return run_guard(argv[1:])
    try:
        args = _parse(argv)
        return int(command_module(args.command).run(args, started))
    except TaskgateError as exc:
        safe_write(sys.stderr, f"taskgate: error: {exc}\n")
        if _wants_github(argv):
            # In a GitHub Actions log the error must be an annotation, not just a line.
            from taskgate.report.github import escape_data

            safe_write(sys.stdout, f"::error title=taskgate::{escape_data(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        safe_write(sys.stderr, "taskgate: interrupted\n")
        return 130
    except OSError as exc:
        # The file system said no (a hooks folder that is a file, a symlink loop, a full
        # disk): an environment problem the user can fix, not an internal failure.
        where = f" {exc.filename}" if exc.filename else ""
        safe_write(sys.stderr, f"taskgate: error:{where}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # argparse --help / --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except Exception as exc:
        if os.environ.get("TASKGATE_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        safe_write(
            sys.stderr,
            f"taskgate: internal error: {type(exc).__name__}: {exc} "
            "(set TASKGATE_DEBUG=1 for the traceback)\n",
        )
        return EXIT_INTERNAL
