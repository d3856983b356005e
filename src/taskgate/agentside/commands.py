"""Arguments and dispatch of `taskgate agent brief|hooks` and `taskgate dispute`.

`taskgate guard` is not here: it skips argparse (cli.py hands it straight to
`agentside.guard.cli`), because it runs on every tool call. Other `agent` subcommands
(add, worktree, list) register into the same `agent` parser with their own function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from taskgate.git import Repo

AGENT_COMMANDS = ("brief", "hooks")


def add_brief_and_hooks(agents: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `agent brief` and `agent hooks` in the `agent` subparsers."""
    from taskgate.agentside.runtimes import RUNTIMES

    p = agents.add_parser("brief", help="the instructions for a module's coding agent")
    common(p)
    p.add_argument("module")
    p = agents.add_parser("hooks", help="write or check a runtime's hook file for the guard")
    common(p)
    p.add_argument("--runtime", required=True, choices=RUNTIMES)
    p.add_argument("--module", default=None, help="the module whose agent uses this runtime")
    p.add_argument("--check", action="store_true", help="verify instead of writing")


def add_dispute(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("dispute", help="block your own task for a person to decide")
    common(p)
    p.add_argument("task")
    p.add_argument("--reason", required=True)
    p.add_argument("--test", default=None, metavar="NODEID", help="the disputed test")


def run_agent(repo: Repo, args: Any, write: Callable[[Any, str], None]) -> int:
    """`taskgate agent brief|hooks`; returns the exit status."""
    if args.agent_command == "brief":
        from taskgate.agentside.brief import brief

        write(sys.stdout, brief(repo, args.module))
        return 0
    from taskgate.agentside.hooksconfig import hooks_command

    if args.module:
        from taskgate.agentside.brief import load_inputs

        load_inputs(repo, args.module)  # an unknown module is a usage error, said now
    status, text = hooks_command(repo.root, args.runtime, args.module, args.check)
    write(sys.stdout if args.check else sys.stderr, text)
    return status


def run_dispute(repo: Repo, args: Any, write: Callable[[Any, str], None]) -> int:
    from taskgate.agentside.dispute import dispute

    write(sys.stdout, dispute(repo, args.task, args.reason, args.test))
    return 0
