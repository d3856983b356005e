"""CI-native output of `taskgate ci`: GitHub workflow commands and job summary, SARIF 2.1.0."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jsonschema
import pytest

from taskgate.commithooks import Outcome
from taskgate.finding import Finding, Severity
from taskgate.report.github import escape_data, escape_property, render_github, workflow_command
from taskgate.report.sarif import sarif_log
from taskgate.rules.catalog import RULES
from tests.ci.support import USERS_V1, USERS_V2, board, ci_json, commit
from tests.conftest import GitRepo

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
ODD_PATH = "web/a,b:c%d.html"
MSG = "COMMIT_EDITMSG"


@pytest.fixture
def history(workflow_repo: GitRepo) -> tuple[GitRepo, str]:
    """A lane violation on a path full of workflow-command delimiters, and a bad message."""
    base = workflow_repo.head()
    commit(workflow_repo, "feat(python): start", {
        "shared/task_list.json": board(T1={"status": "in_progress"}),
        "services/api/app/users.py": USERS_V1}, verify=True)  # fmt: skip
    commit(workflow_repo, "feat(python): restyle the page",
           {"services/api/app/users.py": USERS_V2, ODD_PATH: "<p>odd</p>\n"},
           verify=False)  # fmt: skip
    commit(workflow_repo, "Oops, 100% broken", {"services/api/app/users.py": USERS_V1},
           verify=False)  # fmt: skip
    return workflow_repo, f"{base}..HEAD"


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """`::error k=v,k=v::data` → level, properties, data (all unescaped)."""
    assert line.startswith("::")
    head, data = line[2:].split("::", 1)
    level, _, props = head.partition(" ")
    pairs = dict(p.split("=", 1) for p in props.split(","))
    return level, {k: _unescape(v) for k, v in pairs.items()}, _unescape(data)


def test_github_workflow_commands_line_by_line(
    history: tuple[GitRepo, str], tmp_path: Path
) -> None:
    repo, rng = history
    expected = ci_json(repo, "--range", rng)["findings"]
    assert ("TG201", ODD_PATH) in [(f["rule"], f["path"]) for f in expected]
    assert ("TG101", MSG) in [(f["rule"], f["path"]) for f in expected]
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    proc = repo.taskgate("ci", "--range", rng, "--format", "github",
                         env={"GITHUB_STEP_SUMMARY": str(summary)})  # fmt: skip
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(expected)
    for line, f in zip(commands, expected, strict=True):
        level, props, data = _parse_command(line)
        assert level == f["severity"]
        assert props["title"] == f["rule"]
        if f["path"] == MSG:
            assert "file" not in props  # no file of the repository to annotate
        else:
            assert props["file"] == f["path"]
            assert props.get("line") == (str(f["line"]) if f["line"] else None)
        assert data.startswith(f["message"])
        subject = repo.git("log", "-1", "--format=%s", f["commit"]).stdout.strip()
        assert f"commit {f['commit'][:10]} {subject}" in data
        assert "\n" not in line
        assert "\r" not in line
    # The delimiters of the odd path never reach a property raw.
    odd = next(c for c in commands if "title=TG201" in c)
    assert "file=web/a%2Cb%3Ac%25d.html," in odd
    assert lines[-1].startswith(f"taskgate ci: {len(expected)} errors, 0 warnings in ")

    text = summary.read_text()
    assert text.startswith("earlier step\n### ❌ taskgate ci: ")
    rows = [row for row in text.splitlines() if row.startswith("| TG")]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [f["rule"] for f in expected]
    assert any(f"`{ODD_PATH}`" in row for row in rows)


def test_github_escaping_exactly() -> None:
    f = Finding("TG201", "50% done\r\nnext", path="a,b:c%.py", line=3, hint="h: x")
    assert workflow_command(f) == (
        "::error file=a%2Cb%3Ac%25.py,line=3,title=TG201::50%25 done%0D%0Anext%0Ahint: h: x"
    )
    w = Finding("TG111", "careful", path=MSG, line=2, severity=Severity.WARNING,
                commit="a" * 40, subject="feat(x): y")  # fmt: skip
    assert workflow_command(w) == "::warning title=TG111::careful%0Acommit aaaaaaaaaa feat(x): y"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert escape_data("a:b,c%\n") == "a:b,c%25%0A"


def test_github_without_findings_writes_a_passing_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = io.StringIO()
    render_github(Outcome(notes=["checked 3 commits in a..b"], title="ci"), out, 12)
    assert out.getvalue().splitlines() == [
        "checked 3 commits in a..b",
        "taskgate ci: 0 errors, 0 warnings in 12 ms",
    ]
    assert summary.read_text().startswith("### ✅ taskgate ci: 0 errors, 0 warnings")


def _validate(doc: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(
        SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []


def test_sarif_validates_and_carries_every_finding(history: tuple[GitRepo, str]) -> None:
    repo, rng = history
    expected = ci_json(repo, "--range", rng)["findings"]
    proc = repo.taskgate("ci", "--range", rng, "--format", "sarif")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    _validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    results = run["results"]
    assert [(r["ruleId"], unquote(_uri(r))) for r in results] == [
        (f["rule"], f["path"]) for f in expected
    ]
    for r, f in zip(results, expected, strict=True):
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] == f["severity"]
        assert r["message"]["text"].startswith(f["message"])
        assert f["commit"][:10] in r["message"]["text"]
        assert r["properties"]["commit"] == f["commit"]
        region = r["locations"][0]["physicalLocation"].get("region")
        assert region == ({"startLine": f["line"]} if f["line"] else None)
        assert _uri(r) == quote(f["path"])
    fingerprints = [r["partialFingerprints"]["taskgateFinding/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)
    # The same findings on the next run keep their fingerprints: alerts are tracked, not reopened.
    again = json.loads(repo.taskgate("ci", "--range", rng, "--format", "sarif").stdout)
    assert [r["partialFingerprints"] for r in again["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in results
    ]


def _uri(result: dict[str, Any]) -> str:
    uri: str = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    return uri


def test_sarif_edge_cases_validate() -> None:
    findings = [
        Finding("TG605", "junk", path="dir with space/ünï #1?.env"),
        Finding("TG201", "outside", path="bad\udcff.py", line=4, severity=Severity.WARNING),
        Finding("TG401", "tests failed", path="services/api", snippet=("E assert 1 == 2",)),
    ]
    doc = sarif_log(Outcome(findings, ["gate: python failed"], "ci"), 5)
    _validate(doc)
    results = doc["runs"][0]["results"]
    assert [(r["ruleId"], _uri(r)) for r in results] == [
        ("TG605", "dir%20with%20space/%C3%BCn%C3%AF%20%231%3F.env"),
        ("TG201", "bad%FF.py"),
        ("TG401", "services/api"),
    ]
    assert results[1]["level"] == "warning"
    _validate(sarif_log(Outcome([], [], "ci"), 1))
