"""`taskgate install` / `uninstall` end to end: real hooks, real `git commit`, real git layouts."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from taskgate.install import render_shim
from tests.conftest import GitRepo, finding_ids
from tests.support.inprocess import run_main

FOREIGN = """#!/bin/sh
# a hook the team had before taskgate
echo "foreign $(basename "$0") $*" >> "$(git rev-parse --show-toplevel)/../foreign.log"
exit 0
"""

EDITOR = """#!/bin/sh
# An editor that types the message above git's template, keeping the template and diff.
{{ printf '%s\\n' "$TG_MESSAGE"; cat "$1"; }} > "$1.tmp" && mv "$1.tmp" "$1"
cp "$1" "{seen}"
"""


def _tg(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """`taskgate ARGS` in process (the same entry point): where installing is the scene.
    The real console process installs and uninstalls in the chaining test and the bare and
    outside-a-repository cases."""
    return run_main(*args, cwd=repo.path)


def _install(repo: GitRepo, *args: str) -> None:
    proc = _tg(repo, "install", *args)
    assert proc.returncode == 0, proc.stderr


def hooks_dir(repo: GitRepo) -> Path:
    return repo.path / ".git" / "hooks"


def write_hook(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def foreign_log(repo: GitRepo) -> list[str]:
    log = repo.path.parent / "foreign.log"
    return log.read_text().splitlines() if log.exists() else []


def stage_web_change(repo: GitRepo, text: str = "<p>hello</p>\n") -> None:
    repo.write("web/index.html", text)
    repo.add("web/index.html")


def assert_rejected(proc: object, rules: list[str]) -> None:
    """A rejected commit: the rule ids, and the finding's path (the message file)."""
    from subprocess import CompletedProcess

    assert isinstance(proc, CompletedProcess)
    assert proc.returncode != 0, proc.stderr
    assert finding_ids(proc) == rules, proc.stderr
    for rule in rules:
        line = next(x for x in proc.stderr.splitlines() if x.startswith(rule))
        assert "COMMIT_EDITMSG:1:" in line, line


# --- chaining a foreign hook ----------------------------------------------------------


def test_foreign_hook_is_chained_runs_first_and_comes_back_byte_for_byte(
    workflow_repo: GitRepo,
) -> None:
    repo = workflow_repo
    _tg(repo, "uninstall")
    original = hooks_dir(repo) / "commit-msg"
    write_hook(original, FOREIGN)
    before = original.read_bytes()
    proc = repo.taskgate("install")
    assert proc.returncode == 0, proc.stderr
    assert "commit-msg.taskgate-chained" in proc.stderr
    assert (hooks_dir(repo) / "commit-msg.taskgate-chained").read_bytes() == before

    stage_web_change(repo)
    head = repo.head()
    bad = repo.commit("Added greeting")
    assert_rejected(bad, ["TG101"])
    assert repo.head() == head
    assert len(foreign_log(repo)) == 1  # the foreign hook ran, then taskgate said no
    assert foreign_log(repo)[0].startswith("foreign commit-msg.taskgate-chained .git/")

    good = repo.commit("chore(lead): add greeting")
    assert good.returncode == 0, good.stderr
    assert repo.head() != head
    assert len(foreign_log(repo)) == 2

    proc = repo.taskgate("uninstall")
    assert proc.returncode == 0, proc.stderr
    assert "restored" in proc.stderr
    assert original.read_bytes() == before
    assert os.access(original, os.X_OK)
    assert not (hooks_dir(repo) / "commit-msg.taskgate-chained").exists()
    assert not (hooks_dir(repo) / "pre-commit").exists()
    # Without taskgate, the foreign hook alone decides again.
    stage_web_change(repo, "<p>again</p>\n")
    assert repo.commit("Added greeting again").returncode == 0


