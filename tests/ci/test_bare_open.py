"""The git processes a repository costs to open and to name revisions in: one `git
rev-parse` to open it, a work tree or not (a server's bare repository, where pre-receive
runs), and the names `ci` and pre-receive resolve go to the cat-file process that reads
the commits. Outside any repository the error is still git's own, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskgate.errors import GitError
from taskgate.git import Repo
from tests.ci.support import bare, clone, commit, workflow_files
from tests.conftest import GitRepo, run_taskgate
from tests.support.gitlog import counting_git


def test_pre_receive_opens_a_bare_repository_with_one_rev_parse(tmp_path: Path) -> None:
    server = bare(tmp_path / "server.git")
    work = clone(server.path, tmp_path / "work")
    tip = commit(work, "chore(lead): set up the workflow", workflow_files(), verify=False)
    work.git("push", "-q", "origin", "main")
    env, log = counting_git(tmp_path)
    line = f"{'0' * 40} {tip} refs/heads/other\n"
    proc = run_taskgate("hook", "pre-receive", cwd=server.path, input=line, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "nothing to check" in proc.stderr
    starts = log.read_text().split()
    # The repository; the server's HEAD is asked of the cat-file process that reads commits.
    assert starts.count("rev-parse") == 1, starts
    assert "for-each-ref" not in starts, starts  # HEAD's branch is history enough
    # The layout it read is the bare repository's.
    doctor = run_taskgate("doctor", cwd=server.path)
    assert "ok       repository: bare repository" in doctor.stdout, doctor.stdout
    assert f"git --git-dir {server.path} config receive.fsckObjects true" in doctor.stdout


def test_outside_a_repository_is_still_gits_error(tmp_path: Path) -> None:
    outside = tmp_path / "nowhere"
    outside.mkdir()
    proc = run_taskgate("hook", "pre-receive", cwd=outside, input="")
    assert proc.returncode == 2, proc.stderr
    assert "not a git repository" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_ci_resolves_its_range_without_a_process_per_name(tmp_path: Path) -> None:
    """Both ends of `--range` are named to the cat-file process that reads the commits."""
    server = bare(tmp_path / "server.git")
    work = clone(server.path, tmp_path / "work")
    commit(work, "chore(lead): set up the workflow", workflow_files(), verify=False)
    work.git("push", "-q", "origin", "main")
    bad = commit(work, "Tweak the page", {"web/index.html": "<p>4</p>\n"}, verify=False)
    env, log = counting_git(tmp_path)
    proc = run_taskgate("ci", "--no-gate", "--range", "origin/main..HEAD", cwd=work.path, env=env)
    assert proc.returncode == 1, proc.stderr
    assert f"{bad[:10]} Tweak the page" in proc.stderr
    assert "TG101 error  COMMIT_EDITMSG:1:" in proc.stderr
    starts = log.read_text().split()
    assert starts.count("rev-parse") == 1, starts  # opening the repository
    assert starts.count("cat-file") == 1, starts


def test_names_off_one_line_go_to_rev_parse_and_a_missing_commit_is_named(
    workflow_repo: GitRepo,
) -> None:
    head = workflow_repo.head()
    with Repo(workflow_repo.path) as repo:
        assert repo.resolve("HEAD") == head
        # Not one printable line: the cat-file protocol cannot carry it, rev-parse can.
        assert repo.resolve(" HEAD") is None
        assert repo.resolve("HEAD\n") is None
        with pytest.raises(GitError, match=f"commit {'0' * 40} is missing from the repository"):
            repo.read_commits(["0" * 40])
