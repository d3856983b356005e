"""Hostile commit message files: random bytes, NUL, UTF-16, huge, odd line breaks."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from taskgate.rules.catalog import RULES
from tests.conftest import GitRepo, finding_ids
from tests.hostile.support import MSG, assert_clean, usage_error
from tests.support.inprocess import run_main


def _hook(
    repo: GitRepo, raw: bytes, *, editor: str = ":", process: bool = False
) -> tuple[int, list[tuple[str, str]]]:
    """`taskgate hook commit-msg FILE --format json` through `cli.main` in this process;
    `process`: as a real `python -m taskgate` (one case of each table)."""
    path = repo.path.parent / "message.txt"
    path.write_bytes(raw)
    args = ("hook", "commit-msg", str(path), "--format", "json")
    if process:
        proc = repo.taskgate(*args, env={"GIT_EDITOR": editor})
    else:
        proc = run_main(*args, cwd=repo.path, env={"GIT_EDITOR": editor})
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    return proc.returncode, [(f["rule"], f["path"]) for f in doc["findings"]]


RANDOM_BLOBS = [random.Random(seed).randbytes(n) for seed, n in enumerate((1, 7, 64, 512, 4096))]


@pytest.mark.parametrize("raw", RANDOM_BLOBS, ids=[f"{len(b)}-bytes" for b in RANDOM_BLOBS])
def test_random_bytes(workflow_repo: GitRepo, raw: bytes) -> None:
    _rc, found = _hook(workflow_repo, raw, process=raw == RANDOM_BLOBS[-1])
    for rule, path in found:
        assert rule in RULES
        assert path == MSG


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(b"\xff\xfe garbage \x80\x81\n", {("TG110", MSG), ("TG101", MSG)}, id="latin"),
        pytest.param("chore(lead): hi\n".encode("utf-16"),
                     {("TG110", MSG), ("TG101", MSG), ("TG106", MSG)}, id="utf-16"),
        pytest.param(b"chore(lead): nul \x00 inside\n", set(), id="nul-in-header"),
        pytest.param(b"\x00\x00\x00\x00", {("TG101", MSG)}, id="only-nul"),
        pytest.param(b"\xef\xbb\xbfchore(lead): bom\n", set(), id="bom"),
        pytest.param(b"chore(lead): crlf\r\n\r\nbody\r\n", set(), id="crlf"),
        pytest.param(b"chore(lead): lone\rcr\n", set(), id="lone-cr"),
        pytest.param("chore(lead): a\u2028b\x0cc\n".encode(), set(), id="u2028-formfeed"),
        pytest.param(b"chore(lead): big\n\n" + b"word " * 200_000 + b"\n", set(), id="1mb-body"),
        pytest.param(b"chore(lead): lines\n\n" + b"x\n" * 100_000, set(), id="100k-lines"),
        pytest.param(b"chore(lead): " + b"x" * 100_000 + b"\n", {("TG105", MSG)}, id="long-header"),
        pytest.param(b"\n\n\n   \n\t\n", set(), id="only-blank"),
        pytest.param(b"", set(), id="empty-file"),
        pytest.param(b"chore(lead): trailers\n\nTask: \xff\xff\n", {("TG110", MSG), ("TG108", MSG)},
                     id="undecodable-trailer"),
        pytest.param("chore(lead): ünïcödé ✓ 🚀\n".encode(), set(), id="non-ascii"),
        pytest.param("chore(le\u0301ad): nfd scope\n".encode(), {("TG101", MSG)}, id="nfd-scope"),
        pytest.param(b"chore(\x1b[31mlead): escape\n", {("TG101", MSG)}, id="ansi-escape"),
    ],
)  # fmt: skip
def test_odd_messages(workflow_repo: GitRepo, raw: bytes, expected: set[tuple[str, str]]) -> None:
    _rc, found = _hook(workflow_repo, raw, process=raw.startswith(b"\xff\xfe garbage"))
    assert set(found) == expected


def test_comment_only_message_passes_quietly_when_an_editor_was_used(
    workflow_repo: GitRepo,
) -> None:
    rc, found = _hook(workflow_repo, b"# Please enter the message\n# more\n", editor="vi")
    assert (rc, found) == (0, [])


def test_scissors_with_garbage_below(workflow_repo: GitRepo) -> None:
    raw = (
        b"chore(lead): cut\n\n# ------------------------ >8 ------------------------\n"
        b"\xff\x00 diff --git a/x b/x\n"
    )
    rc, found = _hook(workflow_repo, raw, editor="vi")
    assert (rc, found) == (0, [])


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_message_file_is_exit_2(workflow_repo: GitRepo, kind: str) -> None:
    path = workflow_repo.path.parent / "msg"
    if kind == "directory":
        path.mkdir()
    proc = workflow_repo.taskgate("hook", "commit-msg", str(path))
    usage_error(proc, "commit message file", str(path))


def test_message_file_path_with_newline_and_quotes(workflow_repo: GitRepo) -> None:
    path = workflow_repo.path.parent / "m\"sg\n'x -v.txt"
    path.write_bytes(b"Added stuff\n")
    proc = workflow_repo.taskgate("hook", "commit-msg", str(path))
    assert_clean(proc, 1)
    assert finding_ids(proc) == ["TG101"]


def test_real_commit_with_undecodable_message_is_rejected(workflow_repo: GitRepo) -> None:
    workflow_repo.write("web/index.html", "<p>x</p>\n")
    workflow_repo.add()
    head = workflow_repo.head()
    msg: Path = workflow_repo.path.parent / "m.txt"
    msg.write_bytes(b"\xc3\x28 \xa0\xa1 not utf-8\n")
    proc = workflow_repo.git("commit", "-F", str(msg), check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert sorted(finding_ids(proc)) == ["TG101", "TG110"]
    assert workflow_repo.head() == head


def test_real_commit_with_good_header_and_binary_body_lands_with_a_warning(
    workflow_repo: GitRepo,
) -> None:
    workflow_repo.write("web/index.html", "<p>y</p>\n")
    workflow_repo.add()
    msg = workflow_repo.path.parent / "m.txt"
    msg.write_bytes(b"chore(lead): body is binary\n\n\x80\x81\x82\xfe\n")
    proc = workflow_repo.git("commit", "-F", str(msg), check=False)
    assert proc.returncode == 0, proc.stderr
    assert finding_ids(proc) == ["TG110"]
