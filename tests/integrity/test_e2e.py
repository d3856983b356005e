"""TG501 and TG601–TG605 end to end: real `git commit` through the installed hooks.

The lead's set-up commits use --no-verify (they are the scene, not the subject);
every commit under test goes through the hooks. The coder works on T1, which the
lead has started, so the active-task rule is satisfied.
"""

from __future__ import annotations

import json
import string
import subprocess

import pytest

from taskgate.rules.secrets import fingerprint
from tests.conftest import BOARD, PLAN, GitRepo, finding_ids
from tests.support.fakes import fake

MINE = ("TG501", "TG601", "TG602", "TG603", "TG604", "TG605")
MAIN = "services/api/app/main.py"
TESTS = "services/api/tests/test_users.py"
FEAT = "feat(python): users endpoints"

APP = '''"""The API."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
'''

USERS_ROUTE = """

@app.get("/users/{user_id}")
def get_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}
"""

TEST_FILE = """import pytest


def test_health() -> None:
    assert True


def test_users() -> None:
    assert True
"""


@pytest.fixture
def team(workflow_repo: GitRepo) -> GitRepo:
    """The workflow repository after a lead commit: T1 started, an app and its tests."""
    board = json.loads(json.dumps(BOARD))
    board["tasks"][0]["status"] = "in_progress"
    workflow_repo.write_json("shared/task_list.json", board)
    workflow_repo.write(MAIN, APP)
    workflow_repo.write(TESTS, TEST_FILE)
    workflow_repo.add()
    workflow_repo.commit_no_hooks("chore(lead): start T1")
    return workflow_repo


def located(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, str | None, int | None]]:
    """(rule, path, line) of this family's findings in `--format json` output."""
    doc = json.loads(proc.stdout)
    return [(f["rule"], f["path"], f["line"]) for f in doc["findings"] if f["rule"] in MINE]


def check(repo: GitRepo, message: str) -> list[tuple[str, str | None, int | None]]:
    return located(repo.taskgate("check", "-m", message, "--format", "json"))


def rejected(repo: GitRepo, message: str, rule: str) -> None:
    before = repo.head()
    proc = repo.commit(message)
    assert proc.returncode != 0, proc.stderr
    assert rule in finding_ids(proc), proc.stderr
    assert repo.head() == before


def lands(repo: GitRepo, message: str) -> None:
    before = repo.head()
    proc = repo.commit(message)
    assert proc.returncode == 0, proc.stderr
    assert repo.head() != before


# --- TG501 -------------------------------------------------------------------------


def test_undeclared_endpoint_is_rejected_until_declared(team: GitRepo) -> None:
    team.write(MAIN, APP + USERS_ROUTE)
    team.add()
    rejected(team, FEAT, "TG501")
    assert check(team, FEAT) == [("TG501", MAIN, 13)]
    team.write(
        "shared/plan.md", PLAN.replace("- GET /health\n", "- GET /health\n- GET /users/{id}\n")
    )
    team.add()
    assert check(team, FEAT) == []
    lands(team, FEAT)


def test_existing_route_is_not_an_addition(team: GitRepo) -> None:
    # /health is declared; edits around it add nothing.
    team.write(MAIN, APP.replace('"ok"', '"fine"'))
    team.add()
    lands(team, "fix(python): health wording")


# --- TG601 -------------------------------------------------------------------------


def test_deleting_a_test_function_is_rejected(team: GitRepo) -> None:
    team.write(TESTS, TEST_FILE.replace("def test_users() -> None:\n    assert True\n", ""))
    team.add()
    rejected(team, "test(python): trim", "TG601")
    assert check(team, "test(python): trim") == [("TG601", TESTS, 8)]


def test_deleting_a_test_file_is_rejected(team: GitRepo) -> None:
    team.git("rm", "-q", TESTS)
    rejected(team, "test(python): drop tests", "TG601")
    assert check(team, "test(python): drop tests") == [("TG601", TESTS, None)]


def test_moving_tests_to_another_file_lands(team: GitRepo) -> None:
    team.git("mv", TESTS, "services/api/tests/test_api.py")
    team.write(
        "services/api/tests/test_api.py", TEST_FILE + "\n\ndef test_more() -> None:\n    pass\n"
    )
    team.add()
    assert check(team, "test(python): regroup") == []
    lands(team, "test(python): regroup")


def test_the_lead_may_delete_tests(team: GitRepo) -> None:
    team.git("rm", "-q", TESTS)
    lands(team, "chore(lead): retire the placeholder tests")


# --- TG602 -------------------------------------------------------------------------


def test_added_skip_marker_is_rejected(team: GitRepo) -> None:
    team.write(
        TESTS,
        TEST_FILE.replace("def test_users", '@pytest.mark.skip(reason="later")\ndef test_users'),
    )
    team.add()
    rejected(team, "test(python): park a test", "TG602")
    assert check(team, "test(python): park a test") == [("TG602", TESTS, 8)]


def test_marker_imported_under_another_name_is_rejected(team: GitRepo) -> None:
    """The alias is imported in an earlier commit: the lines this commit adds name no
    marker (the hook's patch shows none), so the file's imports must be read."""
    aliased = "from unittest import skip as later\n" + TEST_FILE
    team.write(TESTS, aliased)
    team.add()
    team.commit_no_hooks("chore(lead): an import")
    team.write(TESTS, aliased.replace("def test_users", '@later("no time")\ndef test_users'))
    team.add()
    rejected(team, "test(python): later", "TG602")
    assert check(team, "test(python): later") == [("TG602", TESTS, 9)]


def test_skip_in_a_string_lands(team: GitRepo) -> None:
    team.write(TESTS, TEST_FILE + '\n\ndef test_words() -> None:\n    assert "skip" != "xfail"\n')
    team.add()
    lands(team, "test(python): more words")


