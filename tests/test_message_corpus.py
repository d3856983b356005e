"""The commit-message corpus: every file through `taskgate hook commit-msg FILE` in a real repo.

Each `tests/corpus/messages/NAME.msg` holds raw message bytes; `NAME.expect` says the
verdict, the rule ids, and the git state to run it in (see the corpus README).

The table calls `taskgate.cli.main` in process (the code a hook process runs, minus the
interpreter start); `test_a_real_process_agrees_with_the_in_process_run` proves, for a
few cases, that `python -m taskgate` gives the same exit status and output.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import BOARD, PLAN, POLICY_NO_GATE, PYTHON, STRUCTURE
from tests.support.inprocess import run_main

CORPUS = Path(__file__).parent / "corpus" / "messages"
CASES = sorted(p.stem for p in CORPUS.glob("*.msg"))
# A corrected example never shows a regular expression; these are the tell-tale pieces.
REGEX_TELLS = ("^(", "(?:", "\\w", "\\s", "[a-z", ".*", "\\(")


class Expect(NamedTuple):
    exit: int
    rules: list[str]
    caret: int | None
    contains: list[str]
    editor: bool
    config: list[tuple[str, str]]
    merge_head: bool
    agent: str | None
    repo: str


def load_expect(name: str) -> Expect:
    fields: dict[str, list[str]] = {}
    for line in (CORPUS / f"{name}.expect").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{name}.expect: not key=value: {line!r}"
        fields.setdefault(key.strip(), []).append(value)
    known = {"exit", "rules", "caret", "contains", "editor", "config", "merge_head", "agent",
             "repo"}  # fmt: skip
    assert set(fields) <= known, f"{name}.expect: unknown keys {set(fields) - known}"
    config = []
    for item in fields.get("config", []):
        key, _, value = item.partition("=")
        config.append((key, value))
    rules = fields.get("rules", [""])[0]
    return Expect(
        exit=int(fields["exit"][0]),
        rules=sorted(r.strip() for r in rules.split(",") if r.strip()),
        caret=int(fields["caret"][0]) if "caret" in fields else None,
        contains=fields.get("contains", []),
        editor=fields.get("editor", ["no"])[0] == "yes",
        config=config,
        merge_head=fields.get("merge_head", ["no"])[0] == "yes",
        agent=fields.get("agent", [None])[0],
        repo=fields.get("repo", ["workflow"])[0],
    )


# Module-scoped repositories are built before the per-test environment exists: give git
# its identity and an empty configuration explicitly.
_GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Lead",
    "GIT_AUTHOR_EMAIL": "lead@example.invalid",
    "GIT_COMMITTER_NAME": "Lead",
    "GIT_COMMITTER_EMAIL": "lead@example.invalid",
}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=_GIT_ENV, check=True, capture_output=True)


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One repository with the workflow files, one without; both with one commit."""
    workflow = tmp_path_factory.mktemp("corpus-workflow")
    _git(workflow, "init", "-q", "-b", "main")
    _write(workflow, "shared/project_structure.json", json.dumps(STRUCTURE, indent=2))
    _write(workflow, "shared/task_list.json", json.dumps(BOARD, indent=2))
    _write(workflow, "shared/plan.md", PLAN)
    _write(workflow, "taskgate.toml", POLICY_NO_GATE)
    _write(workflow, "services/api/app/__init__.py", "")
    _write(workflow, "web/index.html", "<p>hi</p>\n")
    _git(workflow, "add", ".")
    _git(workflow, "commit", "-q", "--no-verify", "-m", "chore(lead): set up the workflow")
    plain = tmp_path_factory.mktemp("corpus-plain")
    _git(plain, "init", "-q", "-b", "main")
    _write(plain, "README.md", "# plain\n")
    _git(plain, "add", ".")
    _git(plain, "commit", "-q", "--no-verify", "-m", "docs: start")
    return {"workflow": workflow, "plain": plain}


