"""The first end-to-end path: hooks installed, a real `git commit` judged by its message."""

from __future__ import annotations

from tests.conftest import GitRepo, finding_ids


def test_bad_message_rejected_and_good_one_lands(workflow_repo: GitRepo) -> None:
    workflow_repo.write("web/index.html", "<p>hello</p>\n")
    workflow_repo.add()
    before = workflow_repo.head()
    bad = workflow_repo.commit("Added greeting")
    assert bad.returncode != 0
    assert finding_ids(bad) == ["TG101"]
    assert "COMMIT_EDITMSG" in bad.stderr
    assert workflow_repo.head() == before
    good = workflow_repo.commit("chore(lead): add greeting")
    assert good.returncode == 0, good.stderr
    assert workflow_repo.head() != before
