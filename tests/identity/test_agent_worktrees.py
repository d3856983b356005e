"""`taskgate agent add|worktree|list` and the commit hooks in signed mode, with real keys.

The lead makes the agents' keys and worktrees; each worktree signs as its agent, and
a scope that disagrees with the key is refused before the commit exists.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from tests.ci.support import workflow_files
from tests.conftest import BOARD, GitRepo, finding_ids
from tests.identity.support import SIGNED_POLICY, SIGNERS, keygen, write
from tests.support.inprocess import run_main
from tests.support.templates import copy_scene, run, taskgate, template_env

# Slow: agents' worktrees, keys and signed commits, two agents in parallel.
pytestmark = pytest.mark.slow

BOTH_STARTED = {
    **BOARD,
    "tasks": [
        {**BOARD["tasks"][0], "status": "in_progress"},
        {**BOARD["tasks"][1], "status": "in_progress", "depends_on": []},
    ],
}


def _tg(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """`taskgate ARGS` in process (the same entry point; `agent add` below and the missing
    key test start the real console process), which must succeed."""
    proc = run_main(*args, cwd=repo.path)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def lead_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Signed mode set up by the lead, once per module: three agents' keys in `keys`
    (outside the repository `repo`), the allowed signers committed by the lead's signed
    commit through the hooks, the hooks installed."""
    root = tmp_path_factory.mktemp("lead-template")
    env = template_env(root)
    repo = GitRepo(root / "repo")
    repo.path.mkdir()
    run(["git", "init", "-q", "-b", "main"], repo.path, env)
    for path, content in {**workflow_files(), "taskgate.toml": SIGNED_POLICY,
                          "shared/task_list.json": BOTH_STARTED}.items():  # fmt: skip
        if isinstance(content, dict):
            repo.write_json(path, content)
        elif content is not None:
            repo.write(path, content)
    for name in ("lead", "python-coder", "frontend-coder"):
        taskgate(["agent", "add", name, "--key-dir", str(root / "keys")], repo.path, env)
    taskgate(["install"], repo.path, env)
    lead_key = root / "keys" / "lead"
    for key, value in (("gpg.format", "ssh"), ("user.signingkey", str(lead_key)),
                       ("commit.gpgsign", "true")):  # fmt: skip
        run(["git", "config", key, value], repo.path, env)
    run(["git", "add", "."], repo.path, env)
    run(["git", "commit", "-q", "-m", "chore(lead): set up signed mode"], repo.path, env)
    return root


@pytest.fixture
def lead_repo(lead_template: Path, tmp_path: Path) -> GitRepo:
    """A copy of `lead_template`: the repository at tmp_path/repo, the keys at
    tmp_path/keys (the recorded key paths point there)."""
    copy_scene(lead_template, tmp_path, ("repo", "keys"))
    return GitRepo(tmp_path / "repo")


def test_agent_add_makes_a_private_key_outside_the_repo_and_lists_it(
    repo: GitRepo, tmp_path: Path
) -> None:
    write(repo, {**workflow_files(), "taskgate.toml": SIGNED_POLICY})
    proc = repo.taskgate("agent", "add", "python-coder", "--key-dir", str(tmp_path / "keys"))
    assert proc.returncode == 0, proc.stderr
    private = tmp_path / "keys" / "python-coder"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    public = private.with_name("python-coder.pub").read_text().split()
    line = (repo.path / SIGNERS).read_text()
    assert line == f"python-coder {public[0]} {public[1]} {public[2]}\n"
    assert f"git add {SIGNERS}" in proc.stdout
    assert "chore(lead)" in proc.stdout
    # Never overwrites, never inside the repository, no traceback on a bad name.
    again = repo.taskgate("agent", "add", "python-coder", "--key-dir", str(tmp_path / "keys"))
    inside = repo.taskgate("agent", "add", "web", "--key-dir", str(repo.path / "keys"))
    odd = repo.taskgate("agent", "add", "a b", "--key-dir", str(tmp_path / "keys"))
    assert [p.returncode for p in (again, inside, odd)] == [2, 2, 2]
    assert "already exists" in again.stderr
    assert "inside the repository" in inside.stderr
    assert "Traceback" not in again.stderr + inside.stderr + odd.stderr
    assert (repo.path / SIGNERS).read_text() == line
    assert not (repo.path / "keys").exists()


