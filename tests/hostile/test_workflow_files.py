"""Hostile workflow files: empty, binary, not UTF-8, 20 MB, 100,000 levels deep, duplicate
keys, wrong types. Each gives a rule id on the file's path, never a traceback."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from tests.conftest import BOARD, STRUCTURE, GitRepo
from tests.hostile.support import (
    BOARD_PATH,
    STRUCTURE_PATH,
    assert_clean,
    check_json,
    errors,
    lead_commit,
)

VALID_STRUCTURE = json.dumps(STRUCTURE).encode()
VALID_BOARD = json.dumps(BOARD).encode()
DEPTH = 100_000
MB20 = 20 * 1024 * 1024


def _not_json(valid: bytes) -> dict[str, bytes]:
    """Payloads that are not (strict) JSON at all: TG301 when staged, TG310 as a base map."""
    dup_nested = valid.replace(b'"path": "services/api"', b'"path": "a", "path": "services/api"')
    assert dup_nested != valid or b"services/api" not in valid
    return {
        "empty": b"",
        "whitespace": b" \n\t\r\n",
        "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 64,
        "invalid-utf8": valid.replace(b'"version"', b'"versi\xff\xfeon"'),
        "latin-1": '{"version": 1, "modules": {}, "x-name": "café"}'.encode("latin-1"),
        "bom": b"\xef\xbb\xbf" + valid,
        "truncated": valid[: len(valid) // 2],
        "trailing-garbage": valid + b"\n}",
        "deep-arrays": b"[" * DEPTH + b"]" * DEPTH,
        "deep-objects": b'{"a":' * DEPTH + b"1" + b"}" * DEPTH,
        "duplicate-top-key": valid[:-1] + b', "version": 1}',
        "nan": b'{"version": NaN, "modules": {}}',
        "infinity": b'{"version": 1, "modules": {}, "x-n": -Infinity}',
        "5000-digit-number": b'{"version": ' + b"9" * 5000 + b', "modules": {}}',
        "comments": b"// the lead's notes\n" + valid,
        "single-quotes": valid.replace(b'"', b"'"),
    }


@pytest.fixture(scope="module")
def huge_invalid() -> bytes:
    """20 MB with the error at the very end (an unterminated string)."""
    return b'{"version": 1, "modules": {}, "x-pad": "' + b"a" * MB20


@pytest.fixture(scope="module")
def huge_valid_board() -> bytes:
    """A 20 MB board that is valid JSON: one task's title is 20 MB."""
    board: dict[str, Any] = json.loads(VALID_BOARD)
    board["tasks"][0]["title"] = "x" * MB20
    return json.dumps(board).encode()


# --- a broken module map at the base: every commit is checked against nothing -> TG310


def _base_structure(repo: GitRepo, content: bytes) -> None:
    repo.write("README.md", "hi\n")
    repo.write("taskgate.toml", "[gate]\nenabled = false\n")
    repo.write(STRUCTURE_PATH, content)
    repo.add()
    lead_commit(repo)
    repo.write("services/api/app.py", "x = 1\n")
    repo.add()


@pytest.mark.parametrize("name", sorted(_not_json(VALID_STRUCTURE)))
def test_unusable_module_map_at_base_is_tg310(repo: GitRepo, name: str) -> None:
    _base_structure(repo, _not_json(VALID_STRUCTURE)[name])
    proc, findings = check_json(repo, "feat(python): add the app")
    assert_clean(proc, 1)
    assert ("TG310", STRUCTURE_PATH) in errors(findings)
    tg310 = next(f for f in findings if f["rule"] == "TG310")
    assert "cannot be used" in tg310["message"]


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        pytest.param([], "object", id="array"),
        pytest.param("modules", "object", id="string"),
        pytest.param(None, "object", id="null"),
        pytest.param({"version": 1}, "modules", id="no-modules"),
        pytest.param({"version": 1, "modules": []}, "modules", id="modules-list"),
        pytest.param({"version": 1, "modules": {"python": 3}}, "modules.python", id="module-int"),
        pytest.param({"version": 1, "modules": {"python": {"path": 5, "agent": "a"}}},
                     "modules.python", id="path-int"),
        pytest.param({"version": 1, "modules": {"python": {"path": "p", "agent": ["a"]}}},
                     "modules.python", id="agent-list"),
        pytest.param({"version": 1, "modules": {"python": {"path": "p", "agent": "a",
                                                            "language": 3}}},
                     "language", id="language-int"),
        pytest.param({"version": 1, "modules": {}, "roles": []}, "roles", id="roles-list"),
        pytest.param({"version": 1, "modules": {}, "roles": {"lead": 1}}, "roles", id="lead-int"),
    ],
)  # fmt: skip
def test_wrong_shapes_of_the_base_map_are_tg310(repo: GitRepo, doc: object, words: str) -> None:
    _base_structure(repo, json.dumps(doc).encode())
    proc, findings = check_json(repo, "feat(python): add the app")
    assert_clean(proc, 1)
    assert ("TG310", STRUCTURE_PATH) in errors(findings)
    assert words in next(f for f in findings if f["rule"] == "TG310")["message"]


def test_20mb_module_map_at_base_reports_the_line(repo: GitRepo, huge_invalid: bytes) -> None:
    _base_structure(repo, huge_invalid)
    proc, findings = check_json(repo, "feat(python): add the app")
    assert_clean(proc, 1)
    assert errors(findings) == [("TG310", STRUCTURE_PATH)]
    assert "line 1, column" in findings[0]["message"]


