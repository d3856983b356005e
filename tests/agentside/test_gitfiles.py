"""The guard's reading of git's own files agrees with git, or leaves the question to git.

`gitfiles.discover` must give rev-parse's answer or None; `gitfiles.config_value` must give
`git config taskgate.agent`'s answer or say it does not know. Real repositories, real git.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from taskgate.agentside.gitfiles import config_value, discover
from tests.conftest import GitRepo


def rev_parse(cwd: Path) -> tuple[str, str, str]:
    out = subprocess.run(
        ["git", "rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"],
        cwd=cwd, capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    common = out[2] if os.path.isabs(out[2]) else os.path.join(cwd, out[2])
    return out[0], os.path.realpath(out[1]), os.path.realpath(common)


def committed(repo: GitRepo) -> GitRepo:
    repo.write("src/app/x.py", "X = 1\n")
    repo.add()
    repo.commit("chore(lead): start", "--no-verify", check=True)
    return repo


def test_top_level_and_subfolder_agree_with_rev_parse(repo: GitRepo) -> None:
    committed(repo)
    for where in (repo.path, repo.path / "src" / "app"):
        assert discover(str(where)) == rev_parse(where)


def test_linked_worktree_agrees_with_rev_parse(repo: GitRepo, tmp_path: Path) -> None:
    committed(repo)
    tree = tmp_path / "agent-tree"
    repo.git("worktree", "add", "-q", "-b", "agent", str(tree))
    found = discover(str(tree / "src"))
    assert found == rev_parse(tree / "src")
    assert found is not None
    assert found[2] == os.path.realpath(repo.path / ".git")


def test_a_symlinked_start_is_resolved_as_git_resolves_it(repo: GitRepo, tmp_path: Path) -> None:
    committed(repo)
    link = tmp_path / "link"
    link.symlink_to(repo.path)
    assert discover(str(link)) == rev_parse(link)


@pytest.mark.parametrize("variable", ["GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES"])
def test_an_environment_that_moves_discovery_asks_git(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    committed(repo)
    monkeypatch.setenv(variable, str(repo.path / ".git"))
    assert discover(str(repo.path)) is None


@pytest.mark.parametrize(
    "setting", [("core.worktree", "/elsewhere"), ("core.bare", "true"), ("include.path", "x")]
)
def test_a_config_that_moves_the_tree_asks_git(repo: GitRepo, setting: tuple[str, str]) -> None:
    committed(repo)
    repo.git("config", *setting)
    assert discover(str(repo.path)) is None


def test_no_repository_inside_git_dir_or_bare_asks_git(repo: GitRepo, tmp_path: Path) -> None:
    committed(repo)
    assert discover(str(repo.path / ".git" / "hooks")) is None
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    assert discover(str(bare)) is None
    assert discover(str(tmp_path / "missing")) is None


def git_config_agent(cwd: Path) -> str | None:
    proc = subprocess.run(
        ["git", "config", "taskgate.agent"], cwd=cwd, capture_output=True, text=True, check=False
    )
    return proc.stdout.rstrip("\n") if proc.returncode == 0 else None


def read_agent(cwd: Path) -> tuple[bool, str | None]:
    found = discover(str(cwd))
    assert found is not None
    return config_value(found[1], found[2], "taskgate", "agent")


@pytest.mark.parametrize(
    ("text", "known"),
    [
        ("[taskgate]\n\tagent = python-coder\n", True),
        ("[TaskGate]\n  AGENT=frontend-coder  \n", True),
        ("[taskgate]\n\tagent = a\n[core]\n\tx = 1\n[taskgate]\n\tagent = b\n", True),
        ('[remote "origin"]\n\turl = "x;y"\n[taskgate]\n\tagent = python-coder\n', True),
        ("[taskgate]\n\tagent =\n", True),
        ("[taskgate]\n\tagent = python-coder ; who I am\n", False),
        ('[taskgate]\n\tagent = "python-coder"\n', False),
        ("[taskgate]\n\tagent = python-\\\ncoder\n", False),
        ("[taskgate]\n\tagent\n", False),
        ('[taskgate "x"]\n\tagent = python-coder\n', False),
        ("[taskgate.x]\n\tagent = python-coder\n", False),
        ("[core]\n\tbare = false\n", False),
    ],
)
def test_config_value_agrees_with_git_config(repo: GitRepo, text: str, known: bool) -> None:
    committed(repo)
    config = repo.path / ".git" / "config"
    config.write_text(config.read_text() + text)
    got_known, value = read_agent(repo.path)
    assert got_known is known
    if got_known:
        assert value == (git_config_agent(repo.path) or "")


def test_worktree_config_outranks_the_repository_config(repo: GitRepo, tmp_path: Path) -> None:
    committed(repo)
    tree = tmp_path / "web-agent"
    repo.git("worktree", "add", "-q", "-b", "web", str(tree))
    repo.git("config", "taskgate.agent", "python-coder")
    assert read_agent(tree) == (True, "python-coder")
    repo.git("config", "extensions.worktreeConfig", "true")
    repo.git("config", "--worktree", "taskgate.agent", "frontend-coder", cwd=tree)
    assert read_agent(tree) == (True, "frontend-coder") == (True, git_config_agent(tree))
    assert read_agent(repo.path) == (True, "python-coder") == (True, git_config_agent(repo.path))


def test_config_from_elsewhere_is_left_to_git(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed(repo)
    # Not in the repository's files: the global file may have it; git answers.
    assert read_agent(repo.path) == (False, None)
    repo.git("config", "taskgate.agent", "python-coder")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "taskgate.agent")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "frontend-coder")
    assert read_agent(repo.path) == (False, None)
