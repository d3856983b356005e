"""The ready-to-use CI files: schema-valid, and the action's script run for real in bash."""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.ci.support import USERS_V1, bare, board, clone, commit
from tests.conftest import GitRepo

ROOT = Path(__file__).resolve().parents[2]


def _vendored_schema(name: str) -> dict[str, Any]:
    """A schema check-jsonschema ships (found without importing it: its CLI needs click)."""
    spec = importlib.util.find_spec("check_jsonschema")
    assert spec is not None
    assert spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations))) / "builtin_schemas" / "vendor"
    schema: dict[str, Any] = json.loads((folder / name).read_text(encoding="utf-8"))
    return schema


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("action.yml", "github-actions.json"),
        ("examples/github-workflow.yml", "github-workflows.json"),
        ("examples/gitlab-ci.yml", "gitlab-ci.json"),
    ],
)
def test_ci_files_match_their_schemas(path: str, schema: str) -> None:
    doc = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    if True in doc:
        doc["on"] = doc.pop(True)  # YAML 1.1 reads the key `on` as a boolean
    validator_class = jsonschema.validators.validator_for(_vendored_schema(schema))
    validator = validator_class(_vendored_schema(schema))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []


def test_workflow_checks_out_the_whole_history() -> None:
    workflow = yaml.safe_load((ROOT / "examples/github-workflow.yml").read_text())
    for name, job in workflow["jobs"].items():
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
        assert checkout["with"]["fetch-depth"] == 0, name
    gitlab = yaml.safe_load((ROOT / "examples/gitlab-ci.yml").read_text())
    assert gitlab["taskgate"]["variables"]["GIT_DEPTH"] == "0"


def _ci_step() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "taskgate")
    script: str = step["run"]
    return script


def _run_step(repo: GitRepo, tmp_path: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """The action's `taskgate ci` step, in bash as the runner starts it (`-eo pipefail`)."""
    script = tmp_path / "step.sh"
    script.write_text(_ci_step())
    shim = tmp_path / "taskgate"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m taskgate "$@"\n')
    shim.chmod(0o755)
    output = tmp_path / "github_output"
    output.write_text("")
    full = {
        **os.environ,
        "TASKGATE_BIN": str(shim),
        "GITHUB_OUTPUT": str(output),
        "INPUT_RANGE": "",
        "INPUT_ARGS": "--no-gate",
        "INPUT_FORMAT": "json",
        "INPUT_OUTPUT": "",
        "INPUT_PLAN": "false",
        "EVENT_NAME": "pull_request",
        "EVENT_BEFORE": "",
        "DEFAULT_BRANCH": "main",
        **env,
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=repo.path, env=full, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return proc.returncode, proc.stdout, output.read_text()


@pytest.fixture
def pushed(workflow_repo: GitRepo, tmp_path: Path) -> tuple[GitRepo, str, str]:
    """A clone whose feature branch adds one good and one bad commit over origin/main."""
    server = bare(tmp_path / "server.git")
    workflow_repo.git("push", "-q", str(server.path), "main")
    work = clone(server.path, tmp_path / "work")
    before = work.head()
    work.git("switch", "-q", "-c", "feature")
    commit(work, "feat(python): start", {
        "shared/task_list.json": board(T1={"status": "in_progress"}),
        "services/api/app/users.py": USERS_V1}, verify=False)  # fmt: skip
    bad = commit(work, "wip", {"services/api/app/users.py": USERS_V1 + "\n"}, verify=False)
    return work, before, bad


def _findings(stdout: str) -> list[tuple[str, str, str]]:
    return [(f["rule"], f["path"], f["commit"]) for f in json.loads(stdout)["findings"]]


def test_action_step_in_a_pull_request(pushed: tuple[GitRepo, str, str], tmp_path: Path) -> None:
    work, _before, bad = pushed
    code, out, _ = _run_step(work, tmp_path, {"GITHUB_BASE_REF": "main"})
    assert code == 1
    assert _findings(out) == [("TG101", "COMMIT_EDITMSG", bad)]


def test_action_step_on_a_push(pushed: tuple[GitRepo, str, str], tmp_path: Path) -> None:
    work, before, bad = pushed
    code, out, _ = _run_step(work, tmp_path, {"EVENT_NAME": "push", "EVENT_BEFORE": before})
    assert code == 1
    assert _findings(out) == [("TG101", "COMMIT_EDITMSG", bad)]
    # A new branch: before is all zeros, so the commits the default branch lacks.
    code, out, _ = _run_step(work, tmp_path, {"EVENT_NAME": "push", "EVENT_BEFORE": "0" * 40})
    assert code == 1
    assert _findings(out) == [("TG101", "COMMIT_EDITMSG", bad)]


def test_action_step_plan_output(pushed: tuple[GitRepo, str, str], tmp_path: Path) -> None:
    work, _before, _bad = pushed
    code, _out, output = _run_step(
        work, tmp_path, {"GITHUB_BASE_REF": "main", "INPUT_PLAN": "true", "INPUT_ARGS": ""}
    )
    assert code == 0
    assert output == 'modules=["python"]\n'