def test_broken_base_map_blocks_a_real_commit(workflow_repo: GitRepo) -> None:
    workflow_repo.write(STRUCTURE_PATH, b"\x00\x01binary")
    workflow_repo.add()
    lead_commit(workflow_repo)
    head = workflow_repo.head()
    workflow_repo.write("services/api/app/users.py", "x = 1\n")
    workflow_repo.add()
    proc = workflow_repo.commit("feat(python): users")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "TG310" in proc.stderr
    assert STRUCTURE_PATH in proc.stderr
    assert workflow_repo.head() == head


# --- hostile files staged by the lead: TG301 (not JSON) / TG302 (schema), on their path


@pytest.mark.parametrize("target", [STRUCTURE_PATH, BOARD_PATH])
@pytest.mark.parametrize("name", sorted(_not_json(VALID_BOARD)))
def test_staged_workflow_file_that_is_not_json_is_tg301(
    workflow_repo: GitRepo, target: str, name: str
) -> None:
    valid = VALID_STRUCTURE if target == STRUCTURE_PATH else VALID_BOARD
    workflow_repo.write(target, _not_json(valid)[name])
    workflow_repo.add()
    proc, findings = check_json(workflow_repo, "chore(lead): edit the workflow files")
    assert_clean(proc, 1)
    assert ("TG301", target) in errors(findings), findings
    assert {path for _, path in errors(findings)} == {target}


@pytest.mark.parametrize("target", [STRUCTURE_PATH, BOARD_PATH])
@pytest.mark.parametrize(
    "doc",
    [
        pytest.param([], id="array"),
        pytest.param("x", id="string"),
        pytest.param(3.5, id="number"),
        pytest.param({}, id="empty-object"),
        pytest.param({"version": "1", "modules": {}, "tasks": []}, id="version-string"),
        pytest.param({"version": 1, "modules": 3, "tasks": 3}, id="collections-int"),
        pytest.param({"version": 1, "modules": {}, "tasks": [], "typo": 1}, id="unknown-key"),
    ],
)
def test_staged_workflow_file_of_the_wrong_shape_is_tg302(
    workflow_repo: GitRepo, target: str, doc: object
) -> None:
    if isinstance(doc, dict) and doc:
        doc = {k: v for k, v in doc.items()
               if k != ("tasks" if target == STRUCTURE_PATH else "modules")}  # fmt: skip
    workflow_repo.write_json(target, doc)
    workflow_repo.add()
    proc, findings = check_json(workflow_repo, "chore(lead): edit the workflow files")
    assert_clean(proc, 1)
    assert ("TG302", target) in errors(findings), findings


@pytest.mark.parametrize("target", [STRUCTURE_PATH, BOARD_PATH])
def test_staged_workflow_file_holding_null_is_reported(workflow_repo: GitRepo, target: str) -> None:
    """`null` parses, yet it is no workflow file: never mistaken for an absent file."""
    workflow_repo.write(target, "null\n")
    workflow_repo.add()
    proc, findings = check_json(workflow_repo, "chore(lead): edit the workflow files")
    assert_clean(proc, 1)
    assert ("TG301", target) in errors(findings), findings
    assert "null" in next(f for f in findings if f["path"] == target)["message"]


def test_staged_20mb_board_that_is_not_json(workflow_repo: GitRepo, huge_invalid: bytes) -> None:
    workflow_repo.write(BOARD_PATH, huge_invalid)
    workflow_repo.add()
    proc, findings = check_json(workflow_repo, "chore(lead): a huge board", in_process=False)
    assert_clean(proc, 1)
    assert ("TG301", BOARD_PATH) in errors(findings)
    assert {path for _, path in errors(findings)} == {BOARD_PATH}


def test_staged_20mb_board_that_is_json(workflow_repo: GitRepo, huge_valid_board: bytes) -> None:
    """Valid but enormous: whatever is reported is about the board, and it is reported fast
    enough to finish (no quadratic work on a 20 MB string)."""
    workflow_repo.write(BOARD_PATH, huge_valid_board)
    workflow_repo.add()
    proc, findings = check_json(workflow_repo, "chore(lead): a huge title")
    assert proc.returncode in (0, 1)
    assert {path for _, path in pairs_of(findings)} <= {BOARD_PATH}


def test_deep_but_parseable_extension_value(workflow_repo: GitRepo) -> None:
    """950 levels parse (the C scanner allows ~1000); nothing later may recurse into a crash."""
    board: dict[str, Any] = json.loads(VALID_BOARD)
    # Building the file recurses 950 levels below the test's own frames, which are deeper
    # under pytest-xdist or coverage: give this process room (taskgate's has its default).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 2000)
    try:
        board["x-deep"] = json.loads("[" * 950 + "]" * 950)
        board["tasks"][0]["x-deep"] = json.loads('{"a":' * 900 + "1" + "}" * 900)
        workflow_repo.write_json(BOARD_PATH, board)
    finally:
        sys.setrecursionlimit(limit)
    workflow_repo.add()
    proc, findings = check_json(workflow_repo, "chore(lead): deep extensions")
    assert proc.returncode in (0, 1)
    assert {path for _, path in pairs_of(findings)} <= {BOARD_PATH}


def pairs_of(findings: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(f["rule"], f["path"]) for f in findings]
