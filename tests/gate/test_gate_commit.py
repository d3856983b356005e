"""The gate through real `git commit` with the hooks installed, running the real tools:
pytest's output, exit codes and collection, ruff and mypy, tools looked up and missing.
What the gate runs on (staged content only), its cache across worktrees and its progress
line are shown with a stub command in test_gate_staged.py."""

from __future__ import annotations

import json

import pytest

from tests.conftest import GitRepo
from tests.gate.support import (
    CALC_BAD,
    CALC_OK,
    CODER,
    MODULE,
    TEST_CALC,
    gate_findings,
    policy,
    set_policy,
    set_up,
    text_findings,
    tree_of,
)

# Slow: the gate runs the real tools (pytest, ruff, mypy) through real commits.
pytestmark = pytest.mark.slow


def test_failing_test_staged_is_rejected_with_the_output(gate_repo: GitRepo) -> None:
    gate_repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    gate_repo.add(f"{MODULE}/app/calc.py")
    before = gate_repo.head()
    proc = gate_repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG401", MODULE)]
    # And one on the failing test's line (test_findings_on_lines.py).
    assert ("TG401", f"{MODULE}/tests/test_calc.py") in text_findings(proc.stderr)
    assert "pytest -q failed (exit 1)" in proc.stderr
    # The last lines of pytest's own output are part of the report.
    assert "assert -1 == 3" in proc.stderr
    assert "1 failed" in proc.stderr
    assert "\033[K" not in proc.stderr  # no live progress line off a terminal
    assert gate_repo.head() == before


def test_no_tests_collected_is_tg402(workflow_repo: GitRepo) -> None:
    set_up(workflow_repo, tests=False)
    workflow_repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    workflow_repo.add(f"{MODULE}/app/calc.py")
    proc = workflow_repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG402", MODULE)]
    assert "pytest -q collected no tests (exit 5)" in proc.stderr


def test_ruff_and_mypy_failures_name_the_tool(gate_repo: GitRepo) -> None:
    set_policy(gate_repo, policy(["ruff check .", "mypy ."]))
    gate_repo.write(
        f"{MODULE}/app/calc.py",
        'import os\n\n\ndef add(a: int, b: int) -> int:\n    return "a" + b\n',
    )
    gate_repo.add(f"{MODULE}/app/calc.py")
    proc = gate_repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG401", MODULE), ("TG401", MODULE)]
    assert "ruff check . failed (exit 1)" in proc.stderr
    assert "mypy . failed (exit 1)" in proc.stderr
    assert "F401" in proc.stderr  # ruff's own words: `os` imported but unused
    assert "Unsupported operand types" in proc.stderr or "incompatible type" in proc.stderr


def test_the_three_default_commands_run_and_pass(workflow_repo: GitRepo) -> None:
    set_up(workflow_repo, policy(None))
    workflow_repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    workflow_repo.add(f"{MODULE}/app/calc.py")
    proc = workflow_repo.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    assert gate_findings(proc.stderr) == []
    for command in ("ruff check .", "mypy .", "pytest -q"):
        assert f"gate: python: {command} passed in" in proc.stderr


def test_the_module_venv_comes_first(gate_repo: GitRepo) -> None:
    fake = gate_repo.write(
        f"{MODULE}/.venv/bin/pytest", "#!/bin/sh\necho 'pytest from the module venv'\nexit 3\n"
    )
    fake.chmod(0o755)
    gate_repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    gate_repo.add(f"{MODULE}/app/calc.py")
    proc = gate_repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG401", MODULE)]
    assert "pytest -q failed (exit 3)" in proc.stderr
    assert "pytest from the module venv" in proc.stderr


def test_json_report_of_check_carries_the_tail(gate_repo: GitRepo) -> None:
    gate_repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    gate_repo.add(f"{MODULE}/app/calc.py")
    proc = gate_repo.taskgate("check", "-m", CODER, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    gate = [f for f in doc["findings"] if f["rule"].startswith("TG40")]
    # The module's finding (with the tail), then one on the failing test's line.
    assert [(f["rule"], f["path"], f["line"]) for f in gate] == [
        ("TG401", MODULE, None),
        ("TG401", f"{MODULE}/tests/test_calc.py", 5),
    ]
    snippet = gate[0]["snippet"]
    assert 0 < len(snippet) <= 40
    assert any("FAILED" in line for line in snippet)


def test_untouched_module_is_not_gated(gate_repo: GitRepo) -> None:
    # A failing test in HEAD would fail the gate; a commit not touching the module skips it.
    gate_repo.write(f"{MODULE}/tests/test_calc.py", TEST_CALC.replace("== 3", "== 4"))
    gate_repo.add()
    gate_repo.commit_no_hooks("chore(lead): break the module")
    gate_repo.write("web/index.html", "<p>hello</p>\n")
    gate_repo.add("web/index.html")
    proc = gate_repo.commit("chore(lead): greeting")
    assert proc.returncode == 0, proc.stderr
    assert "gate:" not in proc.stderr
    assert tree_of(gate_repo)  # the module is still there, untouched


def test_a_staged_script_runs_as_staged(gate_repo: GitRepo) -> None:
    set_policy(
        gate_repo, '[gate]\ntimeout = 120\n[gate.modules.python]\ncommands = ["./check.sh"]\n'
    )
    script = gate_repo.write(f"{MODULE}/check.sh", "#!/bin/sh\necho 'staged script'\nexit 4\n")
    script.chmod(0o755)
    gate_repo.add(f"{MODULE}/check.sh")
    script.write_text("#!/bin/sh\nexit 0\n")  # the unstaged version would pass
    proc = gate_repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG401", MODULE)]
    assert "./check.sh failed (exit 4)" in proc.stderr
    assert "staged script" in proc.stderr
