"""Helpers for the ci / pre-push / pre-receive tests: histories built with real git."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import BOARD, PLAN, POLICY_NO_GATE, STRUCTURE, GitRepo
from tests.support.inprocess import run_main

# Fully annotated, no routes, no suppressions: code every rule family accepts.
USERS_V1 = 'def find_user(user_id: int) -> dict[str, int] | None:\n    return {"id": user_id}\n'
USERS_V2 = (
    "def find_user(user_id: int) -> dict[str, int] | None:\n"
    '    return {"id": user_id} if user_id > 0 else None\n'
)
USERS_V3 = USERS_V2 + (
    "\n\ndef list_users(limit: int) -> list[dict[str, int]]:\n"
    '    return [{"id": i} for i in range(1, limit + 1)]\n'
)
TESTS_V1 = (
    "from app.users import find_user\n\n\n"
    "def test_find_user() -> None:\n"
    "    assert find_user(1) == {'id': 1}\n"
)


def board(**changes: dict[str, Any]) -> dict[str, Any]:
    """The fixture board with some tasks changed: board(T1={"status": "in_progress"})."""
    doc = copy.deepcopy(BOARD)
    for task in doc["tasks"]:
        task.update(changes.get(task["id"], {}))
    return doc


def commit(
    repo: GitRepo, message: str, files: dict[str, str | dict[str, Any] | None], *, verify: bool
) -> str:
    """Write `files` (dicts as JSON, None deletes), stage them and commit; the new HEAD.

    verify=True goes through the installed hooks (and must pass); False commits with no
    hook (what --no-verify records).
    """
    for path, content in files.items():
        if content is None:
            repo.git("rm", "-q", "--", path)
            continue
        if isinstance(content, dict):
            repo.write_json(path, content)
        else:
            repo.write(path, content)
        repo.add(path)
    if not verify:
        return repo.commit_no_hooks(message)
    proc = repo.commit(message)
    assert proc.returncode == 0, f"{message!r} was refused:\n{proc.stderr}"
    return repo.head()


def sha_of(repo: GitRepo, subject: str, rev: str = "HEAD") -> str:
    """The commit reachable from `rev` whose subject is `subject` (subjects are unique here)."""
    out = repo.git("log", "--format=%H%x00%s", rev).stdout
    found = [line.split("\0")[0] for line in out.splitlines() if line.split("\0")[1] == subject]
    assert len(found) == 1, f"{subject!r}: {found}"
    return found[0]


def ci_json(
    repo: GitRepo, *args: str, env: dict[str, str] | None = None, process: bool = True
) -> dict[str, Any]:
    """`taskgate ci ARGS --format json`, a real process unless `process` is False (then
    `cli.main` in this process: the same entry point, for tables about the report)."""
    if process:
        proc = repo.taskgate("ci", *args, "--format", "json", env=env)
    else:
        proc = run_main("ci", *args, "--format", "json", cwd=repo.path, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)
    assert doc["ok"] is (proc.returncode == 0)
    return doc


def by_commit(doc: dict[str, Any]) -> dict[str | None, list[tuple[str, str | None]]]:
    """{commit: [(rule, path), ...]} from a JSON report."""
    out: dict[str | None, list[tuple[str, str | None]]] = {}
    for f in doc["findings"]:
        out.setdefault(f["commit"], []).append((f["rule"], f["path"]))
    return out


_REMOTE_FINDING = re.compile(r"^(?:remote: )?(TG\d{3}) +(error|warning) +(\S.*?)(?::\d+)?: ")


def pushed_findings(stderr: str) -> list[tuple[str, str]]:
    """(rule, path) of the text-format findings git relays from a hook ("remote: TG101 …")."""
    out = []
    for line in stderr.splitlines():
        m = _REMOTE_FINDING.match(line.strip())
        if m:
            out.append((m.group(1), m.group(3)))
    return out


def workflow_files() -> dict[str, str | dict[str, Any] | None]:
    """The files of the shared `workflow_repo` fixture, for repositories made another way."""
    return {
        "shared/project_structure.json": STRUCTURE,
        "shared/task_list.json": BOARD,
        "shared/plan.md": PLAN,
        "taskgate.toml": POLICY_NO_GATE,
        "services/api/app/__init__.py": "",
        "services/api/pyproject.toml": '[project]\nname = "api"\nversion = "0"\n',
        "web/index.html": "<p>hi</p>\n",
    }


def bare(path: Path) -> GitRepo:
    """A bare repository at `path` (a "server")."""
    path.mkdir(parents=True)
    server = GitRepo(path)
    server.git("init", "-q", "--bare", "-b", "main")
    return server


def clone(source: Path, dest: Path, *args: str) -> GitRepo:
    subprocess.run(
        ["git", "clone", "-q", *args, f"file://{source}", str(dest)],
        check=True,
        capture_output=True,
    )
    return GitRepo(dest)
