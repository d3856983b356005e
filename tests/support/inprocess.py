"""`taskgate.cli.main` in the test's own process, shaped like a finished subprocess.

Starting `python -m taskgate` costs an interpreter and the package's imports (~100 ms);
a table of a hundred message cases pays that a hundred times for the same code path.
`run_main` calls the same entry point the console script calls, with the working
directory and environment a process would have had, and captures what it writes.
Keep at least one real-process test next to every table that uses it: the console
script, `__main__` and the hook shims are only exercised by a real process.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Mapping
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from taskgate.cli import main


def run_main(
    *args: str, cwd: Path, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """`taskgate ARGS` run in process from `cwd`; `env` sets (or, with None, removes)
    variables for the call only. stdout and stderr are captured as text."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        for key, value in (env or {}).items():
            if value is None:
                mp.delenv(key, raising=False)
            else:
                mp.setenv(key, value)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    return subprocess.CompletedProcess(["taskgate", *args], code, out.getvalue(), err.getvalue())