def test_a_worktree_signs_as_its_agent_and_refuses_a_disagreeing_scope(
    lead_repo: GitRepo, tmp_path: Path
) -> None:
    repo = lead_repo
    lead_sig = repo.git("-c", f"gpg.ssh.allowedSignersFile={repo.path / SIGNERS}", "log", "-1",
                        "--show-signature").stdout  # fmt: skip
    assert 'Good "git" signature for lead' in lead_sig
    wt_path = tmp_path / "wt-python"
    _tg(repo, "agent", "worktree", "python-coder", str(wt_path), "-b", "python-work")
    wt = GitRepo(wt_path)
    config = wt.git("config", "--worktree", "--list").stdout
    signers_file = f"gpg.ssh.allowedsignersfile={wt_path / SIGNERS}"
    for expected in ("taskgate.agent=python-coder", "gpg.format=ssh", "commit.gpgsign=true",
                     f"user.signingkey={tmp_path / 'keys' / 'python-coder'}", signers_file,
                     "user.name=python-coder"):  # fmt: skip
        assert expected in config
    wt.write("services/api/app/users.py", "USERS: list[str] = []\n")
    wt.add()
    proc = wt.commit("feat(python): add users")
    assert proc.returncode == 0, proc.stderr
    shown = wt.git("log", "-1", "--show-signature").stdout
    assert 'Good "git" signature for python-coder' in shown

    head = wt.head()
    # Another module's file under its scope, the policy under the lead's: the key names the
    # actor, so the refusal names the lane and the scope that disagrees with the key.
    cases = (
        ("feat(web): show users", "web/index.html", "<p>users</p>\n", "TG201"),
        ("chore(lead): relax the policy", "taskgate.toml", "[gate]\nenabled = false\n", "TG204"),
        ("feat(web): more users", "services/api/app/users.py", "USERS = ['x']\n", None),
        ("chore(lead): more users", "services/api/app/users.py", "USERS = ['y']\n", None),
    )
    for message, path, content, lane in cases:
        wt.write(path, content)
        wt.add()
        refused = wt.commit(message)
        assert refused.returncode != 0
        found = set(finding_ids(refused))
        assert found - {"TG203"} == {"TG706", lane} - {None}
        assert "COMMIT_EDITMSG:1: the scope" in refused.stderr
        if lane is not None:
            assert f"{path}: " in refused.stderr
        assert wt.head() == head
        wt.git("reset", "-q", "--hard")


def test_local_hooks_refuse_an_unlisted_key_and_unsigned_commits(
    lead_repo: GitRepo, tmp_path: Path
) -> None:
    repo = lead_repo
    stranger = keygen(tmp_path / "stranger")
    repo.write("README.md", "hi\n")
    repo.add()
    head = repo.head()
    unlisted = repo.git("-c", f"user.signingkey={stranger}", "commit", "-m",
                        "docs(lead): readme", check=False)  # fmt: skip
    assert unlisted.returncode != 0
    assert finding_ids(unlisted) == ["TG703"]
    assert f"{SIGNERS}: " in unlisted.stderr
    unsigned = repo.git("-c", "commit.gpgsign=false", "commit", "-m", "docs(lead): readme",
                        check=False)  # fmt: skip
    assert unsigned.returncode != 0
    assert finding_ids(unsigned) == ["TG709"]
    assert repo.head() == head
    literal = repo.git("-c", f"user.signingkey=key::{(tmp_path / 'keys' / 'lead.pub').read_text()}",
                       "commit", "-m", "docs(lead): readme", check=False)  # fmt: skip
    assert literal.returncode != 0  # git cannot sign with a bare public key without an agent
    assert "TG70" not in literal.stderr


def test_agent_list_shows_agents_modules_keys_and_worktrees(
    lead_repo: GitRepo, tmp_path: Path
) -> None:
    repo = lead_repo
    _tg(repo, "agent", "worktree", "frontend-coder", str(tmp_path / "wt-web"))
    doc = json.loads(_tg(repo, "agent", "list", "--format", "json").stdout)
    rows = {row["agent"]: row for row in doc["agents"]}
    assert doc["mode"] == "signed"
    assert rows["python-coder"]["role"] == "module python"
    assert rows["frontend-coder"]["worktrees"] == [str(tmp_path / "wt-web")]
    assert rows["lead"]["role"] == "lead"
    assert all(len(rows[n]["keys"]) == 1 for n in ("lead", "python-coder", "frontend-coder"))
    assert rows["review"]["keys"] == []
    text = _tg(repo, "agent", "list").stdout
    assert rows["python-coder"]["keys"][0] in text
    assert str(tmp_path / "wt-web") in text


