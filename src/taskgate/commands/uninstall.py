"""`taskgate uninstall`: remove the shims, restore chained hooks (taskgate.install)."""

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
    p = sub.add_parser("uninstall", help="remove the shims, restore chained hooks")
    common(p)


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        from taskgate.install import uninstall

        safe_write(sys.stderr, "\n".join(uninstall(repo)) + "\n")
        return EXIT_OK
