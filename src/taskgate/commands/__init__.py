"""One module per command (`taskgate.cli` maps each command name to one of them).

Each command module has `add_parser(sub, common, parser_class)`, which declares its
arguments, and `run(args, started) -> int`, which opens the repository it needs, calls
the entry point or the domain module that does the work, hands findings to the reporter
and returns the exit status. The helpers they share are here; nothing here imports
more than the standard library's lightest modules (the commit-msg hook's path).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from taskgate.errors import TaskgateError

if TYPE_CHECKING:
    import argparse

    from taskgate.git import Repo
    from taskgate.outcome import Outcome

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ("text", "json", "github", "sarif")


def common(p: argparse.ArgumentParser) -> None:
    """The options every command takes."""
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--repo", type=Path, default=None, help="repository path (default: cwd)")
    p.add_argument("-v", "--verbose", action="store_true")


def open_repo(path: Path | None, *, hook: bool = False) -> Repo:
    """The repository at `path` (the working directory when None); exit 2 outside one."""
    from taskgate.errors import GitMissing
    from taskgate.git import Repo

    try:
        return Repo(path, hook=hook)
    except GitMissing:
        raise  # "not inside a repository" would send the user looking in the wrong place
    except TaskgateError as exc:
        raise TaskgateError(f"not inside a git repository ({exc})") from exc


def refuse_windows(command: str) -> None:
    """Hooks and shims are POSIX sh: say so instead of writing what cannot run."""
    from taskgate import posix

    if posix.windows():
        raise TaskgateError(
            f"taskgate {command}: Windows is not supported; taskgate supports and is tested on "
            "POSIX systems (Linux, macOS), and its hook shims are POSIX sh scripts. Use WSL, "
            "or run `taskgate ci` in a Linux CI job (`taskgate doctor` says the same)"
        )


def safe_write(stream: TextIO, text: str) -> None:
    """Write and flush; a reader that went away (a closed pipe) is not an error."""
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        silence(stream)


def silence(stream: TextIO) -> None:
    # The reader went away: send the rest to /dev/null so Python's exit flush cannot fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def report(outcome: Outcome, fmt: str, started: float) -> int:
    """Hand the findings to the reporter; exit 1 when one is an error."""
    from taskgate.finding import has_errors
    from taskgate.report import render

    elapsed = int((time.perf_counter() - started) * 1000)
    try:
        render(outcome, fmt, stdout=sys.stdout, stderr=sys.stderr, elapsed_ms=elapsed)
    except BrokenPipeError:
        silence(sys.stdout)
        silence(sys.stderr)
    return EXIT_FINDINGS if has_errors(outcome.findings) else EXIT_OK
