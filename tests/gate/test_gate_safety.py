"""The gate never touches the working tree, the index or refs, and leaves nothing behind.

The first test runs the real pytest (its caches and bytecode land in the snapshot, which
must go); the others are about the runner (interrupts, timeouts, processes left behind,
the environment of a command) and run the module's tests with the stub runner of
tests/gate/support.py, which starts in milliseconds instead of pytest's ~0.35 s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.gate.support import (
    CALC_BAD,
    CALC_OK,
    CODER,
    MODULE,
    STUB,
    alive,
    gate_findings,
    policy,
    set_policy,
    state,
)

# Slow: the gate's commands are interrupted, timed out or left running.
pytestmark = pytest.mark.slow


def _wait_for(path: Path, proc: subprocess.Popen[bytes], limit: float = 120.0) -> None:
    """Wait until `path` exists (the gate's command has started); fail if the run ends first."""
    deadline = time.monotonic() + limit
    while not path.exists():
        if proc.poll() is not None:
            out = proc.communicate()
            raise AssertionError(f"taskgate ended before the marker appeared: {out}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the gate's command never started")
        time.sleep(0.05)


def _wait_gone(pid: int, limit: float = 30.0) -> bool:
    deadline = time.monotonic() + limit
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_failing_gate_run_leaves_tree_index_status_and_tmpdir_as_they_were(
    gate_repo: GitRepo, own_tmp: Path, tmp_path: Path
) -> None:
    seen = tmp_path / "cwd-seen"
    gate_repo.write(
        f"{MODULE}/tests/test_where.py",
        "from pathlib import Path\n\n\ndef test_where() -> None:\n"
        f"    Path({str(seen)!r}).write_text(str(Path.cwd()))\n"
        "    Path('made-by-the-test.txt').write_text('x')\n",
    )
    gate_repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    gate_repo.add(f"{MODULE}/app/calc.py", f"{MODULE}/tests/test_where.py")
    # Unstaged edits and untracked files that must survive untouched.
    gate_repo.write(f"{MODULE}/app/calc.py", CALC_OK + "# unstaged\n")
    gate_repo.write(f"{MODULE}/notes.txt", "untracked\n")
    gate_repo.write("web/index.html", "<p>edited, not staged</p>\n")
    before = state(gate_repo)
    proc = gate_repo.commit(CODER, env={"TMPDIR": str(own_tmp)})
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG401", MODULE)]
    assert state(gate_repo) == before
    # The commands ran inside the test's TMPDIR, in a folder that is gone now.
    ran_in = Path(seen.read_text())
    assert ran_in.is_relative_to(own_tmp)
    assert ran_in.name == "api"
    assert not ran_in.exists()
    assert list(own_tmp.iterdir()) == []


def test_sigint_stops_the_commands_and_cleans_up(
    stub_gate_repo: GitRepo, own_tmp: Path, tmp_path: Path
) -> None:
    repo = stub_gate_repo
    marker = tmp_path / "started"
    repo.write(
        f"{MODULE}/tests/test_slow.py",
        "import os\nimport time\nfrom pathlib import Path\n\n\ndef test_slow() -> None:\n"
        f"    Path({str(marker)!r}).write_text(str(os.getpid()))\n"
        "    time.sleep(120)\n",
    )
    repo.add(f"{MODULE}/tests/test_slow.py")
    repo.write(f"{MODULE}/app/calc.py", CALC_BAD)  # unstaged
    before = state(repo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "taskgate", "check", "-m", CODER],
        cwd=repo.path,
        env={**os.environ, "TMPDIR": str(own_tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for(marker, proc)
    assert list(own_tmp.iterdir()) != []  # the snapshot is there while the gate runs
    test_pid = int(marker.read_text())
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert b"interrupted" in err
    assert _wait_gone(test_pid), "the gate's command survived the interrupt"
    assert list(own_tmp.iterdir()) == []
    assert state(repo) == before


def test_sigterm_also_cleans_up(stub_gate_repo: GitRepo, own_tmp: Path, tmp_path: Path) -> None:
    repo = stub_gate_repo
    marker = tmp_path / "started"
    repo.write(
        f"{MODULE}/tests/test_slow.py",
        "import os\nimport time\nfrom pathlib import Path\n\n\ndef test_slow() -> None:\n"
        f"    Path({str(marker)!r}).write_text(str(os.getpid()))\n"
        "    time.sleep(120)\n",
    )
    repo.add(f"{MODULE}/tests/test_slow.py")
    proc = subprocess.Popen(
        [sys.executable, "-m", "taskgate", "check", "-m", CODER],
        cwd=repo.path,
        env={**os.environ, "TMPDIR": str(own_tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for(marker, proc)
    test_pid = int(marker.read_text())
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert _wait_gone(test_pid)
    assert list(own_tmp.iterdir()) == []


def test_a_hanging_test_times_out_as_tg403_and_its_children_die(
    stub_gate_repo: GitRepo, own_tmp: Path, tmp_path: Path
) -> None:
    repo = stub_gate_repo
    set_policy(repo, policy([STUB], timeout=2))
    child_pid = tmp_path / "child.pid"
    repo.write(
        f"{MODULE}/tests/test_hang.py",
        "import subprocess\nimport time\nfrom pathlib import Path\n\n\n"
        "def test_hang() -> None:\n"
        "    child = subprocess.Popen(['sleep', '300'])\n"
        f"    Path({str(child_pid)!r}).write_text(str(child.pid))\n"
        "    print('about to hang', flush=True)\n"
        "    time.sleep(300)\n",
    )
    repo.add(f"{MODULE}/tests/test_hang.py")
    before = state(repo)
    proc = repo.commit(CODER, env={"TMPDIR": str(own_tmp)})
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG403", MODULE)]
    assert f"{STUB} timed out after 2 s" in proc.stderr
    assert _wait_gone(int(child_pid.read_text())), "a process the test started survived"
    assert list(own_tmp.iterdir()) == []
    assert state(repo) == before


def test_background_process_left_by_a_passing_test_is_stopped(
    stub_gate_repo: GitRepo, tmp_path: Path
) -> None:
    repo = stub_gate_repo
    child_pid = tmp_path / "child.pid"
    repo.write(
        f"{MODULE}/tests/test_daemon.py",
        "import subprocess\nfrom pathlib import Path\n\n\ndef test_daemon() -> None:\n"
        "    child = subprocess.Popen(['sleep', '300'])\n"
        f"    Path({str(child_pid)!r}).write_text(str(child.pid))\n",
    )
    repo.add(f"{MODULE}/tests/test_daemon.py")
    proc = repo.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    assert gate_findings(proc.stderr) == []
    assert _wait_gone(int(child_pid.read_text()))


def test_commit_all_with_a_test_that_runs_git_lands_and_fsck_is_clean(
    stub_gate_repo: GitRepo, own_tmp: Path
) -> None:
    repo = stub_gate_repo
    # The module's test makes its own repository; the hook's GIT_* must not reach it.
    # Its tmp_path is made under the test's own TMPDIR, not in the shared /tmp.
    repo.write(
        f"{MODULE}/tests/test_calc.py",
        "import os\nimport subprocess\nfrom pathlib import Path\n\n"
        "from app.calc import add\n\n\n"
        "def test_add() -> None:\n    assert add(1, 2) == 3\n\n\n"
        "def test_git_in_a_temporary_folder(tmp_path: Path) -> None:\n"
        "    assert not [k for k in os.environ if k in ('GIT_INDEX_FILE', 'GIT_DIR')]\n"
        "    subprocess.run(['git', 'init', '-q'], cwd=tmp_path, check=True)\n"
        "    (tmp_path / 'inner.txt').write_text('inner')\n"
        "    subprocess.run(['git', 'add', 'inner.txt'], cwd=tmp_path, check=True)\n"
        "    out = subprocess.run(['git', 'ls-files'], cwd=tmp_path, check=True,\n"
        "                         capture_output=True, text=True).stdout\n"
        "    assert out == 'inner.txt\\n'\n",
    )  # tracked file, modified, not staged: `commit -a` stages it
    before = repo.head()
    proc = repo.git("commit", "-a", "-m", CODER, check=False, env={"TMPDIR": str(own_tmp)})
    assert proc.returncode == 0, proc.stderr
    assert gate_findings(proc.stderr) == []
    assert f"gate: python: {STUB} passed" in proc.stderr
    assert repo.git("rev-parse", "HEAD~1").stdout.strip() == before
    assert repo.git("fsck", "--strict").returncode == 0
    files = repo.git("ls-tree", "-r", "--name-only", "HEAD").stdout.split("\n")
    assert "inner.txt" not in files
    assert repo.git("status", "--porcelain").stdout == ""
    assert repo.git("diff", "HEAD", "--stat").stdout == ""