def case_env(expect: Expect) -> dict[str, str | None]:
    """The variables a hook process of this case sees (on top of the test's environment)."""
    # git tells hooks that no editor ran by setting GIT_EDITOR=":".
    env: dict[str, str | None] = {"GIT_EDITOR": "vi" if expect.editor else ":"}
    # git reads GIT_CONFIG_KEY_n/VALUE_n as command-line configuration: no repo is changed.
    env["GIT_CONFIG_COUNT"] = str(len(expect.config))
    for i, (key, value) in enumerate(expect.config):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    env["TASKGATE_AGENT"] = expect.agent or None
    return env


def run_case(
    name: str, expect: Expect, root: Path, *, process: bool = False
) -> subprocess.CompletedProcess[str]:
    """The case through `taskgate hook commit-msg FILE --format json`: in this process,
    or (`process=True`) as a real `python -m taskgate` process."""
    args = ("hook", "commit-msg", str(CORPUS / f"{name}.msg"), "--format", "json")
    env = case_env(expect)
    merge_head = root / ".git" / "MERGE_HEAD"
    if expect.merge_head:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout
        merge_head.write_text(head)
    try:
        if not process:
            return run_main(*args, cwd=root, env=env)
        full = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
        return subprocess.run(
            [PYTHON, "-m", "taskgate", *args],
            cwd=root, env=full, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        merge_head.unlink(missing_ok=True)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 45
    for name in CASES:
        assert (CORPUS / f"{name}.expect").is_file(), f"{name}.msg has no .expect"


@pytest.mark.parametrize("name", CASES)
def test_corpus_case(name: str, repos: dict[str, Path]) -> None:
    expect = load_expect(name)
    proc = run_case(name, expect, repos[expect.repo])
    assert proc.returncode == expect.exit, f"{name}: exit {proc.returncode}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    findings = doc["findings"]
    assert sorted(f["rule"] for f in findings) == expect.rules, json.dumps(findings, indent=1)
    for f in findings:
        assert f["path"] == "COMMIT_EDITMSG", f
    text = "\n".join("\n".join([f["message"], f["hint"] or "", *f["snippet"]]) for f in findings)
    for wanted in expect.contains:
        assert wanted in text, f"{name}: {wanted!r} not in\n{text}"
    if expect.caret is not None:
        snippet = findings[0]["snippet"]
        assert snippet[1].rstrip().endswith("^"), snippet
        assert len(snippet[1]) - 1 == expect.caret, snippet
    for f in findings:
        if f["rule"] in ("TG101", "TG102", "TG103", "TG104", "TG105", "TG109"):
            # The header with a caret under it, and a corrected example, never a regex.
            assert len(f["snippet"]) == 2, f
            assert f["snippet"][1].endswith("^"), f
            assert "write it as" in f["hint"] or "e.g. " in f["hint"], f
            assert not any(tell in f["hint"] for tell in REGEX_TELLS), f


# A pass, a rejection with a caret, a merge, configuration from git, an agent claim.
PROCESS_CASES = (
    "good-scope",
    "space-before-paren",
    "merge-head",
    "comment-char-semicolon",
    "agent-disagrees",
)


@pytest.mark.parametrize("name", PROCESS_CASES)
def test_a_real_process_agrees_with_the_in_process_run(name: str, repos: dict[str, Path]) -> None:
    expect = load_expect(name)
    real = run_case(name, expect, repos[expect.repo], process=True)
    here = run_case(name, expect, repos[expect.repo])
    assert real.returncode == here.returncode == expect.exit, real.stderr
    assert "Traceback" not in real.stderr
    findings = json.loads(real.stdout)["findings"]
    assert sorted(f["rule"] for f in findings) == expect.rules
    assert [f["path"] for f in findings] == ["COMMIT_EDITMSG"] * len(findings)
    # The same report, but for the time it took.
    doc, same = json.loads(real.stdout), json.loads(here.stdout)
    for report in (doc, same):
        report.pop("duration_ms")
    assert doc == same
    assert real.stderr == here.stderr
