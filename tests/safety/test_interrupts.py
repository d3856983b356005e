"""Ctrl-C, SIGTERM and SIGKILL in the middle of a gate run: nothing changed, nothing left
running, no temporary folder left (after SIGKILL, which no process can clean up after
itself, the next run removes it), and no lock that blocks the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from taskgate.gate.snapshot import ORPHAN_AFTER
from tests.conftest import GitRepo
from tests.safety.support import (
    assert_same,
    capture,
    gate_policy,
    git_dir,
    process_gone,
    recorded,
    recorder,
    settle,
    snapshot_base,
    start_taskgate,
    use_policy,
)

STARTUP = 60.0  # seconds allowed for the gate command to start (a wait, never an assert)


def _wait_for_run(marker: Path, proc: subprocess.Popen[bytes]) -> tuple[Path, int]:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        runs = recorded(marker)
        if runs:
            return runs[0]
        if proc.poll() is not None:
            out = proc.communicate()
            raise AssertionError(f"taskgate ended before the gate command started: {out}")
        time.sleep(0.05)
    raise AssertionError("the gate command never started")


@pytest.fixture
def sleeping_gate(busy_repo: GitRepo, tmp_path: Path) -> Iterator[tuple[GitRepo, Path]]:
    """The web module's gate command records where it runs, then sleeps 30 s."""
    marker = tmp_path / "ran.txt"
    staged = busy_repo.git("diff", "--cached", "--binary").stdout
    busy_repo.git("reset", "-q")
    use_policy(busy_repo, gate_policy(recorder(marker, sleep=30)))
    busy_repo.git("apply", "--cached", input=staged.encode())
    settle(busy_repo)
    yield busy_repo, marker
    # A SIGKILLed taskgate cannot stop its command: end the ones this test started.
    for _cwd, pid in recorded(marker):
        if not process_gone(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [
        pytest.param(signal.SIGINT, True, id="ctrl-c-to-the-foreground-group"),
        pytest.param(signal.SIGTERM, False, id="sigterm-to-taskgate"),
        pytest.param(signal.SIGHUP, False, id="sighup-terminal-closed"),
    ],
)
def test_interrupted_gate_run(
    sleeping_gate: tuple[GitRepo, Path],
    tmpdir_env: dict[str, str],
    signum: signal.Signals,
    to_group: bool,
) -> None:
    repo, marker = sleeping_gate
    before = capture(repo)
    proc = start_taskgate(["hook", "pre-commit"], repo.path, tmpdir_env)
    cwd, pid = _wait_for_run(marker, proc)
    if to_group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    _out, err = proc.communicate(timeout=60)
    text = err.decode("utf-8", "replace")
    assert proc.returncode not in (0, 1, 3), text  # interrupted, never "passed"
    assert "Traceback" not in text
    assert "interrupted" in text
    assert_same(before, capture(repo))
    assert process_gone(pid), "the gate command outlived taskgate"
    assert not snapshot_base(cwd).exists()
    assert list(Path(tmpdir_env["TMPDIR"]).iterdir()) == []


def test_ctrl_c_during_a_real_commit(
    sleeping_gate: tuple[GitRepo, Path], tmpdir_env: dict[str, str]
) -> None:
    repo, marker = sleeping_gate
    head = repo.head()
    staged = repo.git("diff", "--cached", "--name-only").stdout
    proc = subprocess.Popen(
        ["git", "commit", "-m", "chore(lead): interrupted"], cwd=repo.path,
        env={**os.environ, **tmpdir_env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    cwd, pid = _wait_for_run(marker, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in err.decode("utf-8", "replace")
    assert repo.head() == head
    assert repo.git("diff", "--cached", "--name-only").stdout == staged
    assert not (git_dir(repo) / "index.lock").exists()
    deadline = time.monotonic() + STARTUP
    while not process_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # taskgate may still be reaping its command after git died
    assert process_gone(pid)
    while snapshot_base(cwd).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not snapshot_base(cwd).exists()


def test_sigkill_leaves_no_lock_that_blocks_the_next_run(
    sleeping_gate: tuple[GitRepo, Path], tmp_path: Path, tmpdir_env: dict[str, str]
) -> None:
    repo, marker = sleeping_gate
    before = capture(repo)
    proc = start_taskgate(["hook", "pre-commit"], repo.path, tmpdir_env)
    cwd, pid = _wait_for_run(marker, proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert_same(before, capture(repo))
    orphan = snapshot_base(cwd)
    assert orphan.exists()  # nobody could remove it...
    os.kill(pid, signal.SIGKILL)  # (the killed run's command, which nobody stopped)
    # ...until a later run finds its lock free once it is older than a run's first instant.
    old = time.time() - ORPHAN_AFTER - 1
    os.utime(orphan, (old, old))
    # The next runs: a passing gate, then its cached pass. Nothing waits for a lock.
    second = tmp_path / "second.txt"
    staged = repo.git("diff", "--cached", "--binary").stdout
    repo.git("reset", "-q")
    use_policy(repo, gate_policy(recorder(second)))
    repo.git("apply", "--cached", input=staged.encode())
    first_run = repo.taskgate("hook", "pre-commit", env=tmpdir_env)
    assert first_run.returncode == 0, first_run.stderr
    assert len(recorded(second)) == 1
    assert not orphan.exists()
    assert list(Path(tmpdir_env["TMPDIR"]).iterdir()) == []
    again = repo.taskgate("hook", "pre-commit", env=tmpdir_env)
    assert again.returncode == 0, again.stderr
    assert "cached pass" in again.stderr
    assert len(recorded(second)) == 1