# --- TG603 -------------------------------------------------------------------------


def test_added_type_ignore_is_rejected(team: GitRepo) -> None:
    team.write(MAIN, APP.replace('return {"status": "ok"}', 'return {"status": 1}  # type: ignore'))
    team.add()
    rejected(team, "fix(python): status", "TG603")
    assert check(team, "fix(python): status") == [("TG603", MAIN, 10)]


def test_loosened_ruff_configuration_is_rejected(team: GitRepo) -> None:
    path = "services/api/pyproject.toml"
    team.write(
        path, '[project]\nname = "api"\nversion = "0"\n\n[tool.ruff.lint]\nignore = ["ANN"]\n'
    )
    team.add()
    rejected(team, "chore(python): relax lint", "TG603")
    assert check(team, "chore(python): relax lint") == [("TG603", path, 6)]


def test_existing_noqa_is_not_reported_again(team: GitRepo) -> None:
    team.write(
        MAIN,
        APP.replace("from fastapi import FastAPI", "from fastapi import FastAPI  # noqa: F401"),
    )
    team.add()
    team.commit_no_hooks("chore(lead): mark import")
    team.write(
        MAIN,
        APP.replace("from fastapi import FastAPI", "from fastapi import FastAPI  # noqa: F401")
        + "\n\nVERSION = 2\n",
    )
    team.add()
    lands(team, "feat(python): version")


# --- TG604 -------------------------------------------------------------------------


def test_secret_is_rejected_for_the_lead_too_until_allowed(team: GitRepo) -> None:
    key = "AK" + "IA" + fake(16, string.ascii_uppercase + string.digits)
    path = "services/api/app/settings.py"
    team.write(path, f'"""Settings."""\n\nAWS_KEY_ID = "{key}"\n')
    team.add()
    proc = team.commit("chore(lead): settings")
    assert proc.returncode != 0
    assert "TG604" in finding_ids(proc)
    assert key not in proc.stderr
    fp = fingerprint(path, key)
    assert fp in proc.stderr
    assert check(team, "chore(lead): settings") == [("TG604", path, 3)]
    # The allow-list is policy, read from HEAD: the lead commits it first.
    team.git("reset", "-q")
    team.write("taskgate.toml", f'[gate]\nenabled = false\n\n[secrets]\nallow = ["{fp}"]\n')
    team.add("taskgate.toml")
    team.commit_no_hooks("chore(lead): allow a test fixture key")
    team.add()
    lands(team, "chore(lead): settings")


# --- TG605 -------------------------------------------------------------------------


def test_env_file_is_rejected_and_example_lands(team: GitRepo) -> None:
    team.write("services/api/.env", "DEBUG=1\n")
    team.add()
    rejected(team, "chore(python): local settings", "TG605")
    assert check(team, "chore(python): local settings") == [("TG605", "services/api/.env", None)]
    team.git("rm", "-q", "--cached", "services/api/.env")
    team.write("services/api/.env.example", "DEBUG=1\nDB_PASSWORD=changeme\n")
    team.add("services/api/.env.example")
    lands(team, "chore(python): example settings")


def test_virtualenv_is_one_finding(team: GitRepo) -> None:
    for name in ("python", "pip", "activate"):
        team.write(f"services/api/.venv/bin/{name}", "#!/bin/sh\n")
    team.add()
    rejected(team, "chore(python): env", "TG605")
    assert check(team, "chore(python): env") == [("TG605", "services/api/.venv", None)]


def test_file_growing_over_the_size_limit_is_rejected(team: GitRepo) -> None:
    """Sizes come from git without reading the blobs; a file already over the limit is
    not reported again when edited."""
    team.write("taskgate.toml", "[gate]\nenabled = false\n[integrity]\nmax_file_bytes = 1024\n")
    team.write("services/api/app/big.txt", "x" * 2000 + "\n")
    team.add()
    team.commit_no_hooks("chore(lead): a limit and a big file")
    team.write("services/api/app/big.txt", "y" * 2000 + "\n")
    team.write("services/api/app/data.txt", "small\n")
    team.add()
    team.commit("chore(python): data", check=True)
    team.write("services/api/app/data.txt", "z" * 1500 + "\n")
    team.add()
    rejected(team, "chore(python): more data", "TG605")
    assert check(team, "chore(python): more data") == [("TG605", "services/api/app/data.txt", None)]


# --- all together --------------------------------------------------------------------


def test_clean_coder_commit_lands(team: GitRepo) -> None:
    """Near-misses of every rule in one commit: nothing fires."""
    team.write(MAIN, APP + USERS_ROUTE + '\n\nHINT = "use pytest.mark.skip # noqa sparingly"\n')
    team.write(
        "shared/plan.md", PLAN.replace("- GET /health\n", "- GET /health\n- GET /users/{user_id}\n")
    )
    team.write(
        TESTS,
        TEST_FILE
        + "\n\ndef test_user() -> None:\n    password = 'changeme'\n    assert password\n",
    )
    team.write("services/api/.env.sample", "API_TOKEN=${API_TOKEN}\n")
    team.add()
    assert check(team, FEAT) == []
    lands(team, FEAT)


# --- ci re-checks what --no-verify let through ------------------------------------------


def test_ci_catches_a_bypassed_commit(team: GitRepo) -> None:
    base = team.head()
    team.write(TESTS, TEST_FILE.replace("def test_users", "@pytest.mark.xfail\ndef test_users"))
    team.add()
    team.commit("test(python): park a test", "--no-verify", check=True)
    proc = team.taskgate("ci", "--range", f"{base}..HEAD", "--no-gate", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert located(proc) == [("TG602", TESTS, 8)]
