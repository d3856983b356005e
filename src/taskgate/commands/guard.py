"""`taskgate guard`: an agent runtime's hook, one tool call judged (taskgate.agentside.guard).

It skips argparse (it runs on every tool call): the console script (`taskgate.launch`) and
`taskgate.cli.main` hand its arguments to `taskgate.agentside.run_guard` first; this module only
names the command for `--help`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import open_repo
from taskgate.errors import TaskgateError


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    sub.add_parser("guard", help="judge one agent tool call (a runtime's hook; reads stdin)")


def run(args: Any, started: float) -> int:
    # Reached only when argparse found `guard` after something else (`taskgate -- guard`).
    with open_repo(args.repo):
        raise TaskgateError("unknown command guard")
