"""A `git` on PATH that logs each start, then runs the real git (nothing is faked): for
tests that count the git processes a command starts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def counting_git(tmp_path: Path, *, whole_line: bool = False) -> tuple[dict[str, str], Path]:
    """The PATH setting that puts the logging `git` first, and its log: one line per start,
    git's first argument (`whole_line`: all of them)."""
    real = shutil.which("git")
    assert real is not None
    bindir = tmp_path / "counting-bin"
    bindir.mkdir()
    log = tmp_path / "git-starts.log"
    shim = bindir / "git"
    logged = "$*" if whole_line else "$1"
    shim.write_text(f'#!/bin/sh\necho "{logged}" >> "{log}"\nexec "{real}" "$@"\n')
    shim.chmod(0o755)
    return {"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}, log
