"""Hostile paths: names with newlines, quotes, dashes, control characters, non-NFC and
non-UTF-8 bytes; symlink loops; submodules; board entries that name no possible file."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BOARD, GitRepo
from tests.hostile.support import BOARD_PATH, assert_clean, check_json, errors

ODD_NAMES = [
    "new\nline.txt",
    'double"quote.txt',
    "single'quote.txt",
    "-rf",
    "--output=x",
    "tab\there.txt",
    "ctrl\x01\x1b[31m.txt",
    "back\\slash.txt",
    "space at end ",
    " space at start",
    "star*?[x].txt",
    ":(glob)magic",
    unicodedata.normalize("NFD", "café.txt"),
    unicodedata.normalize("NFC", "café.txt"),
    "emoji 🚀.txt",
]
# Not UTF-8 at all: created through os.fsencode's surrogate escapes.
BAD_UTF8 = os.fsdecode(b"latin\xe9\xff.txt")


def _display(path: str) -> str:
    """How a JSON report shows a path that is not UTF-8 (a '?' per undecodable byte)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\ufffd", "?")


def _write_all(repo: GitRepo, folder: str) -> list[str]:
    rels = [f"{folder}/{name}" for name in [*ODD_NAMES, BAD_UTF8]]
    for rel in rels:
        path = repo.path / folder / rel.split("/", 1)[1]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"content\n")
    repo.git("add", "-A")
    return rels


def test_lead_commits_odd_names_through_the_hooks(workflow_repo: GitRepo) -> None:
    rels = _write_all(workflow_repo, "web")
    proc = workflow_repo.commit("chore(lead): odd names")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    listed = workflow_repo.git("ls-files", "-z").stdout.split("\0")
    for rel in rels:
        assert _display(rel) in {_display(p) for p in listed}


def test_odd_names_outside_the_coders_module_are_tg201_each(workflow_repo: GitRepo) -> None:
    rels = _write_all(workflow_repo, "web")
    proc, findings = check_json(workflow_repo, "feat(python): odd names", in_process=False)
    assert_clean(proc, 1)
    found = errors(findings)
    assert {path for rule, path in found if rule == "TG201"} == {_display(r) for r in rels}
    assert {rule for rule, _ in found} <= {"TG201", "TG202", "TG203"}


def test_odd_names_in_a_rename_count_on_both_sides(workflow_repo: GitRepo) -> None:
    workflow_repo.git("mv", "web/index.html", "services/api/new\nline -x.html")
    proc, findings = check_json(workflow_repo, "feat(python): take the page")
    assert_clean(proc, 1)
    assert ("TG201", "web/index.html") in errors(findings)


@pytest.mark.parametrize(
    ("link", "target", "outside"),
    [
        ("services/api/loop", "loop", False),
        ("services/api/a/ping", "../b/pong", False),
        ("services/api/up", "../../web", True),
        ("services/api/far", "../../../../../../etc/passwd", True),
        ("services/api/abs", "/etc/passwd", True),
        ("services/api/nl", "new\nline", False),
    ],
)
def test_symlinks_including_loops(
    workflow_repo: GitRepo, link: str, target: str, outside: bool
) -> None:
    path = workflow_repo.path / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    if link.endswith("ping"):
        (workflow_repo.path / "services/api/b").mkdir()
        (workflow_repo.path / "services/api/b/pong").symlink_to("../a/ping")
    _start_t1(workflow_repo)
    proc, findings = check_json(workflow_repo, "feat(python): a link")
    tg205 = [p for r, p in errors(findings) if r == "TG205"]
    assert tg205 == ([link] if outside else [])
    assert_clean(proc, 1 if outside else 0)


def _start_t1(repo: GitRepo) -> None:
    """T1 in progress on the base, so python coder commits have an active task."""
    board: dict[str, Any] = json.loads(json.dumps(BOARD))
    board["tasks"][0]["status"] = "in_progress"
    repo.write_json(BOARD_PATH, board)
    repo.git("add", BOARD_PATH)
    repo.commit_no_hooks("chore(lead): start T1")
    repo.git("add", "-A")


@pytest.fixture
def other_repo(tmp_path: Path) -> Path:
    sub = GitRepo(tmp_path / "library")
    sub.path.mkdir()
    sub.git("init", "-q", "-b", "main")
    sub.write("lib.txt", "lib\n")
    sub.add()
    sub.commit("chore: lib", check=True)
    return sub.path


def test_submodule_added_by_the_lead_lands(workflow_repo: GitRepo, other_repo: Path) -> None:
    workflow_repo.git("submodule", "add", "-q", str(other_repo), "vendor/lib")
    proc = workflow_repo.commit("chore(lead): vendor the library")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def test_submodule_added_by_a_coder_is_tg207(workflow_repo: GitRepo, other_repo: Path) -> None:
    _start_t1(workflow_repo)
    workflow_repo.git("submodule", "add", "-q", str(other_repo), "services/api/vendor")
    workflow_repo.git("reset", "-q", "--", ".gitmodules")  # only the gitlink itself
    proc, findings = check_json(workflow_repo, "feat(python): vendor a library")
    assert_clean(proc, 1)
    assert ("TG207", "services/api/vendor") in errors(findings)


@pytest.mark.parametrize(
    "output",
    ["../../etc/passwd", "/etc/passwd", "services/api/../../x", "", "services/api/a\u0000b",
     "services/api/./app", "services/api//app", "HEAD:x", ":0:x", "services/api/app\n"],
)  # fmt: skip
def test_board_outputs_naming_impossible_files(workflow_repo: GitRepo, output: str) -> None:
    """A `done` whose outputs name no file a commit can hold: TG306, never a git failure."""
    _start_t1(workflow_repo)
    board: dict[str, Any] = json.loads(json.dumps(BOARD))
    board["tasks"][0]["status"] = "done"
    board["tasks"][0]["outputs"] = {"files": [output]}
    workflow_repo.write_json(BOARD_PATH, board)
    workflow_repo.write("services/api/app/users.py", "x = 1\n")
    workflow_repo.git("add", "-A")
    proc, findings = check_json(workflow_repo, "feat(python): finish T1")
    assert_clean(proc, 1)
    assert ("TG306", BOARD_PATH) in errors(findings) or ("TG302", BOARD_PATH) in errors(findings)
