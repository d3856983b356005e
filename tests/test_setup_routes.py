"""Setup that does not double up (issue 15): init --pre-commit, uninstall says what it left."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import GitRepo

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = ROOT / ".venv" / "bin" / "pre-commit"


def test_init_writes_the_framework_config_only_when_asked(repo: GitRepo, tmp_path: Path) -> None:
    plain = repo.taskgate("init")
    assert plain.returncode == 0, plain.stderr
    assert not (repo.path / ".pre-commit-config.yaml").exists()
    assert "then `taskgate install`" in plain.stderr
    asked = repo.taskgate("init", "--pre-commit")
    assert "created  .pre-commit-config.yaml" in asked.stderr
    assert "then `pre-commit install`" in asked.stderr
    assert "kept     taskgate.toml (already exists)" in asked.stderr


def test_both_routes_are_found_and_uninstall_says_what_it_left(repo: GitRepo) -> None:
    assert repo.taskgate("init", "--pre-commit").returncode == 0
    repo.install()
    # The framework keeps the hook it replaces as <hook>.legacy and runs it first.
    done = subprocess.run(
        [str(PRE_COMMIT), "install"], cwd=repo.path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = repo.path / ".git" / "hooks"
    assert (hooks / "pre-commit.legacy").exists()
    doctor = repo.taskgate("doctor")
    assert doctor.returncode == 1
    assert "both routes are installed (pre-commit: taskgate's shim is the framework's " in (
        doctor.stdout
    )
    proc = repo.taskgate("uninstall")
    assert proc.returncode == 0, proc.stderr
    assert "removed pre-commit.legacy (taskgate's shim, kept by pre-commit install)" in proc.stderr
    assert not (hooks / "pre-commit.legacy").exists()
    assert "left in place: the pre-commit hook, which is not taskgate's" in proc.stderr
    assert "left in place: .pre-commit-config.yaml" in proc.stderr
    # Every stage is the framework's now; none of taskgate's shims is left anywhere.
    from taskgate.install import is_ours

    assert [p.name for p in hooks.iterdir() if is_ours(p)] == []
    assert "pre-commit.com" in (hooks / "pre-merge-commit").read_text()
