"""Hostile environments: no git on PATH, no repository, odd repository paths, odd hooks folders."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import (
    BOARD,
    PLAN,
    POLICY_NO_GATE,
    STRUCTURE,
    GitRepo,
    finding_ids,
    run_taskgate,
)
from tests.hostile.support import assert_clean, usage_error
from tests.support.inprocess import run_main

NEEDS_GIT = [
    ("check",),
    ("check", "-m", "chore(lead): x"),
    ("hook", "pre-commit"),
    ("hook", "pre-merge-commit"),
    ("hook", "commit-msg", "MSGFILE"),
    ("hook", "pre-push", "origin", "url"),
    ("hook", "pre-receive"),
    ("ci",),
    ("board",),
    ("install",),
    ("uninstall",),
    ("init",),
]


@pytest.fixture
def no_git_path(tmp_path: Path) -> str:
    """A PATH with a shell but no git (the hook shims need sh, taskgate needs git)."""
    bin_dir = tmp_path / "bin-without-git"
    bin_dir.mkdir()
    for tool in ("sh", "cat", "env"):
        for where in ("/bin", "/usr/bin"):
            if (Path(where) / tool).exists():
                (bin_dir / tool).symlink_to(Path(where) / tool)
                break
    return str(bin_dir)


# The case of each table run as a real `python -m taskgate` process (the way a hook shim
# starts it); the others call `cli.main` in this process, with the same environment.
PROCESS_CASE = ("hook", "commit-msg", "MSGFILE")


def run(
    args: list[str], *, cwd: Path, env: dict[str, str], process: bool
) -> subprocess.CompletedProcess[str]:
    if process:
        return run_taskgate(*args, cwd=cwd, env=env, input="")
    return run_main(*args, cwd=cwd, env=dict(env))


@pytest.mark.parametrize("args", NEEDS_GIT, ids=["-".join(a) for a in NEEDS_GIT])
def test_missing_git_is_exit_2_saying_install_git(
    workflow_repo: GitRepo, no_git_path: str, args: tuple[str, ...]
) -> None:
    msg = workflow_repo.path.parent / "msg"
    msg.write_text("chore(lead): x\n")
    argv = [str(msg) if a == "MSGFILE" else a for a in args]
    proc = run(argv, cwd=workflow_repo.path, env={"PATH": no_git_path},
               process=args == PROCESS_CASE)  # fmt: skip
    line = usage_error(proc, "git is not installed or not on PATH")
    assert "not inside a git repository" not in line


@pytest.mark.parametrize("args", [("rules",), ("explain", "TG201")])
def test_commands_that_need_no_git_work_without_it(
    tmp_path: Path, no_git_path: str, args: tuple[str, ...]
) -> None:
    proc = run_taskgate(*args, cwd=tmp_path, env={"PATH": no_git_path})
    assert_clean(proc, 0)
    assert "TG201" in proc.stdout


@pytest.mark.parametrize("args", NEEDS_GIT, ids=["-".join(a) for a in NEEDS_GIT])
def test_outside_a_repository_is_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    empty = tmp_path / "not a repo"
    empty.mkdir()
    argv = [str(empty / "msg") if a == "MSGFILE" else a for a in args]
    proc = run(argv, cwd=empty, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)},
               process=args == PROCESS_CASE)  # fmt: skip
    usage_error(proc, "not inside a git repository")


@pytest.mark.parametrize("target", ["missing", "file"])
def test_repo_option_pointing_nowhere(workflow_repo: GitRepo, target: str) -> None:
    path = workflow_repo.path.parent / "elsewhere"
    if target == "file":
        path.write_text("x")
    proc = workflow_repo.taskgate("check", "--repo", str(path))
    usage_error(proc, str(path))


@pytest.mark.parametrize("name", ["my repo", 'it\'s "quoted"', "ünï cödé", "-dash $HOME `x`"])
def test_repository_in_an_odd_path_commits_through_the_hooks(tmp_path: Path, name: str) -> None:
    root = tmp_path / name / "sub dir"
    root.mkdir(parents=True)
    repo = GitRepo(root)
    repo.git("init", "-q", "-b", "main")
    repo.write_json("shared/project_structure.json", STRUCTURE)
    repo.write_json("shared/task_list.json", BOARD)
    repo.write("shared/plan.md", PLAN)
    repo.write("taskgate.toml", POLICY_NO_GATE)
    repo.write("web/index.html", "<p>hi</p>\n")
    repo.add()
    repo.commit_no_hooks("chore(lead): set up")
    repo.install()
    repo.write("web/index.html", "<p>changed</p>\n")
    repo.add()
    bad = repo.commit("Changed the page")
    assert bad.returncode == 1, bad.stderr
    assert finding_ids(bad) == ["TG101"]
    # From a subdirectory too: paths are repository-relative whatever the cwd.
    good = repo.git("commit", "-m", "chore(lead): change the page", cwd=root / "web", check=False)
    assert good.returncode == 0, good.stderr
    assert "Traceback" not in good.stderr


def test_hooks_folder_that_is_a_file(repo: GitRepo) -> None:
    hooks = repo.path / ".git" / "hooks"
    if hooks.is_dir():
        for child in hooks.iterdir():
            child.unlink()
        hooks.rmdir()
    hooks.write_text("not a folder\n")
    proc = repo.taskgate("install")
    usage_error(proc, "hooks", "directory")
    assert hooks.read_text() == "not a folder\n"


def test_hooks_folder_that_is_a_symlink_loop(repo: GitRepo) -> None:
    repo.git("config", "core.hooksPath", "loop")
    (repo.path / "loop").symlink_to("loop")
    proc = repo.taskgate("install")
    usage_error(proc, "hooks", "core.hooksPath")


@pytest.mark.parametrize("kind", ["loop", "dangling", "file-for-folder", "outside"])
def test_init_around_hostile_files(repo: GitRepo, tmp_path: Path, kind: str) -> None:
    """init never overwrites, never writes through a symlink, never tracebacks."""
    shared = repo.path / "shared"
    outside = tmp_path / "outside"
    outside.mkdir()
    if kind == "loop":
        shared.symlink_to("shared")
    elif kind == "dangling":
        shared.mkdir()
        (shared / "plan.md").symlink_to("nowhere")
    elif kind == "file-for-folder":
        shared.write_text("I am a file\n")
    else:
        shared.symlink_to(outside)
    # One case as a real process; the others through `cli.main` in this process.
    proc = repo.taskgate("init") if kind == "loop" else run_main("init", cwd=repo.path)
    out = proc.stderr
    assert "Traceback" not in out
    assert "internal error" not in out
    if kind in ("loop", "file-for-folder"):
        usage_error(proc, "shared/")
    else:
        assert_clean(proc, 0)
        assert "created  taskgate.toml" in out
    if kind == "dangling":
        assert "kept     shared/plan.md" in out
        assert os.readlink(shared / "plan.md") == "nowhere"
    if kind == "outside":
        assert list(outside.iterdir()) == []
        assert "skipped  shared/plan.md" in out
    if kind == "file-for-folder":
        assert shared.read_text() == "I am a file\n"
