"""A fake agent, driven through a small task under Claude Code's hook protocol.

The lead writes the hooks with `taskgate agent hooks`; the agent (tests/agentside/
fake_agent.py) starts T1, writes code, commits, tries to edit another module and to skip
the hooks (both blocked by the guard), disputes T1 and commits the dispute. The history
it leaves passes `taskgate ci`.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PYTHON, GitRepo

# Slow: a whole task played by a fake agent, then ci over its history.
pytestmark = pytest.mark.slow

FAKE_AGENT = Path(__file__).with_name("fake_agent.py")
USERS = '''"""Users."""


def get_user(user_id: int) -> dict[str, int]:
    """The user with this id."""
    return {"id": user_id}
'''


def test_fake_agent_task_history_passes_ci(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    env_path = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = repo.taskgate("agent", "hooks", "--runtime", "claude-code", "--module", "python")
    assert proc.returncode == 0, proc.stderr
    repo.add(".claude/settings.json")
    assert repo.commit("chore(lead): guard the python agent").returncode == 0
    base = repo.head()

    board = json.loads((repo.path / "shared/task_list.json").read_text())
    started = json.loads(json.dumps(board))
    started["tasks"][0]["status"] = "in_progress"
    steps = [
        {
            "tool_name": "Write",
            "tool_input": {
                "file_path": "shared/task_list.json",
                "content": json.dumps(started, indent=2) + "\n",
            },
        },
        {
            "tool_name": "Write",
            "tool_input": {"file_path": "services/api/app/users.py", "content": USERS},
        },
        {
            "tool_name": "Bash",
            "tool_input": {
                "command": "git add -A && git commit -q -m 'feat(python): get a user' -m 'Task: T1'"
            },
        },
        {
            "tool_name": "Edit",
            "tool_input": {
                "file_path": "web/index.html",
                "old_string": "hi",
                "new_string": "hacked",
            },
        },
        {
            "tool_name": "Bash",
            "tool_input": {
                "command": "git commit --no-verify --allow-empty -m 'feat(python): sneak'"
            },
        },
        {
            "tool_name": "Bash",
            "tool_input": {
                "command": "taskgate dispute T1 --reason 'the "
                "contract says 404, the test wants 200' --test "
                "tests/test_users.py::test_missing"
            },
        },
    ]
    plan = tmp_path / "steps.json"
    plan.write_text(json.dumps(steps))
    env = {**os.environ, **env_path, "TASKGATE_AGENT": "python-coder"}
    run = subprocess.run(
        [PYTHON, str(FAKE_AGENT), str(repo.path), str(plan)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    log = json.loads(run.stdout)

    assert [e["blocked"] for e in log] == [False, False, False, True, True, False]
    assert log[2]["status"] == 0, log[2]  # the real commit passed the git hooks
    assert "TG201" in log[3]["reason"]
    assert "web/index.html" in log[3]["reason"]
    assert "TG801" in log[4]["reason"]
    assert (repo.path / "web/index.html").read_text() == "<p>hi</p>\n"  # never edited
    assert log[5]["status"] == 0, log[5]
    printed = next(x for x in log[5]["stdout"].splitlines() if x.strip().startswith("git commit"))

    # The agent makes the commit the dispute printed, through the guard and the hooks.
    steps = [{"tool_name": "Bash", "tool_input": {"command": printed.strip()}}]
    plan.write_text(json.dumps(steps))
    run = subprocess.run(
        [PYTHON, str(FAKE_AGENT), str(repo.path), str(plan)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (entry,) = json.loads(run.stdout)
    assert not entry["blocked"], entry
    assert entry["status"] == 0, entry

    subjects = repo.git("log", "--format=%s", f"{base}..HEAD").stdout.splitlines()
    assert subjects == ["chore(python): dispute T1", "feat(python): get a user"]
    assert shlex.split(printed)[3] == "chore(python): dispute T1"
    ci = repo.taskgate("ci", "--range", f"{base}..HEAD", "--no-gate")
    assert ci.returncode == 0, ci.stderr
    final = json.loads((repo.path / "shared/task_list.json").read_text())["tasks"][0]
    assert final["status"] == "blocked"
    assert final["blocked_reason"].startswith("DISPUTE: the contract says 404")
