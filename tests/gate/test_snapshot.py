"""The snapshot: tree ids as git computes them, exports of exactly the listed files."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from taskgate.gate.progress import Progress
from taskgate.gate.snapshot import Snapshot, list_entries, remove_tree, tree_id
from taskgate.git import Repo
from taskgate.gitsides import IndexSide, TreeSide
from tests.conftest import GitRepo

ODD_NAMES = [
    "a.b", "a-b", "a/b", "a/c.txt", "a0", "ü/x", "with space/f", "quote'\"/f", "new\nline",
    "deep/er/and/deeper/file.py",
]  # fmt: skip


def _fill(repo: GitRepo, prefix: str) -> None:
    for name in ODD_NAMES:
        repo.write(f"{prefix}/{name}", f"content of {name}\n")
    tool = repo.write(f"{prefix}/run.sh", "#!/bin/sh\n")
    tool.chmod(0o755)
    os.symlink("a0", repo.path / prefix / "link")


def test_tree_id_matches_git_for_staged_and_committed_sides(repo: GitRepo) -> None:
    _fill(repo, "mod/sub")
    repo.write("other/file", "x\n")
    repo.add()
    repo.commit("chore: fill", check=True)
    expected = repo.git("rev-parse", "HEAD:mod/sub").stdout.strip()
    with Repo(repo.path) as r:
        staged = r.index_entries(["mod/sub"])
        committed = r.tree_entries("HEAD", ["mod/sub"])
    assert len(staged) == len(ODD_NAMES) + 2
    assert tree_id(staged.values(), "mod/sub") == expected
    assert tree_id(committed.values(), "mod/sub") == expected


def test_tree_id_in_a_sha256_repository(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "sha256")
    repo.path.mkdir()
    repo.git("init", "-q", "--object-format=sha256")
    _fill(repo, "mod")
    repo.add()
    repo.commit("chore: fill", check=True)
    expected = repo.git("rev-parse", "HEAD:mod").stdout.strip()
    assert len(expected) == 64
    with Repo(repo.path) as r:
        assert tree_id(r.index_entries(["mod"]).values(), "mod") == expected


def test_export_writes_exactly_the_listed_content_and_modes(repo: GitRepo) -> None:
    _fill(repo, "mod")
    repo.add()
    repo.commit("chore: fill", check=True)
    repo.write("mod/a0", "unstaged edit\n")
    repo.write("mod/untracked.txt", "never added\n")
    index_before = (repo.path / ".git" / "index").read_bytes()
    with Repo(repo.path) as r:
        for side in (IndexSide(r), TreeSide(r, "HEAD")):
            entries = list_entries(side, ["mod"])
            snap = Snapshot()
            try:
                snap.export(r, entries)
                out = snap.tree / "mod"
                assert (out / "a0").read_text() == "content of a0\n"
                assert (out / "new\nline").read_text() == "content of new\nline\n"
                assert not (out / "untracked.txt").exists()
                assert os.readlink(out / "link") == "a0"
                assert (out / "run.sh").stat().st_mode & stat.S_IXUSR
                found = sorted(str(p.relative_to(out)) for p in out.rglob("*") if not p.is_dir())
                assert found == sorted([*ODD_NAMES, "run.sh", "link"])
            finally:
                snap.remove()
            assert not snap.base.exists()
    assert (repo.path / ".git" / "index").read_bytes() == index_before


def test_export_honours_git_index_file(repo: GitRepo, tmp_path: Path, monkeypatch) -> None:
    repo.write("mod/f.txt", "in HEAD\n")
    repo.add()
    repo.commit("chore: one", check=True)
    other_index = tmp_path / "other-index"
    env = {"GIT_INDEX_FILE": str(other_index)}
    repo.git("read-tree", "HEAD", env=env)
    blob = repo.git("hash-object", "-w", "--stdin", input=b"only in the other index\n")
    repo.git("update-index", "--cacheinfo", f"100644,{blob.stdout.strip()},mod/f.txt", env=env)
    monkeypatch.setenv("GIT_INDEX_FILE", str(other_index))
    with Repo(repo.path) as r:
        entries = r.index_entries(["mod"])
        snap = Snapshot()
        try:
            snap.export(r, entries)
            assert (snap.tree / "mod/f.txt").read_text() == "only in the other index\n"
        finally:
            snap.remove()


def test_snapshot_goes_to_tmpdir_when_set(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # forget the cached default
    snap = Snapshot()
    assert snap.base.parent == tmp_path
    assert snap.base.name.startswith("taskgate-gate-")
    snap.remove()
    assert list(tmp_path.iterdir()) == []


def test_remove_tree_copes_with_read_only_folders(tmp_path: Path) -> None:
    top = tmp_path / "top"
    locked = top / "locked"
    locked.mkdir(parents=True)
    (locked / "f").write_text("x")
    locked.chmod(0o500)
    remove_tree(top)
    assert not top.exists()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_one_line_on_a_terminal_and_nothing_elsewhere() -> None:
    tty = _Tty()
    live = Progress(tty)
    live.show([("pytest -q", 0.0), ("mypy .", 0.0)], waiting=1)
    live.clear()
    text = tty.getvalue()
    assert text.startswith("\r\033[K" + "gate: pytest -q ")
    assert "mypy ." in text
    assert "(+1 waiting)" in text
    assert "\n" not in text
    assert text.endswith("\r\033[K")
    pipe = io.StringIO()
    quiet = Progress(pipe)
    quiet.show([("pytest -q", 0.0)], waiting=0)
    quiet.clear()
    assert pipe.getvalue() == ""


def test_folders_of_killed_runs_are_swept(tmp_path: Path, monkeypatch) -> None:
    """A folder whose lock is free and that is older than a run's first instant is an
    orphan; a live run's folder (locked), a fresh one and anything not ours stay."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    old = 1_000_000_000.0
    orphan = tmp_path / "taskgate-gate-orphan"
    (orphan / "tree" / "deep").mkdir(parents=True)
    (orphan / "tree" / "deep" / "f.py").write_text("x = 1\n")
    os.utime(orphan, (old, old))
    fresh = tmp_path / "taskgate-gate-fresh"
    fresh.mkdir()
    other = tmp_path / "someone-else"
    other.mkdir()
    os.utime(other, (old, old))
    live = Snapshot()
    os.utime(live.base, (old, old))  # old, but its run holds the lock
    try:
        swept = Snapshot()
        assert not orphan.exists()
        assert fresh.exists()
        assert other.exists()
        assert live.base.exists()
        swept.remove()
    finally:
        live.remove()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["someone-else", "taskgate-gate-fresh"]
