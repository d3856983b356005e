"""`taskgate dispute`: block your own task for a person to decide (taskgate.agentside)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import open_repo, safe_write


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    from taskgate.agentside.commands import add_dispute

    add_dispute(sub, common)


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        from taskgate.agentside.commands import run_dispute

        return run_dispute(repo, args, safe_write)
