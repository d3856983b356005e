"""`taskgate install`: write taskgate's hook shims (taskgate.install)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import EXIT_OK, open_repo, refuse_windows, safe_write


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    p = sub.add_parser("install", help="write taskgate's hook shims")
    common(p)
    p.add_argument("--hook-type", "-t", action="append", dest="hook_types", default=None)


def run(args: Any, started: float) -> int:
    refuse_windows("install")
    with open_repo(args.repo) as repo:
        from taskgate.install import install

        safe_write(sys.stderr, "\n".join(install(repo, args.hook_types)) + "\n")
        return EXIT_OK
