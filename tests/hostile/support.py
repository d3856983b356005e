"""Helpers for the hostile-input suite: run taskgate, insist on a clean failure."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.conftest import STRUCTURE, GitRepo
from tests.support.inprocess import run_main

STRUCTURE_PATH = "shared/project_structure.json"
BOARD_PATH = "shared/task_list.json"
MSG = "COMMIT_EDITMSG"


def assert_clean(proc: subprocess.CompletedProcess[str], expected: int) -> None:
    """No traceback, no internal error, and exactly the expected exit status."""
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    assert "internal error" not in out, out
    assert proc.returncode in (0, 1, 2), out
    assert proc.returncode == expected, out


def check_text(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """`taskgate ARGS` through `cli.main` in this process (text output)."""
    return run_main(*args, cwd=repo.path)


def usage_error(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2 with one `taskgate: error:` line that mentions every word in `words`."""
    assert_clean(proc, 2)
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("taskgate: error:")]
    assert len(lines) == 1, proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def check_json(
    repo: GitRepo, message: str, *extra: str, env: dict[str, str] | None = None,
    in_process: bool = True,
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:  # fmt: skip
    """`taskgate check -m message --format json --no-gate` and its findings; run through
    `cli.main` in this process unless `in_process` is False (a real `python -m taskgate`,
    kept for one case of each table: the process boundary)."""
    args = ("check", "-m", message, "--format", "json", "--no-gate", *extra)
    proc = run_main(*args, cwd=repo.path, env=env) if in_process else repo.taskgate(*args, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    findings: list[dict[str, Any]] = doc["findings"]
    return proc, findings


def pairs(findings: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(f["rule"], f["path"]) for f in findings]


def errors(findings: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(f["rule"], f["path"]) for f in findings if f["severity"] == "error"]


def lead_commit(repo: GitRepo, message: str = "chore(lead): hostile input") -> None:
    """Commit whatever is staged, skipping the hooks (how a broken base gets in)."""
    repo.commit_no_hooks(message)


def structure_with(**modules: dict[str, str]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(json.dumps(STRUCTURE))
    doc["modules"].update(modules)
    return doc