def test_failing_foreign_hook_blocks_before_taskgate_runs(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    _tg(repo, "uninstall")
    write_hook(hooks_dir(repo) / "commit-msg", "#!/bin/sh\necho 'foreign says no' >&2\nexit 7\n")
    _install(repo)
    stage_web_change(repo)
    proc = repo.commit("chore(lead): a good message")
    assert proc.returncode != 0
    assert "foreign says no" in proc.stderr
    assert finding_ids(proc) == []  # taskgate never ran: the chain stopped first


def test_reinstall_keeps_one_chained_hook(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    _tg(repo, "uninstall")
    write_hook(hooks_dir(repo) / "pre-commit", FOREIGN)
    _install(repo)
    first = (hooks_dir(repo) / "pre-commit").read_bytes()
    _install(repo)
    assert (hooks_dir(repo) / "pre-commit").read_bytes() == first
    assert (hooks_dir(repo) / "pre-commit.taskgate-chained").read_text() == FOREIGN
    assert sorted(p.name for p in hooks_dir(repo).glob("*.taskgate-*")) == [
        "pre-commit.taskgate-chained"
    ]


def test_install_refuses_to_lose_a_hook(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    (hooks_dir(repo) / "commit-msg").write_text("#!/bin/sh\nexit 0\n# new foreign\n")
    (hooks_dir(repo) / "commit-msg.taskgate-chained").write_text("#!/bin/sh\n# old foreign\n")
    proc = _tg(repo, "install")
    assert proc.returncode == 2
    assert "already exists" in proc.stderr
    assert "new foreign" in (hooks_dir(repo) / "commit-msg").read_text()
    assert "old foreign" in (hooks_dir(repo) / "commit-msg.taskgate-chained").read_text()


def test_symlinked_foreign_hook_is_restored_as_the_same_link(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    _tg(repo, "uninstall")
    target = repo.path.parent / "shared-hook.sh"
    write_hook(target, FOREIGN)
    link = hooks_dir(repo) / "commit-msg"
    link.symlink_to(target)
    _install(repo)
    assert not link.is_symlink()
    stage_web_change(repo)
    assert repo.commit("chore(lead): through the link").returncode == 0
    assert len(foreign_log(repo)) == 1
    _tg(repo, "uninstall")
    assert link.is_symlink()
    assert os.readlink(link) == str(target)


def test_uninstall_restores_a_chained_hook_whose_shim_was_deleted(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    _tg(repo, "uninstall")
    write_hook(hooks_dir(repo) / "commit-msg", FOREIGN)
    _install(repo)
    (hooks_dir(repo) / "commit-msg").unlink()
    proc = _tg(repo, "uninstall")
    assert proc.returncode == 0
    assert (hooks_dir(repo) / "commit-msg").read_text() == FOREIGN


def test_stdin_hooks_give_both_hooks_the_same_lines(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    _tg(repo, "uninstall")
    seen = tmp_path / "seen-stdin"
    write_hook(hooks_dir(repo) / "pre-push", f'#!/bin/sh\ncat > "{seen}"\n')
    _install(repo)
    remote = tmp_path / "remote.git"
    repo.git("init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    proc = repo.git("push", "-q", "origin", "main", check=False)
    assert proc.returncode == 0, proc.stderr
    head = repo.head()
    assert seen.read_text() == f"refs/heads/main {head} refs/heads/main {'0' * 40}\n"


# --- where the hooks live ----------------------------------------------------------------


def test_core_hooks_path_is_honoured(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    _tg(repo, "uninstall")
    repo.git("config", "core.hooksPath", "team-hooks")
    proc = _tg(repo, "install")
    assert proc.returncode == 0, proc.stderr
    assert (repo.path / "team-hooks" / "commit-msg").is_file()
    assert not (hooks_dir(repo) / "commit-msg").exists()
    stage_web_change(repo)
    assert_rejected(repo.commit("Greeting for the web"), ["TG101"])
    assert repo.commit("chore(lead): greeting").returncode == 0
    _tg(repo, "uninstall")
    assert not (repo.path / "team-hooks" / "commit-msg").exists()


def test_linked_worktree(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    worktree = tmp_path / "feature-tree"
    repo.git("worktree", "add", "-q", "-b", "feature", str(worktree))
    wt = GitRepo(worktree)
    # Installed from the linked worktree, the shims land where git looks: the common hooks.
    _tg(wt, "uninstall")
    proc = _tg(wt, "install")
    assert proc.returncode == 0, proc.stderr
    assert str(hooks_dir(repo) / "commit-msg") in proc.stderr
    stage_web_change(wt)
    head = wt.head()
    assert_rejected(wt.commit("Greeting"), ["TG101"])
    assert_rejected(wt.commit("feat(webb): greeting"), ["TG104"])
    good = wt.commit("chore(lead): greeting")
    assert good.returncode == 0, good.stderr
    assert wt.head() != head
    assert repo.git("rev-parse", "feature").stdout.strip() == wt.head()


def test_first_commit_of_a_new_repository(repo: GitRepo) -> None:
    _install(repo)
    repo.write("README.md", "# new\n")
    repo.add()
    assert_rejected(repo.commit("initial commit"), ["TG101"])
    assert_rejected(repo.commit("docs: start"), ["TG103"])
    good = repo.commit("docs(readme): start")
    assert good.returncode == 0, good.stderr
    assert repo.git("log", "--format=%s").stdout == "docs(readme): start\n"


def test_bare_repository_gets_pre_receive(tmp_path: Path) -> None:
    bare = GitRepo(tmp_path / "server.git")
    bare.path.mkdir()
    bare.git("init", "-q", "--bare")
    proc = bare.taskgate("install")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (bare.path / "hooks").iterdir() if "sample" not in p.name) == [
        "pre-receive"
    ]


def test_hook_type_option(repo: GitRepo) -> None:
    proc = _tg(repo, "install", "--hook-type", "commit-msg")
    assert proc.returncode == 0, proc.stderr
    installed = sorted(p.name for p in hooks_dir(repo).iterdir() if "sample" not in p.name)
    assert installed == ["commit-msg"]
    mode = (hooks_dir(repo) / "commit-msg").stat().st_mode
    assert mode & stat.S_IXUSR


def test_unknown_hook_type_and_no_repository(repo: GitRepo, tmp_path: Path) -> None:
    proc = _tg(repo, "install", "--hook-type", "post-commit")
    assert proc.returncode == 2
    assert "unknown hook type 'post-commit'" in proc.stderr
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    proc = GitRepo(outside).taskgate("install")
    assert proc.returncode == 2
    assert "not inside a git repository" in proc.stderr


# --- fail closed ---------------------------------------------------------------------


def test_shim_names_the_absolute_interpreter_and_fails_closed(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    shim = hooks_dir(repo) / "commit-msg"
    text = shim.read_text()
    python_line = next(line for line in text.splitlines() if line.startswith("python="))
    assert Path(python_line.split("=", 1)[1].strip("'")).is_absolute()
    # The environment taskgate lived in is gone: commits stop, with a message that says why.
    shim.write_text(text.replace(python_line, "python=/nonexistent/venv/bin/python"))
    stage_web_change(repo)
    head = repo.head()
    proc = repo.commit("chore(lead): a good message")
    assert proc.returncode != 0
    assert "/nonexistent/venv/bin/python is missing" in proc.stderr
    assert repo.head() == head


def test_repository_folder_named_taskgate_cannot_stand_in(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    # A package called taskgate at the top of the repository must not be what the hook runs.
    repo.write("taskgate/__init__.py", "")
    repo.write("taskgate/__main__.py", "raise SystemExit(0)\n")
    stage_web_change(repo)
    assert_rejected(repo.commit("Added greeting"), ["TG101"])


# --- the editor, `git commit -v`, merges and reverts -------------------------------------


@pytest.mark.parametrize(
    ("message", "rules"),
    [("Added greeting", ["TG101"]), ("chore(lead): add greeting", [])],
)
def test_commit_verbose_with_an_editor(
    workflow_repo: GitRepo, tmp_path: Path, message: str, rules: list[str]
) -> None:
    repo = workflow_repo
    seen = tmp_path / "seen-message"
    editor = tmp_path / "editor.sh"
    editor.write_text(EDITOR.format(seen=seen))
    editor.chmod(0o755)
    stage_web_change(repo)
    head = repo.head()
    proc = repo.git(
        "commit", "-v", check=False, env={"GIT_EDITOR": str(editor), "TG_MESSAGE": message}
    )
    # What the hook saw: git's help text, the scissors line and the diff below it.
    text = seen.read_text()
    assert "# ------------------------ >8 ------------------------" in text
    assert "+<p>hello</p>" in text
    if rules:
        assert_rejected(proc, rules)
        assert repo.head() == head
    else:
        assert proc.returncode == 0, proc.stderr
        assert repo.git("log", "-1", "--format=%B").stdout.rstrip("\n") == message


def test_merge_is_exempt_by_git_state_but_a_merge_lookalike_is_not(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    repo.git("checkout", "-q", "-b", "side")
    stage_web_change(repo, "<p>side</p>\n")
    assert repo.commit("chore(lead): side change").returncode == 0
    repo.git("checkout", "-q", "main")
    repo.write("shared/plan.md", repo.path.joinpath("shared/plan.md").read_text() + "\nMore.\n")
    repo.add("shared/plan.md")
    assert repo.commit("docs(lead): more plan").returncode == 0
    merge = repo.git("merge", "--no-ff", "side", check=False)
    assert merge.returncode == 0, merge.stderr
    assert repo.git("log", "-1", "--format=%s").stdout.startswith("Merge branch 'side'")
    repo.write("web/index.html", "<p>after</p>\n")
    repo.add("web/index.html")
    assert_rejected(repo.commit("Merge branch 'side' by hand"), ["TG101"])


def test_git_revert_message_is_exempt(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    stage_web_change(repo)
    assert repo.commit("chore(lead): greeting").returncode == 0
    repo.git("revert", "--no-commit", "HEAD")
    # git commit takes git's prepared 'Revert "…"' message; the hooks run on it.
    proc = repo.git("commit", "--no-edit", check=False)
    assert proc.returncode == 0, proc.stderr
    assert repo.git("log", "-1", "--format=%s").stdout == 'Revert "chore(lead): greeting"\n'
    stage_web_change(repo, "<p>x</p>\n")
    assert_rejected(repo.commit('Revert "chore(lead): greeting"'), ["TG101"])


def test_fixup_commit_is_allowed_locally_but_still_in_its_lane(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    stage_web_change(repo)
    proc = repo.commit("fixup! feat(python): add users")
    assert proc.returncode == 1
    ids = finding_ids(proc)
    assert "TG201" in ids
    line = next(x for x in proc.stderr.splitlines() if x.startswith("TG201"))
    assert "web/index.html" in line
    assert not any(i.startswith("TG1") for i in ids)  # the message itself is fine locally
    ok = repo.commit("fixup! chore(lead): set up the workflow")
    assert ok.returncode == 0, ok.stderr


# --- what a shim starts ----------------------------------------------------------------


@pytest.mark.parametrize("hook", ["commit-msg", "pre-push"])
def test_shim_finds_its_chained_hook_without_starting_a_helper(tmp_path: Path, hook: str) -> None:
    """The shim runs the chained hook, then taskgate, with only `cat` on PATH (the stdin
    hooks keep git's ref lines with it): the hooks folder comes from "$0" by the shell
    itself (no dirname process per hook)."""
    only_cat = tmp_path / "bin"
    only_cat.mkdir()
    cat = shutil.which("cat")
    assert cat is not None
    (only_cat / "cat").symlink_to(cat)
    log = tmp_path / "ran.log"
    hooks = tmp_path / "hooks"
    fake_python = tmp_path / "python"
    write_hook(fake_python, f'#!/bin/sh\nread -r line; echo "taskgate $* [$line]" >> {log}\n')
    write_hook(hooks / hook, render_shim(hook, str(fake_python)))
    write_hook(hooks / f"{hook}.taskgate-chained", f'#!/bin/sh\necho "chained $*" >> {log}\n')
    ways = {"relative": ("hooks/" + hook, tmp_path), "absolute": (str(hooks / hook), tmp_path)}
    for how, (path, cwd) in ways.items():
        log.write_text("")
        proc = subprocess.run(
            ["/bin/sh", path, "ARG"], cwd=cwd, env={"PATH": str(only_cat)},
            input="main abc refs/heads/main def\n", capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, (how, proc.stderr)
        lines = log.read_text().splitlines()
        assert lines[0] == "chained ARG", (how, lines)
        assert lines[1].startswith(f"taskgate -P -m taskgate hook {hook} ARG"), (how, lines)
        if hook == "pre-push":  # the ref line reached taskgate
            assert lines[1].endswith("[main abc refs/heads/main def]"), (how, lines)
