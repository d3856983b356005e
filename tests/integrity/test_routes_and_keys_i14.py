"""Routes TG501 could not see and re-wrapped keys TG604 missed (issue 14, G).

Each through the local hooks and through `ci` on a fresh clone; honest twins pass.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from taskgate.rules.contracts import routes
from tests.ci.support import ci_json
from tests.conftest import POLICY_NO_GATE, GitRepo
from tests.gate.support import CODER, MODULE, set_up, text_findings
from tests.support.fakes import fake

MAIN = f"{MODULE}/app/main.py"
HEAD = "from fastapi import FastAPI\n\napp = FastAPI()\n"
CONSTANT = (
    HEAD + 'USERS = "/users"\n\n\n@app.get(USERS)\ndef users() -> list[int]:\n    return []\n'
)
FSTRING = (
    HEAD + 'API = "/api/v1"\nUSERS = f"{API}/users"\n\n\n'
    '@app.get(f"{USERS}/{{user_id}}")\ndef user(user_id: int) -> int:\n    return user_id\n'
)
DYNAMIC = HEAD + "import os\n\n\n@app.get(os.environ['P'])\ndef hidden() -> int:\n    return 1\n"


def _key(width: int) -> str:
    body = "".join(fake(64, string.ascii_letters + string.digits + "+/", seed=s) for s in range(6))
    lines = [body[i : i + width] for i in range(0, len(body), width)]
    return (
        "-----BEGIN "
        + "PRIVATE KEY-----\n"
        + "\n".join(lines)
        + "\n-----END "
        + "PRIVATE KEY-----\n"
    )


def test_paths_from_constants_and_f_strings() -> None:
    assert [(r.method, r.path) for r in routes(ast.parse(CONSTANT))] == [("GET", "/users")]
    assert [(r.method, r.path) for r in routes(ast.parse(FSTRING))] == [
        ("GET", "/api/v1/users/{user_id}")
    ]
    (dynamic,) = routes(ast.parse(DYNAMIC))
    assert dynamic.unresolved == "os.environ['P']"


@pytest.fixture
def team(workflow_repo: GitRepo) -> GitRepo:
    set_up(workflow_repo, POLICY_NO_GATE)
    workflow_repo.write(MAIN, HEAD)
    workflow_repo.add()
    workflow_repo.commit_no_hooks("chore(lead): app")
    return workflow_repo


def _through_both(
    repo: GitRepo, tmp_path: Path, path: str, content: str
) -> tuple[int, list[tuple[str, str | None]], list[tuple[str, str, int | None, str]]]:
    base = repo.head()
    repo.write(path, content)
    repo.add(path)
    proc = repo.commit(CODER)
    hook = text_findings(proc.stderr)
    if proc.returncode != 0:
        repo.commit(CODER, "--no-verify", check=True)
    clone = GitRepo(tmp_path / "clone")
    repo.git("clone", "-q", str(repo.path), str(clone.path))
    doc = ci_json(clone, "--range", f"{base}..HEAD")
    ci = [(f["rule"], f["path"], f["line"], f["severity"]) for f in doc["findings"]]
    return proc.returncode, hook, ci


@pytest.mark.parametrize(("content", "line"), [(CONSTANT, 7), (FSTRING, 8)])
def test_undeclared_route_from_constants(
    team: GitRepo, tmp_path: Path, content: str, line: int
) -> None:
    code, hook, ci = _through_both(team, tmp_path, MAIN, content)
    assert code == 1
    assert ("TG501", MAIN) in hook
    assert ("TG501", MAIN, line, "error") in ci


def test_declared_route_from_constants_passes(team: GitRepo, tmp_path: Path) -> None:
    plan = (team.path / "shared/plan.md").read_text()
    team.write("shared/plan.md", plan.replace("- GET /health\n", "- GET /health\n- GET /users\n"))
    team.add("shared/plan.md")
    team.commit_no_hooks("docs(lead): users contract")
    code, hook, ci = _through_both(team, tmp_path, MAIN, CONSTANT)
    assert code == 0, hook
    assert ci == []


def test_unresolvable_route_is_a_warning_naming_it(team: GitRepo, tmp_path: Path) -> None:
    code, hook, ci = _through_both(team, tmp_path, MAIN, DYNAMIC)
    assert code == 0
    assert ("TG501", MAIN) in hook
    assert ("TG501", MAIN, 7, "warning") in ci


@pytest.mark.parametrize("width", [32, 64, 76])
def test_private_key_at_any_width(team: GitRepo, tmp_path: Path, width: int) -> None:
    path = f"{MODULE}/deploy/server.pem"
    code, hook, ci = _through_both(team, tmp_path, path, _key(width))
    assert code == 1
    assert ("TG604", path) in hook
    assert ("TG604", path, 1, "error") in ci


def test_a_public_key_is_not_a_secret(team: GitRepo, tmp_path: Path) -> None:
    path = f"{MODULE}/deploy/server.pub.pem"
    public = _key(32).replace("PRIVATE", "PUBLIC")
    code, hook, ci = _through_both(team, tmp_path, path, public)
    assert code == 0, hook
    assert ci == []
