"""`taskgate explain ID`: one rule's documentation (taskgate.explain)."""

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
    p = sub.add_parser("explain", help="one rule's documentation")
    common(p)
    p.add_argument("rule_id")


def run(args: Any, started: float) -> int:
    from taskgate.explain import explain

    safe_write(sys.stdout, explain(args.rule_id))
    return EXIT_OK
