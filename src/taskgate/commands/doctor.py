"""`taskgate doctor`: is the set-up sound? one line per problem and its fix (taskgate.doctor)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    Common = Callable[[argparse.ArgumentParser], None]
    ParserClass = type[argparse.ArgumentParser]

from taskgate.commands import EXIT_FINDINGS, EXIT_OK, open_repo, safe_write
from taskgate.errors import TaskgateError


def add_parser(sub: Any, common: Common, parser_class: ParserClass) -> None:
    p = sub.add_parser("doctor", help="is the set-up sound? one line per problem and its fix")
    common(p)


def run(args: Any, started: float) -> int:
    with open_repo(args.repo) as repo:
        from taskgate.doctor import doctor

        lines, healthy = doctor(repo)
        if args.format == "json":
            import json

            doc = {"version": 1, "healthy": healthy, "lines": lines}
            safe_write(sys.stdout, json.dumps(doc, indent=2) + "\n")
        elif args.format == "text":
            safe_write(sys.stdout, "\n".join(lines) + "\n")
        else:
            raise TaskgateError(f"taskgate doctor --format {args.format}: use text or json")
        return EXIT_OK if healthy else EXIT_FINDINGS
