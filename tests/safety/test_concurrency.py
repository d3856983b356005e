"""Linked worktrees committing at the same time share one gate cache without corrupting it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.safety.support import gate_policy, git_dir, recorded, recorder, settle, use_policy
from tests.support.inprocess import run_main

# Slow: parallel commits and gate runs in linked worktrees.
pytestmark = pytest.mark.slow

PARALLEL = 4


def _worktrees(repo: GitRepo, tmp_path: Path, count: int) -> list[GitRepo]:
    trees = []
    for i in range(count):
        path = tmp_path / f"worktree {i}"
        repo.git("worktree", "add", "-q", "-b", f"agent-{i}", str(path))
        trees.append(GitRepo(path))
    return trees


def _cache_folder(repo: GitRepo) -> Path:
    common = Path(repo.git("rev-parse", "--git-common-dir").stdout.strip())
    common = common if common.is_absolute() else (repo.path / common).resolve()
    return common / "taskgate" / "gate-cache"


def _assert_cache_sound(folder: Path) -> list[str]:
    """Every entry parses and names its own key; no half-written temporary file remains."""
    names = sorted(os.listdir(folder))
    assert names, "nothing was cached"
    for name in names:
        assert not name.startswith(".tmp-"), name
        doc = json.loads((folder / name).read_bytes())
        assert doc["key"] == name
    return names


def test_parallel_commits_in_linked_worktrees(
    workflow_repo: GitRepo, tmp_path: Path, tmpdir_env: dict[str, str]
) -> None:
    marker = tmp_path / "ran.txt"
    use_policy(workflow_repo, gate_policy(recorder(marker, sleep=0.5)))
    trees = _worktrees(workflow_repo, tmp_path, PARALLEL)
    # Two trees stage the same content (one cache key), the others their own.
    for i, tree in enumerate(trees):
        tree.write("web/index.html", f"<p>agent {min(i, PARALLEL - 2)}</p>\n")
        tree.add("web/index.html")
        settle(tree)
    procs = [
        subprocess.Popen(
            ["git", "commit", "-q", "-m", f"chore(lead): agent {i}"],
            cwd=tree.path,
            env={**os.environ, **tmpdir_env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i, tree in enumerate(trees)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err.decode()
        assert b"Traceback" not in err
    for i, tree in enumerate(trees):
        subject = tree.git("log", "-1", "--format=%s").stdout.strip()
        assert subject == f"chore(lead): agent {i}"
        assert tree.git("status", "--porcelain").stdout == ""
        assert tree.git("rev-parse", "--abbrev-ref", "HEAD").stdout.strip() == f"agent-{i}"
    names = _assert_cache_sound(_cache_folder(workflow_repo))
    assert len(names) == PARALLEL - 1  # the two identical trees share one entry
    assert list(Path(tmpdir_env["TMPDIR"]).iterdir()) == []
    # Every worktree now finds its tree in the shared cache: the gate does not run again.
    ran = len(recorded(marker))
    for i, tree in enumerate(trees):
        tree.write("web/index.html", f"<p>agent {min(i, PARALLEL - 2)}</p>\n")
        tree.write("web/other.html", "x\n")
        tree.git("reset", "-q", "--soft", "HEAD~1")
        # In process (the same entry point): the parallel runs above are real processes.
        proc = run_main("hook", "pre-commit", cwd=tree.path, env=tmpdir_env)
        assert proc.returncode == 0, proc.stderr
        assert "cached pass" in proc.stderr
    assert len(recorded(marker)) == ran


def test_many_parallel_runs_on_one_cache(
    workflow_repo: GitRepo, tmp_path: Path, tmpdir_env: dict[str, str]
) -> None:
    """Eight processes storing the same key and others at once: every entry whole."""
    marker = tmp_path / "ran.txt"
    use_policy(workflow_repo, gate_policy(recorder(marker)))
    trees = _worktrees(workflow_repo, tmp_path, 8)
    for i, tree in enumerate(trees):
        tree.write("web/index.html", f"<p>{i % 3}</p>\n")
        tree.add("web/index.html")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "taskgate", "hook", "pre-commit"],
            cwd=tree.path,
            env={**os.environ, **tmpdir_env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for tree in trees
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert len(_assert_cache_sound(_cache_folder(workflow_repo))) == 3
    assert list(Path(tmpdir_env["TMPDIR"]).iterdir()) == []


def test_damaged_cache_entries_are_misses_not_failures(
    workflow_repo: GitRepo, tmp_path: Path, tmpdir_env: dict[str, str]
) -> None:
    marker = tmp_path / "ran.txt"
    use_policy(workflow_repo, gate_policy(recorder(marker)))
    workflow_repo.write("web/index.html", "<p>cached</p>\n")
    workflow_repo.add("web/index.html")
    # The hook in process (the same entry point; the tests above start real processes).
    assert run_main("hook", "pre-commit", cwd=workflow_repo.path, env=tmpdir_env).returncode == 0
    folder = _cache_folder(workflow_repo)
    (name,) = _assert_cache_sound(folder)
    # A crash mid-write, a truncated entry, a folder where a file should be.
    (folder / name).write_bytes(b'{"key": "')
    (folder / ".tmp-crashed").write_bytes(b"half")
    (folder / ("0" * 64)).mkdir()
    proc = run_main("hook", "pre-commit", cwd=workflow_repo.path, env=tmpdir_env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "cached pass" not in proc.stderr
    assert len(recorded(marker)) == 2
    doc = json.loads((folder / name).read_bytes())
    assert doc["key"] == name
    again = run_main("hook", "pre-commit", cwd=workflow_repo.path, env=tmpdir_env)
    assert "cached pass" in again.stderr
    assert git_dir(workflow_repo).is_dir()
