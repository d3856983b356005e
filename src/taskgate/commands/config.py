"""`taskgate config`: the effective policy and each module's gate commands
(taskgate.effectiveconfig)."""

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
    p = sub.add_parser("config", help="the effective policy and each module's gate commands")
    common(p)


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        from taskgate.effectiveconfig import config_text

        safe_write(sys.stdout, config_text(repo, args.format))
        return EXIT_OK
