"""Hostile workflow files: empty, binary, not UTF-8, 20 MB, 100,000 levels deep, duplicate
keys, wrong types. Each gives a rule id on the file's path, never a traceback.

The tables are judged by `check` in memory (tests/support/staged.py); the first case of
each also through `cli.main` in a real repository, and both must agree."""

from __future__ import annotations

import json
import subprocess
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
from tests.support.staged import MemoryScene

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


def checked(
    scene: MemoryScene, message: str, real: GitRepo | None = None
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """`taskgate check -m message --format json --no-gate` on the scene's staged change,
    judged in memory; with `real` (the same scene in a real repository, for one case of
    each table), through `cli.main` there too, and both must agree."""
    proc = scene.check(message)
    findings: list[dict[str, Any]] = json.loads(proc.stdout)["findings"]
    if real is None:
        return proc, findings
    real_proc, real_findings = check_json(real, message)
    assert real_proc.returncode == proc.returncode, (real_proc.stdout, proc.stdout)
    assert sorted(pairs_of(real_findings)) == sorted(pairs_of(findings)), (real_findings, findings)
    return real_proc, real_findings


def first(request: pytest.FixtureRequest, fixture: str, name: object, names: list[Any]) -> Any:
    """The real repository of the table's first case (None for the others)."""
    return request.getfixturevalue(fixture) if name == names[0] else None


# --- a broken module map at the base: every commit is checked against nothing -> TG310


def _base_structure(repo: GitRepo | None, content: bytes) -> MemoryScene:
    """The scene in memory; in `repo` too when given."""
    files = {"README.md": "hi\n", "taskgate.toml": "[gate]\nenabled = false\n",
             STRUCTURE_PATH: content}  # fmt: skip
    scene = MemoryScene(files)
    scene.write("services/api/app.py", "x = 1\n")
    if repo is not None:
        for rel, data in files.items():
            repo.write(rel, data)
        repo.add()
        lead_commit(repo)
        repo.write("services/api/app.py", "x = 1\n")
        repo.add()
    return scene


@pytest.mark.parametrize("name", sorted(_not_json(VALID_STRUCTURE)))
def test_unusable_module_map_at_base_is_tg310(request: pytest.FixtureRequest, name: str) -> None:
    repo = first(request, "repo", name, sorted(_not_json(VALID_STRUCTURE)))
    scene = _base_structure(repo, _not_json(VALID_STRUCTURE)[name])
    proc, findings = checked(scene, "feat(python): add the app", repo)
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
def test_wrong_shapes_of_the_base_map_are_tg310(
    request: pytest.FixtureRequest, doc: object, words: str
) -> None:
    repo = first(request, "repo", doc, [[]])
    scene = _base_structure(repo, json.dumps(doc).encode())
    proc, findings = checked(scene, "feat(python): add the app", repo)
    assert_clean(proc, 1)
    assert ("TG310", STRUCTURE_PATH) in errors(findings)
    assert words in next(f for f in findings if f["rule"] == "TG310")["message"]


def test_20mb_module_map_at_base_reports_the_line(huge_invalid: bytes) -> None:
    scene = _base_structure(None, huge_invalid)
    proc, findings = checked(scene, "feat(python): add the app")
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

LEAD_EDIT = "chore(lead): edit the workflow files"


def staged(
    target: str, content: bytes | str, real: GitRepo | None = None
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """The lead stages `content` at `target` of the workflow repository; `check`'s answer."""
    scene = MemoryScene()
    scene.write(target, content)
    if real is not None:
        real.write(target, content)
        real.add()
    return checked(scene, LEAD_EDIT, real)


@pytest.mark.parametrize("target", [STRUCTURE_PATH, BOARD_PATH])
@pytest.mark.parametrize("name", sorted(_not_json(VALID_BOARD)))
def test_staged_workflow_file_that_is_not_json_is_tg301(
    request: pytest.FixtureRequest, target: str, name: str
) -> None:
    valid = VALID_STRUCTURE if target == STRUCTURE_PATH else VALID_BOARD
    real = first(request, "workflow_repo", name, sorted(_not_json(VALID_BOARD)))
    proc, findings = staged(target, _not_json(valid)[name], real)
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
    request: pytest.FixtureRequest, target: str, doc: object
) -> None:
    if isinstance(doc, dict) and doc:
        doc = {k: v for k, v in doc.items()
               if k != ("tasks" if target == STRUCTURE_PATH else "modules")}  # fmt: skip
    real = first(request, "workflow_repo", doc, [[]])
    proc, findings = staged(target, json.dumps(doc, indent=2) + "\n", real)
    assert_clean(proc, 1)
    assert ("TG302", target) in errors(findings), findings


@pytest.mark.parametrize("target", [STRUCTURE_PATH, BOARD_PATH])
def test_staged_workflow_file_holding_null_is_reported(target: str) -> None:
    """`null` parses, yet it is no workflow file: never mistaken for an absent file."""
    proc, findings = staged(target, "null\n")
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
