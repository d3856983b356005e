"""`taskgate rules`: the rule table (taskgate.explain)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import EXIT_OK, safe_write


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    p = sub.add_parser("rules", help="the rule table")
    common(p)


def run(args: Any, started: float) -> int:
    from taskgate.explain import rules_table

    safe_write(sys.stdout, rules_table(args.format))
    return EXIT_OK
