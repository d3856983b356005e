"""The gate through real `git commit` with the hooks installed: staged content only.

The module's gate command is the stub runner of tests/gate/support.py (the module's
tests, run on the snapshot in a few milliseconds): what these tests show is what the
gate runs on, where, with which environment and what it reports, whatever the tool.
The real tools' contract (pytest's output and exit codes, ruff, mypy) is shown in
test_gate_commit.py.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.conftest import GitRepo
from tests.gate.support import (
    CALC_BAD,
    CALC_OK,
    CODER,
    MODULE,
    STUB,
    gate_findings,
    set_policy,
    tree_of,
)


def test_unstaged_failing_edit_is_invisible_and_the_commit_lands(stub_gate_repo: GitRepo) -> None:
    repo = stub_gate_repo
    repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    repo.add(f"{MODULE}/app/calc.py")
    # An edit that would fail, left unstaged: not part of the commit, not seen by the gate.
    broken = repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    proc = repo.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    assert gate_findings(proc.stderr) == []
    assert f"gate: python: {STUB} passed" in proc.stderr
    assert broken.read_text() == CALC_BAD  # the working tree keeps the user's edit
    assert repo.git("show", f"HEAD:{MODULE}/app/calc.py").stdout.endswith("VERSION = 2\n")


def test_staged_failure_is_rejected_though_the_working_tree_is_fixed(
    stub_gate_repo: GitRepo,
) -> None:
    repo = stub_gate_repo
    repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    repo.add(f"{MODULE}/app/calc.py")
    repo.write(f"{MODULE}/app/calc.py", CALC_OK + "# fixed, not staged\n")
    # As an editable install would: the working tree's module on the path. The snapshot
    # wins (the stub finds `app` through PYTHONPATH only, as a test runner would).
    proc = repo.commit(CODER, env={"PYTHONPATH": str(repo.path / MODULE)})
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG401", MODULE)]
    assert "FAILED tests/test_calc.py::test_add" in proc.stderr


def test_a_file_never_added_does_not_exist_for_the_gate(stub_gate_repo: GitRepo) -> None:
    repo = stub_gate_repo
    repo.write(
        f"{MODULE}/tests/test_helper.py",
        "from app.helper import double\n\n\ndef test_double() -> None:\n"
        "    assert double(2) == 4\n",
    )
    repo.write(f"{MODULE}/app/helper.py", "def double(x: int) -> int:\n    return 2 * x\n")
    repo.add(f"{MODULE}/tests/test_helper.py")  # app/helper.py never added
    proc = repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG401", MODULE)]
    assert "app.helper" in proc.stderr  # the import error is in the reported tail
    repo.add(f"{MODULE}/app/helper.py")
    landed = repo.commit(CODER)
    assert landed.returncode == 0, landed.stderr


def test_a_command_that_cannot_be_split_is_tg403_and_never_accounted(
    stub_gate_repo: GitRepo,
) -> None:
    repo = stub_gate_repo
    set_policy(
        repo,
        f'[gate]\ntimeout = 120\n[gate.python]\ncommands = ["pytest \\"unclosed", "{STUB}"]\n',
    )
    repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    repo.add(f"{MODULE}/app/calc.py")
    proc = repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG403", MODULE)]
    assert '`pytest "unclosed` cannot be split into words: No closing quotation' in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_tool_is_tg403_with_the_fix(stub_gate_repo: GitRepo) -> None:
    repo = stub_gate_repo
    set_policy(
        repo,
        f'[gate]\ntimeout = 120\n[gate.python]\ncommands = ["no-such-linter-xyz .", "{STUB}"]\n',
    )
    repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    repo.add(f"{MODULE}/app/calc.py")
    proc = repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG403", MODULE)]
    assert "no-such-linter-xyz not found" in proc.stderr
    assert f"python -m venv {MODULE}/.venv && {MODULE}/.venv/bin/pip install" in proc.stderr
    assert f"gate: python: {STUB} passed" in proc.stderr  # the other command still ran


def test_module_overrides_and_odd_file_names(stub_gate_repo: GitRepo) -> None:
    repo = stub_gate_repo
    odd = "data/ü file 'q'.txt"
    set_policy(
        repo,
        '[gate]\ntimeout = 120\n[gate.python]\ncommands = ["no-such-tool"]\n'
        f'[gate.modules.python]\ncommands = ["{STUB}"]\n',
    )
    repo.write(f"{MODULE}/{odd}", "staged\n")
    repo.write(
        f"{MODULE}/tests/test_data.py",
        "from pathlib import Path\n\n\ndef test_data() -> None:\n"
        f"    assert Path({odd!r}).read_text() == 'staged\\n'\n",
    )
    repo.add(f"{MODULE}/{odd}", f"{MODULE}/tests/test_data.py")
    repo.write(f"{MODULE}/{odd}", "unstaged\n")
    proc = repo.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    assert gate_findings(proc.stderr) == []
    assert f"gate: python: {STUB} passed" in proc.stderr


def test_linked_worktree_runs_the_gate_and_shares_the_cache(
    stub_gate_repo: GitRepo, tmp_path: Path
) -> None:
    repo = stub_gate_repo
    repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    repo.add(f"{MODULE}/app/calc.py")
    first = repo.taskgate("check", "-m", CODER)
    assert first.returncode == 0, first.stderr
    assert f"gate: python: {STUB} passed" in first.stderr
    repo.git("reset", "-q", "--hard")
    other = tmp_path / "other"
    repo.git("worktree", "add", "-q", "-b", "other", str(other))
    wt = GitRepo(other)
    wt.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    wt.add(f"{MODULE}/app/calc.py")
    proc = wt.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    assert f"gate: python cached pass (tree {tree_of(wt)[:7]})" in proc.stderr


def test_live_progress_line_on_a_terminal(stub_gate_repo: GitRepo) -> None:
    repo = stub_gate_repo
    # A test that lasts longer than a redraw (0.1 s), so the line shows the command.
    repo.write(
        f"{MODULE}/tests/test_wait.py",
        "import time\n\n\ndef test_wait() -> None:\n    time.sleep(0.5)\n",
    )
    repo.add(f"{MODULE}/tests/test_wait.py")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "taskgate", "check", "-m", CODER],
        cwd=repo.path,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait() == 0
    text = b"".join(chunks).decode("utf-8", "replace")
    assert f"\r\033[Kgate: {STUB} " in text
    assert f"gate: python: {STUB} passed in" in text
