"""The git work a gate run does: the base is listed only when a module's tests are
compared with it (a module that runs pytest), not on every run."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import GitRepo
from tests.gate.support import CALC_OK, CODER, MODULE, STUB, gate_findings


def _stage_and_check(repo: GitRepo, trace: Path) -> str:
    repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    repo.add(f"{MODULE}/app/calc.py")
    proc = repo.taskgate("check", "-m", CODER, env={"GIT_TRACE": str(trace)})
    return proc.stderr


def _listed_trees(trace: Path) -> list[str]:
    return [line for line in trace.read_text().splitlines() if " ls-tree " in line]


def test_no_base_listing_without_pytest(stub_gate_repo: GitRepo, tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    stderr = _stage_and_check(stub_gate_repo, trace)
    assert gate_findings(stderr) == []
    assert f"gate: python: {STUB} passed" in stderr
    assert _listed_trees(trace) == []


def test_the_base_is_listed_for_a_module_that_runs_pytest(
    gate_repo: GitRepo, tmp_path: Path
) -> None:
    # A `pytest` in the module's venv that fails: the base is listed before any command
    # runs (to find its cached record), and the failure ends the run there.
    fake = gate_repo.write(f"{MODULE}/.venv/bin/pytest", "#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    trace = tmp_path / "trace"
    stderr = _stage_and_check(gate_repo, trace)
    assert gate_findings(stderr) == [("TG401", MODULE)]
    assert "pytest -q failed (exit 3)" in stderr
    (listing,) = _listed_trees(trace)
    assert gate_repo.head() in listing
    assert MODULE in listing
