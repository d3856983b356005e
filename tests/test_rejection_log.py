"""`taskgate log [--stats]`: every rejection kept, bounded, never in the way (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from taskgate.rejections import LIMIT
from tests.ci.support import bare
from tests.conftest import GitRepo, finding_ids


def _log(r: GitRepo, *args: str) -> list[dict[str, Any]]:
    proc = r.taskgate("log", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    doc: list[dict[str, Any]] = json.loads(proc.stdout)
    return doc


def test_rejections_are_logged_with_hook_rules_actor_and_tree(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    assert r.taskgate("log").stdout == "no rejections recorded\n"
    r.write("web/index.html", "<p>x</p>\n")
    r.add()
    bad = r.commit("Added a greeting")
    assert finding_ids(bad) == ["TG101"]
    outside = r.commit("feat(python): touch the page")
    assert "TG201" in finding_ids(outside)
    entries = _log(r)
    assert [e["hook"] for e in entries] == ["commit-msg", "commit-msg"]
    assert entries[0]["rules"] == ["TG101"]
    assert entries[0]["stage"] == "commit-msg"
    assert entries[1]["actor"] == "python"
    assert "TG201" in entries[1]["rules"]
    staged_tree = r.git("write-tree").stdout.strip()
    assert entries[1]["tree"] == staged_tree
    assert entries[1]["subject"] == "feat(python): touch the page"
    text = r.taskgate("log").stdout
    assert "commit-msg" in text
    assert "TG201" in text
    stats = json.loads(r.taskgate("log", "--stats", "--format", "json").stdout)
    assert {"actor": "python", "rule": "TG201", "count": 1} in stats
    assert "python" in r.taskgate("log", "--stats").stdout


def test_an_unwritable_log_never_blocks_a_commit(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    (r.path / ".git" / "taskgate" / "rejections.jsonl").mkdir(parents=True)
    r.write("web/index.html", "<p>x</p>\n")
    r.add()
    bad = r.commit("wip")
    assert bad.returncode == 1
    assert finding_ids(bad) == ["TG101"]
    assert "internal error" not in bad.stderr
    good = r.commit("docs(lead): reword the page")
    assert good.returncode == 0, good.stderr


def test_the_log_stays_bounded(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    path = r.path / ".git" / "taskgate" / "rejections.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.dumps({"time": "2026-01-01T00:00:00Z", "hook": "commit-msg", "rules": ["TG101"],
                      "actor": "web", "pad": "x" * 200})  # fmt: skip
    path.write_text((old + "\n") * (2 * LIMIT // len(old)))
    r.commit("wip", "--allow-empty")
    assert path.stat().st_size <= LIMIT
    entries = _log(r, "-n", "0")
    assert entries[-1]["subject"] == "wip"
    assert all(isinstance(e, dict) for e in entries)


def test_pre_receive_rejections_are_logged_on_the_server(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    r = workflow_repo
    server = bare(tmp_path / "server.git")
    r.git("push", "-q", str(server.path), "main")
    server.install()
    r.git("commit", "-q", "--allow-empty", "--no-verify", "-m", "feat(web) add things")
    refused = r.git("push", "--no-verify", str(server.path), "main", check=False)
    assert refused.returncode != 0
    (entry,) = _log(server)
    assert entry["hook"] == "pre-receive"
    assert entry["stage"] == "ci"
    assert entry["commit"] == r.head()
    assert entry["tree"] == r.git("rev-parse", "HEAD^{tree}").stdout.strip()
    assert "TG101" in entry["rules"]
