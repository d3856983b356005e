"""The parsed-policy cache: the commit-msg hook skips tomllib once a policy text was seen.

The cache (`<git common dir>/taskgate/policy-cache.json`) is keyed by the exact TOML
text, so a new policy is parsed afresh, and a broken cache file is ignored.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import PYTHON, GitRepo, finding_ids

MSG = "COMMIT_EDITMSG"
ONLY_FEAT_AND_CHORE = '[gate]\nenabled = false\n\n[commit]\ntypes = ["feat", "chore"]\n'

# The hook in-process, then the modules it imported (as tests/test_imports.py does).
PROBE = """
import json, sys
from taskgate.cli import main
code = main(["hook", "commit-msg", sys.argv[1], "--format", "json"])
with open(sys.argv[2], "w") as fh:
    json.dump({"code": code, "tomllib": "tomllib" in sys.modules}, fh)
"""


def cache_file(repo: GitRepo) -> Path:
    return repo.path / ".git" / "taskgate" / "policy-cache.json"


def set_policy(repo: GitRepo, text: str) -> None:
    repo.write("taskgate.toml", text)
    repo.add("taskgate.toml")
    done = repo.commit("chore(lead): change the policy")
    assert done.returncode == 0, done.stderr


def probe(repo: GitRepo, message: str, tmp_path: Path) -> tuple[int, bool, list[tuple[str, str]]]:
    """Exit code, whether tomllib was imported, and the (rule, path) findings of one run."""
    msg = tmp_path / "MSG"
    msg.write_text(message)
    out = tmp_path / "probe.json"
    proc = subprocess.run(
        [PYTHON, "-P", "-c", PROBE, str(msg), str(out)],
        cwd=repo.path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    doc = json.loads(out.read_text())
    findings = [(f["rule"], f["path"]) for f in json.loads(proc.stdout)["findings"]]
    return doc["code"], doc["tomllib"], findings


def test_second_run_uses_the_cache_and_judges_the_same(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    set_policy(workflow_repo, ONLY_FEAT_AND_CHORE)
    cache_file(workflow_repo).unlink(missing_ok=True)

    first = probe(workflow_repo, "docs(lead): explain the board\n", tmp_path)
    assert first == (1, True, [("TG102", MSG)])
    cached = json.loads(cache_file(workflow_repo).read_text())
    assert [
        ONLY_FEAT_AND_CHORE,
        {"gate": {"enabled": False}, "commit": {"types": ["feat", "chore"]}},
    ] in cached["entries"]

    second = probe(workflow_repo, "docs(lead): explain the board\n", tmp_path)
    assert second == (1, False, [("TG102", MSG)])


def test_a_new_policy_text_is_parsed_again(workflow_repo: GitRepo) -> None:
    set_policy(workflow_repo, ONLY_FEAT_AND_CHORE)
    workflow_repo.write("web/index.html", "<p>one</p>\n")
    workflow_repo.add("web/index.html")
    refused = workflow_repo.commit("docs(lead): reword the page")
    assert refused.returncode != 0
    assert finding_ids(refused) == ["TG102"]
    assert MSG in refused.stderr

    set_policy(workflow_repo, ONLY_FEAT_AND_CHORE.replace('"chore"]', '"chore", "docs"]'))
    workflow_repo.write("web/index.html", "<p>two</p>\n")
    workflow_repo.add("web/index.html")
    accepted = workflow_repo.commit("docs(lead): reword the page")
    assert accepted.returncode == 0, accepted.stderr
    texts = [text for text, _table in json.loads(cache_file(workflow_repo).read_text())["entries"]]
    assert texts[-1].endswith('"chore", "docs"]\n')


def test_a_broken_cache_file_is_ignored_and_replaced(workflow_repo: GitRepo) -> None:
    set_policy(workflow_repo, ONLY_FEAT_AND_CHORE)
    cache_file(workflow_repo).parent.mkdir(parents=True, exist_ok=True)
    cache_file(workflow_repo).write_text('{"revision": 1, "entries": [[')
    workflow_repo.write("web/index.html", "<p>one</p>\n")
    workflow_repo.add("web/index.html")
    refused = workflow_repo.commit("docs(lead): reword the page")
    assert refused.returncode != 0
    assert finding_ids(refused) == ["TG102"]
    assert MSG in refused.stderr
    assert json.loads(cache_file(workflow_repo).read_text())["revision"] == 1


def test_a_table_without_a_json_form_is_not_cached(workflow_repo: GitRepo) -> None:
    # The policy in pyproject.toml, next to a TOML date JSON cannot hold.
    workflow_repo.git("rm", "-q", "taskgate.toml")
    workflow_repo.write(
        "pyproject.toml",
        "[tool.release]\ndate = 1979-05-27\n\n[tool.taskgate.gate]\nenabled = false\n\n"
        '[tool.taskgate.commit]\ntypes = ["feat", "chore"]\n',
    )
    workflow_repo.add("pyproject.toml")
    moved = workflow_repo.commit("chore(lead): move the policy into pyproject.toml")
    assert moved.returncode == 0, moved.stderr
    cache_file(workflow_repo).unlink(missing_ok=True)

    workflow_repo.write("web/index.html", "<p>one</p>\n")
    workflow_repo.add("web/index.html")
    refused = workflow_repo.commit("docs(lead): reword the page")
    assert refused.returncode != 0
    assert finding_ids(refused) == ["TG102"]
    assert MSG in refused.stderr
    assert not cache_file(workflow_repo).exists()
