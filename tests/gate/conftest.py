"""Fixtures for the gate: a workflow repository with the gate on and a tested module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.gate.support import MODULE, STUB, STUB_FILE, STUB_SCRIPT, policy, set_up


@pytest.fixture
def gate_repo(workflow_repo: GitRepo) -> GitRepo:
    """workflow_repo + gate on (`pytest -q` only), T1 in progress, services/api tested."""
    set_up(workflow_repo)
    return workflow_repo


@pytest.fixture
def own_tmp(tmp_path: Path) -> Path:
    """A TMPDIR owned by the test, to prove the gate leaves nothing behind."""
    path = tmp_path / "tmpdir"
    path.mkdir()
    return path


@pytest.fixture
def stub_gate_repo(workflow_repo: GitRepo) -> GitRepo:
    """gate_repo, but the module's one gate command is `python check_calc.py` (a stub that
    checks the calculator in a few milliseconds), not `pytest -q`."""
    workflow_repo.write(f"{MODULE}/{STUB_FILE}", STUB_SCRIPT)
    set_up(workflow_repo, policy([STUB]))
    return workflow_repo
