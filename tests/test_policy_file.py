"""TG311: a broken policy never lands, so it can never lock everyone out."""

from __future__ import annotations

from tests.conftest import GitRepo, finding_ids


def test_lead_commit_with_a_policy_typo_is_refused(workflow_repo: GitRepo) -> None:
    head = workflow_repo.head()
    workflow_repo.write("taskgate.toml", "[gate]\nenabled = false\n[commit]\nheader_maximum = 72\n")
    workflow_repo.add()
    proc = workflow_repo.commit("chore(lead): shorter headers")
    assert proc.returncode == 1
    assert finding_ids(proc) == ["TG311"]
    assert "taskgate.toml: the policy this change writes cannot be used" in proc.stderr
    assert "header_maximum" in proc.stderr
    assert workflow_repo.head() == head


def test_lead_commit_with_a_valid_policy_lands(workflow_repo: GitRepo) -> None:
    workflow_repo.write("taskgate.toml", "[gate]\nenabled = false\n[commit]\nheader_max = 72\n")
    workflow_repo.add()
    proc = workflow_repo.commit("chore(lead): shorter headers")
    assert proc.returncode == 0, proc.stderr


def test_broken_tool_table_in_pyproject_is_reported_on_pyproject(workflow_repo: GitRepo) -> None:
    workflow_repo.git("rm", "-q", "taskgate.toml")
    workflow_repo.write("pyproject.toml", "[tool.taskgate.gate]\nenabled = 'no'\n")
    workflow_repo.add()
    proc = workflow_repo.taskgate("check", "-m", "chore(lead): move the policy", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert '"rule": "TG311"' in proc.stdout
    assert '"path": "pyproject.toml"' in proc.stdout


def test_invalid_toml_is_refused_even_without_the_pre_commit_hook(workflow_repo: GitRepo) -> None:
    workflow_repo.write("taskgate.toml", "[gate\nenabled = false\n")
    workflow_repo.add()
    msg = workflow_repo.path / "msg.txt"
    msg.write_text("chore(lead): break the policy\n")
    proc = workflow_repo.taskgate("hook", "commit-msg", str(msg))
    assert proc.returncode == 1
    assert finding_ids(proc) == ["TG311"]
