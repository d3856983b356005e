"""Findings on lines (issue 14, E): a failed tool's `file:line` places become findings."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from taskgate.gate.locate import Place, places
from tests.conftest import GitRepo
from tests.gate.support import CALC_BAD, CODER, MODULE, set_policy

LOG = """\
app/calc.py:2: error: Incompatible return value type (got "str", expected "int")  [return-value]
app/calc.py:1:8: F401 [*] `os` imported but unused
F841 Local variable `x` is assigned to but never used
 --> app/other.py:3:5
  |
tests/test_calc.py:5: AssertionError
/usr/lib/python3/site-packages/thing.py:10: in call
app/missing.py:4: error: not a file of the module
app/calc.py:2: error: the same place again
"""


def test_places_in_mypy_ruff_and_pytest_output(tmp_path: Path) -> None:
    for rel in ("app/calc.py", "app/other.py", "tests/test_calc.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    log = tmp_path / "out.log"
    log.write_text(LOG)
    found = places(log, tmp_path)
    assert [(p.path, p.line) for p in found] == [
        ("app/calc.py", 2),
        ("app/calc.py", 1),
        ("app/other.py", 3),
        ("tests/test_calc.py", 5),
    ]
    assert found[2] == Place(
        "app/other.py", 3, "F841 Local variable `x` is assigned to but never used"
    )
    assert found[0].text.startswith("error: Incompatible return value")


@pytest.mark.slow  # the gate runs the real tool
def test_a_failing_test_lands_on_its_line(gate_repo: GitRepo) -> None:
    # Through the hooks, the same finding in text: test_gate_commit.py
    # (test_failing_test_staged_is_rejected_with_the_output).
    gate_repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    gate_repo.add(f"{MODULE}/app/calc.py")
    github = gate_repo.taskgate("check", "-m", CODER, "--format", "github")
    assert github.returncode == 1
    assert f"::error file={MODULE}/tests/test_calc.py,line=5," in github.stdout


@pytest.mark.slow  # the gate runs the real tool
def test_a_real_mypy_error_lands_on_its_line(gate_repo: GitRepo) -> None:
    py = shlex.quote(sys.executable)
    set_policy(
        gate_repo,
        f'[gate]\ntimeout = 300\n[gate.python]\ncommands = ["{py} -m mypy --strict app"]\n',
    )
    gate_repo.write(f"{MODULE}/app/calc.py", 'def add(a: int, b: int) -> int:\n    return "x"\n')
    gate_repo.add(f"{MODULE}/app/calc.py")
    proc = gate_repo.taskgate("check", "-m", CODER, "--format", "github")
    assert f"::error file={MODULE}/app/calc.py,line=2," in proc.stdout, proc.stdout + proc.stderr
