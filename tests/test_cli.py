"""The command line: exit statuses 0/1/2/3, rule documentation, both argument parsers."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from taskgate import commithooks
from taskgate.cli import main
from tests.conftest import PYTHON, GitRepo, json_findings, run_taskgate


def test_version(tmp_path: Path) -> None:
    proc = run_taskgate("--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("taskgate 0.")


def test_rules_table_lists_every_message_rule(tmp_path: Path) -> None:
    proc = run_taskgate("rules", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    ids = [line.split(" ", 1)[0] for line in proc.stdout.splitlines()]
    for rule in ("TG101", "TG105", "TG106", "TG107", "TG108", "TG109", "TG110", "TG111", "TG112"):
        assert rule in ids
    doc = json.loads(run_taskgate("rules", "--format", "json", cwd=tmp_path).stdout)
    assert {"id", "name", "stage", "summary"} <= set(doc[0])
    assert [r["id"] for r in doc] == [i for i in ids if i.startswith("TG")]


@pytest.mark.parametrize("rule", ["TG101", "tg104", "TG112"])
def test_explain_prints_the_four_sections(tmp_path: Path, rule: str) -> None:
    proc = run_taskgate("explain", rule, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(rule.upper())
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in proc.stdout


def test_explain_unknown_rule_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_taskgate("explain", "TGG101", cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown rule id 'TGG101'" in proc.stderr
    assert "did you mean TG101?" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("frobnicate",),
        ("hook",),
        ("hook", "commit-msg"),
        ("hook", "post-commit"),
        ("check", "--format", "yaml"),
        (),
    ],
)
def test_usage_errors_exit_2_without_traceback(repo: GitRepo, args: tuple[str, ...]) -> None:
    proc = repo.taskgate(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "usage:" in proc.stderr or "error:" in proc.stderr


def test_outside_a_repository_is_exit_2(tmp_path: Path) -> None:
    proc = run_taskgate("check", "-m", "feat(x): y", cwd=tmp_path)
    assert proc.returncode == 2
    assert "not inside a git repository" in proc.stderr


def test_unreadable_message_file_is_exit_2(repo: GitRepo) -> None:
    proc = repo.taskgate("hook", "commit-msg", "no/such/COMMIT_EDITMSG")
    assert proc.returncode == 2
    assert "cannot read the commit message file" in proc.stderr


def test_policy_typo_is_exit_2_naming_the_key(repo: GitRepo) -> None:
    repo.write("taskgate.toml", "[commit]\nheader_maxx = 72\n")
    repo.add()
    repo.commit_no_hooks("chore(lead): policy")
    repo.write("README.md", "hi\n")
    repo.add()
    proc = repo.taskgate("check", "-m", "docs(readme): hi", "--no-gate")
    assert proc.returncode == 2
    assert "unknown key 'header_maxx'" in proc.stderr


def test_check_reports_message_findings_as_json(workflow_repo: GitRepo) -> None:
    proc = workflow_repo.taskgate("check", "-m", "Added greeting", "--format", "json")
    assert proc.returncode == 1
    assert json_findings(proc) == [("TG101", "COMMIT_EDITMSG")]
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1
    assert doc["ok"] is False
    ok = workflow_repo.taskgate("check", "-m", "chore(lead): tidy", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert json_findings(ok) == []


def test_policy_warn_and_ignore_lists_apply_to_message_rules(repo: GitRepo) -> None:
    repo.write("taskgate.toml", '[rules]\nwarn = ["TG103"]\nignore = ["TG106"]\n')
    repo.add()
    repo.commit_no_hooks("chore(lead): policy")
    proc = repo.taskgate("check", "-m", "feat: x\nglued body", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(f["rule"], f["path"], f["severity"]) for f in doc["findings"]] == [
        ("TG103", "COMMIT_EDITMSG", "warning")
    ]


def test_fast_and_full_parsers_agree(workflow_repo: GitRepo, tmp_path: Path) -> None:
    msg = tmp_path / "MSG"
    msg.write_text("feat(pyhton): x\n")
    fast = workflow_repo.taskgate("hook", "commit-msg", str(msg), "--format", "json")
    # `--format=json` is not on the fast path: argparse handles it.
    full = workflow_repo.taskgate("hook", "commit-msg", "--format=json", str(msg))
    assert fast.returncode == full.returncode == 1
    assert json_findings(fast) == json_findings(full) == [("TG104", "COMMIT_EDITMSG")]


def test_json_output_to_a_file_is_complete(workflow_repo: GitRepo, tmp_path: Path) -> None:
    msg = tmp_path / "MSG"
    msg.write_text("Added greeting\n")
    out = tmp_path / "out.json"
    with out.open("w") as fh:
        proc = subprocess.run(
            [PYTHON, "-m", "taskgate", "hook", "commit-msg", str(msg), "--format", "json"],
            cwd=workflow_repo.path, stdout=fh, stderr=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
    assert proc.returncode == 1
    doc = json.loads(out.read_text())
    assert [(f["rule"], f["path"]) for f in doc["findings"]] == [("TG101", "COMMIT_EDITMSG")]


def test_reader_that_goes_away_is_not_a_crash(tmp_path: Path) -> None:
    # `true` exits at once: taskgate writes into a pipe nobody reads.
    proc = subprocess.run(
        ["bash", "-c", f"'{PYTHON}' -m taskgate explain TG101 | true; echo ${{PIPESTATUS[0]}}"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert proc.stdout.strip() == "0"
    assert "Traceback" not in proc.stderr
    assert proc.stderr == ""


def _run_in_process(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


def test_internal_failure_is_exit_3_with_one_line(
    workflow_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> commithooks.Outcome:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(commithooks, "hook_commit_msg", broken)
    msg = tmp_path / "MSG"
    msg.write_text("chore(lead): x\n")
    argv = ["hook", "commit-msg", str(msg), "--repo", str(workflow_repo.path)]
    code, err = _run_in_process(argv)
    assert code == 3
    assert err.strip().splitlines() == [
        "taskgate: internal error: RuntimeError: simulated bug "
        "(set TASKGATE_DEBUG=1 for the traceback)"
    ]
    monkeypatch.setenv("TASKGATE_DEBUG", "1")
    code, err = _run_in_process(argv)
    assert code == 3
    assert "Traceback (most recent call last)" in err


@pytest.mark.slow
def test_demo_plays_every_scene_and_leaves_nothing_behind(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [PYTHON, str(root / "demo" / "run_demo.py")],
        cwd=tmp_path, capture_output=True, text=True, check=False,
        env={**os.environ, "TMPDIR": str(scratch)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "scenes behaved as expected" in proc.stdout
    # The bad message scene shows its rule id, the caret and the corrected example.
    assert "✗ rejected (TG101)" in proc.stdout
    assert "│ TG101 error  COMMIT_EDITMSG:1: no type" in proc.stdout
    assert "│     ^" in proc.stdout
    assert "write it as: feat(api): added paging to the user list" in proc.stdout
    # Signed mode: the api key under the lead's scope is named for what it is.
    assert "│ TG706 error  COMMIT_EDITMSG:1: the scope 'lead' claims the lead" in proc.stdout

    # The gate runs the mission's tools on the demo module.
    for tool in ("ruff check .", "mypy .", "pytest -q"):
        assert f"gate: api: {tool} passed" in proc.stdout, tool
    assert "✗ rejected (TG401)" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert list(scratch.iterdir()) == []