def test_two_agents_commit_in_parallel_in_their_own_worktrees(
    lead_repo: GitRepo, tmp_path: Path
) -> None:
    repo = lead_repo
    lanes = {"python-coder": ("python", "services/api/app"), "frontend-coder": ("web", "web")}
    trees = {}
    for name in lanes:
        path = tmp_path / f"wt-{name}"
        _tg(repo, "agent", "worktree", name, str(path), "-b", f"{name}-work")
        trees[name] = GitRepo(path)
    failures: list[str] = []

    def work(name: str, round_: int, barrier: threading.Barrier) -> None:
        scope, folder = lanes[name]
        wt = trees[name]
        suffix = "py" if scope == "python" else "html"
        wt.write(f"{folder}/r{round_}.{suffix}", f"# round {round_}\n")
        barrier.wait()
        add = wt.git("add", "-A", check=False)
        proc = wt.commit(f"feat({scope}): round {round_}")
        if add.returncode or proc.returncode:
            failures.append(f"{name} round {round_}: {add.stderr}{proc.stderr}")

    for round_ in range(8):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=work, args=(n, round_, barrier)) for n in lanes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures
    for name, wt in trees.items():
        _scope, folder = lanes[name]
        log = wt.git("log", "--format=%H %G? %GS", f"main..{name}-work").stdout.split("\n")
        commits = [line.split() for line in log if line]
        assert len(commits) == 8
        assert all(c[1] == "G" and c[2] == name for c in commits)
        files = wt.git("diff", "--name-only", f"main..{name}-work").stdout.split()
        assert files
        assert all(f.startswith(folder + "/") for f in files)
    assert "index.lock" not in "".join(failures)


def test_claimed_mode_worktree_config_pins_the_agent(repo: GitRepo, tmp_path: Path) -> None:
    """`taskgate.agent` from config.worktree pins the actor as TASKGATE_AGENT does."""
    write(repo, {**workflow_files(), "shared/task_list.json": BOTH_STARTED})
    repo.commit("chore(lead): set up", "--no-verify", check=True)
    repo.install()
    wt_path = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "-b", "agent", str(wt_path))
    repo.git("config", "extensions.worktreeConfig", "true")
    wt = GitRepo(wt_path)
    wt.git("config", "--worktree", "taskgate.agent", "python-coder")
    for where in (repo, wt):
        where.write("README.md", "notes\n")
        where.add()
    # Pinned, the actor is known at pre-commit: a root file is outside its module.
    pinned = wt.commit("docs(lead): notes")
    assert pinned.returncode != 0
    assert finding_ids(pinned) == ["TG201"]
    assert "README.md" in pinned.stderr
    wt.git("reset", "-q", "--hard")
    wt.write("services/api/app/notes.py", "NOTES = 1\n")
    wt.add()
    claimed = wt.commit("docs(lead): notes")
    assert finding_ids(claimed) == ["TG109"]
    # The main worktree does not see the other worktree's pin: the lead's commit lands.
    assert repo.commit("docs(lead): notes").returncode == 0
    assert os.environ.get("TASKGATE_AGENT") is None


def test_agent_worktree_without_a_key_says_what_to_run(lead_repo: GitRepo, tmp_path: Path) -> None:
    repo = lead_repo
    missing = repo.taskgate("agent", "worktree", "frontend", str(tmp_path / "wt-x"))
    assert missing.returncode == 2
    assert "taskgate agent add frontend --key-dir DIR" in missing.stderr
    not_a_key = repo.taskgate("agent", "worktree", "frontend-coder", str(tmp_path / "wt-y"),
                              "--key", str(repo.path / "taskgate.toml"))  # fmt: skip
    assert not_a_key.returncode == 2
    assert "is not an OpenSSH key file" in not_a_key.stderr
    by_dir = repo.taskgate("agent", "worktree", "frontend-coder", str(tmp_path / "wt-z"),
                           "--key-dir", str(tmp_path / "keys"))  # fmt: skip
    assert by_dir.returncode == 0, by_dir.stderr
    assert not (tmp_path / "wt-x").exists()
    assert not (tmp_path / "wt-y").exists()
    assert "Traceback" not in missing.stderr + not_a_key.stderr
