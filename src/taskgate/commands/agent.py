"""`taskgate agent add|worktree|list` (identity, SPEC §10.4: taskgate.identity.agents) and
`agent brief|hooks` (§10.8: taskgate.agentside)."""

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
    from pathlib import Path

    from taskgate.agentside.commands import add_brief_and_hooks

    agent = sub.add_parser("agent", help="agents: keys, worktrees, briefs, runtime hooks")
    agents = agent.add_subparsers(dest="agent_command", required=True, parser_class=parser_class)
    p = agents.add_parser("add", help="make an agent's signing key and list it")
    common(p)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--key-dir", type=Path, required=True, metavar="DIR")
    p = agents.add_parser("worktree", help="a linked worktree that signs as the agent")
    common(p)
    p.add_argument("name", metavar="NAME")
    p.add_argument("path", type=Path, metavar="PATH")
    p.add_argument("-b", dest="branch", default=None, metavar="BRANCH")
    p.add_argument("--key", type=Path, default=None, help="the agent's private key file")
    p.add_argument("--key-dir", type=Path, default=None, metavar="DIR", help="where NAME's key is")
    p = agents.add_parser("list", help="agents, modules, key fingerprints, worktrees")
    common(p)
    add_brief_and_hooks(agents, common)


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        if args.agent_command in ("brief", "hooks"):
            from taskgate.agentside.commands import run_agent

            return run_agent(repo, args, safe_write)
        from taskgate.identity.agents import run_agent_command

        safe_write(sys.stdout, run_agent_command(repo, args))
        return EXIT_OK
