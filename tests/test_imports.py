"""The import budget: a passing commit-msg run loads nothing heavy (SPEC §9, STYLE "Imports")."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PYTHON, GitRepo
from tests.support.imports import imported_by_commit_msg, top_level

FORBIDDEN = ("jsonschema", "git", "argparse", "difflib", "cryptography")


@pytest.mark.parametrize(
    ("staged", "message"),
    [
        (None, "chore(lead): tidy up\n"),
        ("services/api/app/users.py", "feat(python): add users\n\nPaged.\n"),
        ("web/index.html", "Chore(LEAD): new greeting\n"),
    ],
)
def test_passing_commit_msg_imports_nothing_heavy(
    workflow_repo: GitRepo, tmp_path: Path, staged: str | None, message: str
) -> None:
    repo = workflow_repo
    if staged is not None:
        # The active-task rule wants a task in progress for code changes; give it one.
        repo.write(staged, "x = 1\n" if staged.endswith(".py") else "<p>new</p>\n")
        repo.add(staged)
    if staged is not None and staged.startswith("services/"):
        board = json.loads((repo.path / "shared/task_list.json").read_text())
        board["tasks"][0]["status"] = "in_progress"
        repo.write_json("shared/task_list.json", board)
        proc = repo.commit("chore(lead): start T1")
        assert proc.returncode == 0, proc.stderr
        repo.write(staged, "x = 1\n")
        repo.add(staged)
    code, modules = imported_by_commit_msg(repo, message, tmp_path)
    assert code == 0
    heavy = top_level(modules) & set(FORBIDDEN)
    assert not heavy, f"imported on the passing commit-msg path: {sorted(heavy)}"
    # Claimed mode (the default) never loads the signed-mode identity code.
    assert not {m for m in modules if m.startswith("taskgate.identity")}


def test_the_probe_sees_imports_when_they_happen(workflow_repo: GitRepo, tmp_path: Path) -> None:
    """The guard can fail: an unknown scope asks difflib for a 'did you mean'."""
    code, modules = imported_by_commit_msg(workflow_repo, "feat(pyhton): x\n", tmp_path)
    assert code == 1
    assert "difflib" in modules


def test_importing_the_cli_alone_is_light() -> None:
    proc = subprocess.run(
        [PYTHON, "-c", "import sys, taskgate.cli; print(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    modules = set(proc.stdout.split())
    assert not top_level(modules) & {*FORBIDDEN, "tomllib", "subprocess", "dataclasses"}
