"""The bugs a new user hit in the first hour (issue 15), each through real `git commit`
(the `taskgate check`, `board` and `install` calls around them run in process)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import GitRepo, finding_ids, json_findings
from tests.support.inprocess import run_main


def _install_commit_msg(repo: GitRepo) -> None:
    """The commit-msg hook, installed in process (the scene; the commit is the subject)."""
    proc = run_main("install", "--hook-type", "commit-msg", cwd=repo.path)
    assert proc.returncode == 0, proc.stderr


# --- gate tables that name nothing are configuration errors -----------------------


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('[gate.bogus]\ncommands = ["true"]\n', "[gate.bogus] names no language"),
        ('[gate.pyhton]\ncommands = ["true"]\n', "did you mean 'python'?"),
        (
            '[gate.web]\ncommands = ["true"]\n',
            "a module's own commands go under [gate.modules.web]",
        ),
        (
            '[gate.modules.nosuchmodule]\ncommands = ["true"]\n',
            "[gate.modules.nosuchmodule] names no module",
        ),
        ('[gate.modules.pyton]\ncommands = ["true"]\n', "did you mean 'python'?"),
        ("[gate]\ntimout = 5\n", "did you mean 'timeout'?"),
    ],
)
def test_gate_table_naming_nothing_blocks_commits(
    workflow_repo: GitRepo, table: str, words: str
) -> None:
    r = workflow_repo
    # The lead writes it: the commit that writes it is refused (TG311) ...
    r.write("taskgate.toml", "[gate]\nenabled = false\n" + table.replace("[gate]\n", ""))
    r.add("taskgate.toml")
    proc = r.commit("chore(lead): gate commands")
    assert proc.returncode != 0
    assert "TG311" in finding_ids(proc)
    assert "TG311 error  taskgate.toml:" in proc.stderr
    assert words in proc.stderr
    # ... and once it has landed anyway, every commit stops with a configuration error.
    r.commit_no_hooks("chore(lead): gate commands")
    r.write("web/index.html", "<p>hello</p>\n")
    r.add("web/index.html")
    check = run_main("check", "--no-gate", "-m", "feat(web): greet", cwd=r.path)
    assert check.returncode == 2, check.stderr
    assert words in check.stderr
    assert "Traceback" not in check.stderr


def test_gate_table_of_a_language_a_module_declares_is_fine(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    structure = json.loads((r.path / "shared/project_structure.json").read_text())
    structure["modules"]["web"]["language"] = "typescript"
    r.write_json("shared/project_structure.json", structure)
    r.write("taskgate.toml", '[gate]\nenabled = false\n[gate.typescript]\ncommands = ["true"]\n')
    r.add()
    proc = r.commit("chore(lead): typescript gate")
    assert proc.returncode == 0, proc.stderr


def test_renaming_a_module_away_from_its_gate_table_is_refused(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    r.write("taskgate.toml", '[gate]\nenabled = false\n[gate.modules.web]\ncommands = ["true"]\n')
    r.add()
    r.commit("chore(lead): web gate", check=True)
    structure = json.loads((r.path / "shared/project_structure.json").read_text())
    structure["modules"]["frontend"] = structure["modules"].pop("web")
    board = json.loads((r.path / "shared/task_list.json").read_text())
    for task in board["tasks"]:
        if task["assignee"] == "web":
            task["assignee"] = "frontend"
    r.write_json("shared/project_structure.json", structure)
    r.write_json("shared/task_list.json", board)
    r.add()
    proc = r.commit("chore(lead): rename web")
    assert proc.returncode != 0
    assert "TG311" in finding_ids(proc)
    assert "[gate.modules.web] names no module" in proc.stderr


def test_scaffold_shows_a_module_table_next_to_the_language_table(repo: GitRepo) -> None:
    proc = repo.taskgate("init")
    assert proc.returncode == 0, proc.stderr
    text = (repo.path / "taskgate.toml").read_text()
    assert "[gate.python]" in text
    assert "[gate.modules." in text


# --- hints: a header that would pass, or no rewrite -----------------------------------


def _hint(proc_stdout: str, rule: str) -> str:
    doc = json.loads(proc_stdout)
    hints = [f["hint"] for f in doc["findings"] if f["rule"] == rule]
    assert hints, doc
    return str(hints[0])


def test_missing_colon_keeps_the_scope_and_words(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    _install_commit_msg(r)
    r.git("commit", "--allow-empty", "-m", "chore(lead): empty", "--no-verify")
    proc = r.commit("feat(python) add notes", "--allow-empty")
    assert proc.returncode != 0
    assert "TG101 error  COMMIT_EDITMSG:1:" in proc.stderr
    assert "write it as: feat(python): add notes" in proc.stderr
    assert "(python) add notes" not in proc.stderr.split("write it as:")[1].split("\n")[0]


def test_role_written_as_type_gets_no_revert_and_keeps_task_id(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    proc = r.commit("review(lead): T1 needs sorting", "--allow-empty")
    assert proc.returncode != 0
    assert "TG102 error  COMMIT_EDITMSG:1:" in proc.stderr
    assert "revert(" not in proc.stderr
    assert "t1 needs" not in proc.stderr
    check = run_main(
        "check", "--no-gate", "--format", "json", "-m", "feta(python): T1 sorting done",
        cwd=r.path,
    )  # fmt: skip
    assert json_findings(check) == [("TG102", "COMMIT_EDITMSG")]
    assert _hint(check.stdout, "TG102").startswith("write it as: feat(python): T1 sorting done")


def test_empty_commit_wip_gets_no_random_module(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    proc = r.commit("wip", "--allow-empty")
    assert proc.returncode != 0
    assert "TG101 error  COMMIT_EDITMSG:1:" in proc.stderr
    hint = next(line for line in proc.stderr.splitlines() if "hint:" in line)
    assert "(python)" not in hint
    assert "(web)" not in hint
    assert "write it as 'type(scope): description'" in hint


def test_staged_files_name_the_scope_of_the_hint(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    r.write("web/index.html", "<p>hello</p>\n")
    r.add("web/index.html")
    proc = r.commit("Added a greeting")
    assert proc.returncode != 0
    assert "write it as: feat(web): added a greeting" in proc.stderr


# --- wording that fits where it is shown ---------------------------------------------


def test_aws_key_is_an_aws_key(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    key = "AKIA" + "Q3EGRVX7ZK2DMNPW"
    r.write("web/config.js", f'const key = "{key}";\n')
    r.add("web/config.js")
    proc = r.commit("feat(web): configure")
    assert proc.returncode != 0
    assert "TG604 error  web/config.js:1: adds an AWS access key" in proc.stderr
    assert "a AWS" not in proc.stderr


# --- formats ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["github", "sarif"])
def test_board_refuses_formats_it_cannot_honour(workflow_repo: GitRepo, fmt: str) -> None:
    proc = run_main("board", "--format", fmt, cwd=workflow_repo.path)
    assert proc.returncode == 2
    assert "use --format text or --format json" in proc.stderr


def test_board_json_is_json(workflow_repo: GitRepo) -> None:
    proc = workflow_repo.taskgate("board", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["counts"]["todo"] == 2


def test_configuration_error_is_an_annotation_under_github(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    r.write("taskgate.toml", "[gate]\nenabled = false\n[gate.pyhton]\ncommands = ['x']\n")
    r.add()
    r.commit_no_hooks("chore(lead): typo")
    r.commit("chore(lead): next", "--allow-empty", "--no-verify", check=True)
    proc = r.taskgate("ci", "--range", "HEAD~1..HEAD", "--format", "github")
    assert proc.returncode == 2
    assert proc.stdout.startswith("::error title=taskgate::")
    assert "did you mean 'python'?" in proc.stdout


# --- free-form scopes without a module map --------------------------------------------


@pytest.mark.parametrize("header", ["fix(api/v2): handle empty names", "feat(api,core): share"])
def test_free_scopes_pass_without_a_module_map(repo: GitRepo, header: str) -> None:
    _install_commit_msg(repo)
    proc = repo.commit(header, "--allow-empty")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    ("header", "reason"),
    [("fix() : x", "empty scope"), ("fix(api/v2) : x", "no space is allowed before the ':'")],
)
def test_free_scopes_keep_the_form(repo: GitRepo, header: str, reason: str) -> None:
    _install_commit_msg(repo)
    proc = repo.commit(header, "--allow-empty")
    assert proc.returncode != 0
    assert finding_ids(proc) == ["TG101"]
    assert "TG101 error  COMMIT_EDITMSG:1:" in proc.stderr
    assert reason in proc.stderr


def test_module_map_still_means_one_scope(workflow_repo: GitRepo) -> None:
    proc = workflow_repo.commit("feat(python,web): both", "--allow-empty")
    assert proc.returncode != 0
    assert "TG101 error  COMMIT_EDITMSG:1: one scope per commit" in proc.stderr


def test_tg401_in_ci_does_not_talk_about_staged_files(workflow_repo: GitRepo) -> None:
    import shlex
    import sys

    r = workflow_repo
    fail = shlex.quote(sys.executable) + " -c 'import sys; sys.exit(3)'"
    r.write("taskgate.toml", f'[gate.modules.web]\ncommands = ["{fail}"]\n')
    r.add()
    r.commit_no_hooks("chore(lead): gate web")
    base = r.head()
    r.write("web/index.html", "<p>x</p>\n")
    r.add()
    # Locally the gate speaks of the staged files ...
    proc = r.commit("docs(lead): reword")
    assert "TG401 error  web:" in proc.stderr
    assert "the gate saw only staged files" in proc.stderr
    r.commit_no_hooks("docs(lead): reword")
    # ... in ci of the files of the commit.
    ci = run_main("ci", "--range", f"{base}..HEAD", "--format", "json", cwd=r.path)
    doc = json.loads(ci.stdout)
    tg401 = [f for f in doc["findings"] if f["rule"] == "TG401"]
    assert [(f["rule"], f["path"]) for f in tg401] == [("TG401", "web")]
    assert "staged" not in tg401[0]["hint"]
    assert "as committed" in tg401[0]["hint"]
