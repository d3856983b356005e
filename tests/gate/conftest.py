"""Fixtures for the gate: a workflow repository with the gate on and a tested module.

Each is a copy of a repository built once per session (tests/support/templates.py):
the lead's set-up commit is the same for every test of a kind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.gate.support import MODULE, STUB, STUB_FILE, STUB_SCRIPT, policy, set_up
from tests.support.templates import build_template, copy_template


@pytest.fixture(scope="session")
def gate_template(tmp_path_factory: pytest.TempPathFactory, workflow_template: Path) -> Path:
    return build_template(tmp_path_factory, "gate-template", workflow_template, set_up)


@pytest.fixture
def gate_repo(gate_template: Path, tmp_path: Path) -> GitRepo:
    """workflow_repo + gate on (`pytest -q` only), T1 in progress, services/api tested."""
    return copy_template(gate_template, tmp_path)


@pytest.fixture
def own_tmp(tmp_path: Path) -> Path:
    """A TMPDIR owned by the test, to prove the gate leaves nothing behind."""
    path = tmp_path / "tmpdir"
    path.mkdir()
    return path


def _stub_set_up(repo: GitRepo) -> None:
    repo.write(f"{MODULE}/{STUB_FILE}", STUB_SCRIPT)
    set_up(repo, policy([STUB]))


@pytest.fixture(scope="session")
def stub_gate_template(tmp_path_factory: pytest.TempPathFactory, workflow_template: Path) -> Path:
    return build_template(tmp_path_factory, "stub-gate-template", workflow_template, _stub_set_up)


@pytest.fixture
def stub_gate_repo(stub_gate_template: Path, tmp_path: Path) -> GitRepo:
    """gate_repo, but the module's one gate command is `python checks/run_tests.py` (a stub
    that runs the module's tests in a few milliseconds, tests/gate/support.py), not
    `pytest -q`."""
    return copy_template(stub_gate_template, tmp_path)
