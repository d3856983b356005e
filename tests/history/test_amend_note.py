"""The prepare-commit-msg shim and its note (taskgate.amend): taskgate starts only for
`commit <sha>`, and a note left by an aborted commit whose process id a later git
process reuses does not make that later commit an amend."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from taskgate.install import render_shim
from tests.conftest import PYTHON, GitRepo, finding_ids


def _fake_python(tmp_path: Path) -> tuple[Path, Path]:
    """An interpreter stand-in that logs its arguments, and the log."""
    log = tmp_path / "started.log"
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake, log


def test_the_shim_starts_taskgate_only_for_a_message_taken_from_a_commit(
    tmp_path: Path,
) -> None:
    fake, log = _fake_python(tmp_path)
    shim = tmp_path / "prepare-commit-msg"
    shim.write_text(render_shim("prepare-commit-msg", str(fake)))
    shim.chmod(0o755)
    for args in (["MSG"], ["MSG", "message"], ["MSG", "template"], ["MSG", "merge"],
                 ["MSG", "squash"], ["MSG", "commit", "abc123"]):  # fmt: skip
        assert subprocess.run([str(shim), *args], check=False).returncode == 0
    assert log.read_text().splitlines() == [
        "-P -m taskgate hook prepare-commit-msg MSG commit abc123"
    ]


def test_other_hooks_always_start_taskgate(tmp_path: Path) -> None:
    fake, log = _fake_python(tmp_path)
    shim = tmp_path / "commit-msg"
    shim.write_text(render_shim("commit-msg", str(fake)))
    shim.chmod(0o755)
    assert subprocess.run([str(shim), "MSG"], check=False).returncode == 0
    assert log.read_text().splitlines() == ["-P -m taskgate hook commit-msg MSG"]


def _started(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]


def _commit_msg_with_note(repo: GitRepo, note: str) -> subprocess.CompletedProcess[str]:
    """The commit-msg hook run by this process (its parent: the "git" of the note)."""
    folder = repo.path / ".git" / "taskgate"
    folder.mkdir(exist_ok=True)
    (folder / f"prepare-commit-msg-{os.getpid()}").write_text(note)
    message = repo.path / ".git" / "COMMIT_EDITMSG"
    message.write_text("feat(python): users\n")
    return subprocess.run(
        [PYTHON, "-m", "taskgate", "hook", "commit-msg", str(message)], cwd=repo.path,
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def _head_out_of_lane_and_an_edit_in_lane_staged(repo: GitRepo) -> str:
    """HEAD (made without hooks) changes another module; the staged change, the python
    coder's, is in lane (T1 started): it lands unless it is judged as an amend of HEAD.
    HEAD's id."""
    repo.git("config", "taskgate.agent", "python-coder")
    repo.write("web/index.html", "<p>not mine</p>\n")
    repo.add()
    repo.commit_no_hooks("feat(python): users")
    board = (repo.path / "shared/task_list.json").read_text()
    repo.write("shared/task_list.json", board.replace('"todo"', '"in_progress"', 1))
    repo.write("services/api/app/users.py", "X = 2\n")
    repo.add()
    return repo.head()


def test_a_note_of_this_git_process_makes_an_amend_and_one_of_a_reused_pid_does_not(
    workflow_repo: GitRepo,
) -> None:
    repo = workflow_repo
    head = _head_out_of_lane_and_an_edit_in_lane_staged(repo)
    # This process's own note: an amend, judged against HEAD's parent (HEAD's web edit too).
    own = _commit_msg_with_note(repo, f"{head} {_started(os.getpid())}\n")
    assert own.returncode == 1, own.stderr
    assert "TG201" in finding_ids(own)
    assert "web/index.html" in own.stderr
    assert not list((repo.path / ".git" / "taskgate").glob("prepare-commit-msg-*"))
    # A note from a process that started at another time under the same pid: not an amend.
    stale = _commit_msg_with_note(repo, f"{head} 1\n")
    assert stale.returncode == 0, stale.stderr
    # The note of a taskgate before this one (no start time): not trusted either.
    older = _commit_msg_with_note(repo, f"{head}\n")
    assert older.returncode == 0, older.stderr


def test_an_amend_without_m_is_known_from_the_hook_when_proc_cannot_tell(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    """`git commit --amend --no-edit` run from a copy of git under another name: /proc
    finds no git process (neither its name nor its executable says git), so only the
    hook's arguments tell; git hands prepare-commit-msg `commit HEAD` (a name, not an id)."""
    repo = workflow_repo
    repo.install()
    head = _head_out_of_lane_and_an_edit_in_lane_staged(repo)
    real = shutil.which("git")
    assert real is not None
    other = tmp_path / "bin" / "othername"
    other.parent.mkdir()
    shutil.copy2(Path(real).resolve(), other)
    proc = subprocess.run(
        [str(other), "commit", "--amend", "--no-edit"], cwd=repo.path, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "TG201" in finding_ids(proc)
    assert "web/index.html" in proc.stderr
    assert repo.head() == head
    assert not list((repo.path / ".git" / "taskgate").glob("prepare-commit-msg-*"))
