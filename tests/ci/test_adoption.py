"""Adoption on existing history: `[history] baseline`, set by `taskgate init` (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ci.support import bare, pushed_findings
from tests.conftest import GitRepo


def _old_history(repo: GitRepo, count: int) -> None:
    """`count` commits from before taskgate, each adding notes/<i>.txt, on main, checked
    out: written by one `git fast-import` (the history is the scene, not its making)."""
    stream = ["reset refs/heads/main"]
    for i in range(count):
        data = f"note {i}\n".encode()
        message = (f"Update notes ({i})" if i else "Initial commit").encode()
        stream += [
            "commit refs/heads/main",
            f"committer Test <test@example.invalid> {1_700_000_000 + i} +0000",
            f"data {len(message)}",
            message.decode(),
            f"M 100644 inline notes/{i}.txt",
            f"data {len(data)}",
            data.decode(),
        ]
    repo.git("fast-import", "--quiet", input=("\n".join(stream) + "\n").encode())
    repo.git("reset", "-q", "--hard", "main")


@pytest.mark.slow  # fifty commits of history
def test_fifty_old_commits_push_without_rewrite_and_a_new_bad_one_is_refused(
    repo: GitRepo, tmp_path: Path
) -> None:
    _old_history(repo, 50)
    old_head = repo.head()
    init = repo.taskgate("init")
    assert init.returncode == 0, init.stderr
    assert f"commits up to {old_head[:12]}" in init.stderr
    assert f'baseline = "{old_head}"' in (repo.path / "taskgate.toml").read_text()
    assert not (repo.path / ".pre-commit-config.yaml").exists()
    repo.write("taskgate.toml", (repo.path / "taskgate.toml").read_text()
               + "\n# adopted\n")  # fmt: skip
    repo.install()
    repo.add()
    adopted = repo.commit("chore(lead): adopt taskgate")
    assert adopted.returncode == 0, adopted.stderr

    server = bare(tmp_path / "server.git")
    server.install()  # pre-receive in a bare repository
    repo.git("remote", "add", "origin", str(server.path))
    pushed = repo.git("push", "-q", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr
    assert server.git("rev-parse", "main").stdout.strip() == repo.head()

    # Everything before the baseline stays out of `ci` too; the adoption commit is judged.
    whole = repo.taskgate("ci", "--range", "HEAD", "--no-gate", "--format", "json")
    assert whole.returncode == 0, whole.stdout + whole.stderr
    assert json.loads(whole.stdout)["notes"][0].startswith("checked 1 commit")

    # A new bad commit on top is still refused by the server.
    repo.git("commit", "-q", "--allow-empty", "--no-verify", "-m", "quick fix")
    refused = repo.git("push", "--no-verify", "origin", "main", check=False)
    assert refused.returncode != 0
    assert ("TG101", "COMMIT_EDITMSG") in pushed_findings(refused.stderr)
    assert server.git("rev-parse", "main").stdout.strip() != repo.head()
    # And by the local pre-push hook.
    local = repo.git("push", "origin", "main", check=False)
    assert local.returncode != 0
    assert "TG101" in local.stderr


def test_without_baseline_old_history_is_judged(repo: GitRepo, tmp_path: Path) -> None:
    _old_history(repo, 3)
    server = bare(tmp_path / "server.git")
    server.install()
    repo.write("taskgate.toml", "[commit]\nrequire_scope = true\n")
    repo.add()
    repo.commit("chore(lead): adopt taskgate", check=True)
    repo.git("remote", "add", "origin", str(server.path))
    refused = repo.git("push", "origin", "main", check=False)
    assert refused.returncode != 0
    assert ("TG101", "COMMIT_EDITMSG") in pushed_findings(refused.stderr)


def test_a_pushed_policy_cannot_move_the_servers_baseline(repo: GitRepo, tmp_path: Path) -> None:
    _old_history(repo, 2)
    repo.taskgate("init")
    repo.add()
    repo.commit("chore(lead): adopt taskgate", check=True)
    server = bare(tmp_path / "server.git")
    server.install()
    repo.git("remote", "add", "origin", str(server.path))
    assert repo.git("push", "-q", "origin", "main", check=False).returncode == 0
    # A bad commit, then a policy that names it as the baseline, in one push.
    repo.git("commit", "-q", "--allow-empty", "--no-verify", "-m", "sneaky")
    sneaky = repo.head()
    text = (repo.path / "taskgate.toml").read_text()
    start = text.index('baseline = "') + len('baseline = "')
    repo.write("taskgate.toml", text[:start] + sneaky + text[start + len(sneaky) :])
    repo.add()
    repo.git("commit", "-q", "--no-verify", "-m", "chore(lead): move the baseline")
    refused = repo.git("push", "--no-verify", "origin", "main", check=False)
    assert refused.returncode != 0
    assert ("TG101", "COMMIT_EDITMSG") in pushed_findings(refused.stderr)


def test_baseline_must_be_a_full_commit_id(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    r.write("taskgate.toml", '[gate]\nenabled = false\n[history]\nbaseline = "abc123"\n')
    r.add()
    proc = r.commit("chore(lead): baseline")
    assert proc.returncode != 0
    assert "TG311 error  taskgate.toml:" in proc.stderr
    assert "history.baseline must be a full commit id" in proc.stderr
