"""The gate's rule ids TG401 to TG403 (SPEC §4): emitted by `taskgate.gate.run_gate`,
which runs at pre-commit (or commit-msg, see `taskgate.hookorder`), in `check` and
in CI, not by a check of the rule registry."""

from __future__ import annotations

from taskgate.rules.registry import EVERY_STAGE, rule

TG401 = rule(
    id="TG401",
    name="gate-command",
    stages=EVERY_STAGE,
    summary="a gate command failed",
    what=(
        "Runs the module's commands (ruff, mypy, pytest by default for Python) on exactly "
        "the staged content and reports the command, its exit status and its last 40 lines."
    ),
    why="'Run the tests before committing' is only true if something runs them.",
    example="pytest -q exits 1",
    fix="Fix the failure, stage the fix, commit again.",
)

TG402 = rule(
    id="TG402",
    name="no-tests",
    stages=EVERY_STAGE,
    summary="no tests collected for the module",
    what="pytest's exit status 5 (no tests collected) is an error.",
    why="Every module has tests; a module where none run is untested.",
    example="a module with no test_*.py",
    fix="Add tests under the module's tests/ folder.",
)

TG403 = rule(
    id="TG403",
    name="gate-unavailable",
    stages=EVERY_STAGE,
    summary="a gate command timed out or could not be started",
    what="A command that does not finish within the timeout, or whose executable is missing.",
    why="Fail closed: a gate that did not run did not pass.",
    example="pytest not installed in the module's .venv",
    fix="python -m venv <module>/.venv && <module>/.venv/bin/pip install pytest ruff mypy",
)
