"""Every command leaves the working tree, the index, the status and the refs byte-identical,
and leaves no temporary folder behind: on success, on findings, and on usage errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.safety.support import (
    assert_same,
    capture,
    gate_policy,
    git_dir,
    recorded,
    recorder,
    settle,
    snapshot_base,
    use_policy,
)

Setup = Callable[[GitRepo, Path], None]


def _nothing(repo: GitRepo, tmp: Path) -> None:
    return None


def _message_file(name: str, text: str) -> Setup:
    def setup(repo: GitRepo, tmp: Path) -> None:
        (tmp / name).write_text(text)

    return setup


def _merge_in_progress(repo: GitRepo, tmp: Path) -> None:
    """A merge stopped before its commit: MERGE_HEAD exists, the index holds the result."""
    staged = repo.git("diff", "--cached", "--binary").stdout
    repo.git("reset", "-q")
    repo.git("stash", "-q", "-u")
    repo.git("checkout", "-q", "feature")
    repo.write("web/feature.html", "feature\n")
    repo.add("web/feature.html")
    repo.commit_no_hooks("chore(lead): feature")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
    assert staged  # the busy repository had staged work; the merge replaces it here


def _junk_staged(repo: GitRepo, tmp: Path) -> None:
    repo.write("web/node_modules/left-pad/index.js", "module.exports = 1\n")
    repo.add("web/node_modules/left-pad/index.js")


def _bad_board_staged(repo: GitRepo, tmp: Path) -> None:
    repo.write("shared/task_list.json", "{not json\n")
    repo.add("shared/task_list.json")


def _pushed_lines(repo: GitRepo) -> str:
    head = repo.head()
    return f"refs/heads/main {head} refs/heads/main {'0' * 40}\n"


# (id, setup, argv, expected exit status); "MSG" in argv is replaced by tmp/msg.
CASES: list[tuple[str, Setup, tuple[str, ...], int]] = [
    ("pre-commit-ok", _nothing, ("hook", "pre-commit"), 0),
    ("pre-commit-junk", _junk_staged, ("hook", "pre-commit"), 1),
    ("pre-commit-bad-board", _bad_board_staged, ("hook", "pre-commit"), 1),
    ("commit-msg-ok", _message_file("msg", "chore(lead): ok\n"), ("hook", "commit-msg", "MSG"), 0),
    ("commit-msg-bad", _message_file("msg", "Did things\n"), ("hook", "commit-msg", "MSG"), 1),
    ("commit-msg-missing-file", _nothing, ("hook", "commit-msg", "MSG"), 2),
    ("pre-merge-commit", _merge_in_progress, ("hook", "pre-merge-commit"), 0),
    ("pre-push", _nothing, ("hook", "pre-push", "origin", "url"), 0),
    ("pre-push-garbage-stdin", _nothing, ("hook", "pre-push", "origin", "url"), 2),
    ("check-ok", _nothing, ("check", "-m", "chore(lead): fine"), 0),
    ("check-bad-message", _nothing, ("check", "-m", "Did things"), 1),
    ("check-no-message", _nothing, ("check",), 0),
    ("check-junk", _junk_staged, ("check", "-m", "chore(lead): junk"), 1),
    ("ci-range", _nothing, ("ci", "--range", "HEAD~1..HEAD", "--no-gate"), 0),
    ("ci-bad-range", _nothing, ("ci", "--range", "nope..HEAD"), 2),
    ("board", _nothing, ("board",), 0),
    ("board-json", _nothing, ("board", "--format", "json"), 0),
    ("rules", _nothing, ("rules",), 0),
    ("explain", _nothing, ("explain", "TG201"), 0),
    ("explain-unknown", _nothing, ("explain", "TG999"), 2),
    ("usage-error", _nothing, ("check", "--bogus"), 2),
]  # fmt: skip


@pytest.mark.parametrize(
    ("setup", "argv", "expected"), [pytest.param(s, a, e, id=i) for i, s, a, e in CASES]
)
def test_command_changes_nothing(
    busy_repo: GitRepo,
    tmp_path: Path,
    tmpdir_env: dict[str, str],
    setup: Setup,
    argv: tuple[str, ...],
    expected: int,
    request: pytest.FixtureRequest,
) -> None:
    setup(busy_repo, tmp_path)
    settle(busy_repo)
    args = [str(tmp_path / "msg") if a == "MSG" else a for a in argv]
    stdin = _pushed_lines(busy_repo) if argv[:2] == ("hook", "pre-push") else ""
    if request.node.callspec.id == "pre-push-garbage-stdin":
        stdin = "garbage\n"
    before = capture(busy_repo)
    proc = busy_repo.taskgate(*args, input=stdin, env=tmpdir_env)
    after = capture(busy_repo)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == expected, proc.stdout + proc.stderr
    assert_same(before, after)
    # TMPDIR is set, so nothing may appear in /dev/shm either: the snapshot goes to TMPDIR
    # (exact /dev/shm evidence: test_gate_without_tmpdir_uses_dev_shm_and_cleans_up; other
    # processes on this machine may create /dev/shm/taskgate-* entries at any time).
    assert list(Path(tmpdir_env["TMPDIR"]).iterdir()) == []
    # Never a lock left for git to trip over.
    assert not (git_dir(busy_repo) / "index.lock").exists()


@pytest.mark.parametrize("outcome", ["pass", "fail", "timeout"])
@pytest.mark.parametrize("entry", ["pre-commit", "check"])
def test_gate_run_changes_nothing_and_cleans_up(
    busy_repo: GitRepo, tmp_path: Path, tmpdir_env: dict[str, str], outcome: str, entry: str
) -> None:
    marker = tmp_path / "ran.txt"
    command = {
        "pass": recorder(marker),
        "fail": recorder(marker, exit_code=3),
        "timeout": recorder(marker, sleep=30),
    }[outcome]
    staged = busy_repo.git("diff", "--cached", "--binary").stdout
    busy_repo.git("reset", "-q")
    use_policy(busy_repo, gate_policy(command, timeout=1 if outcome == "timeout" else None))
    busy_repo.git("apply", "--cached", input=staged.encode())
    settle(busy_repo)
    before = capture(busy_repo)
    argv = ("hook", "pre-commit") if entry == "pre-commit" else ("check", "-m", "chore(lead): x")
    proc = busy_repo.taskgate(*argv, env=tmpdir_env)
    after = capture(busy_repo)
    assert "Traceback" not in proc.stderr
    expected_rule = {"pass": None, "fail": "TG401", "timeout": "TG403"}[outcome]
    assert proc.returncode == (0 if expected_rule is None else 1), proc.stderr
    if expected_rule is not None:
        assert f"{expected_rule} error  web:" in proc.stderr
    assert_same(before, after)
    runs = recorded(marker)
    assert len(runs) == 1
    cwd, _pid = runs[0]
    # The command ran in a snapshot under our TMPDIR, and the snapshot is gone.
    assert cwd.is_relative_to(tmpdir_env["TMPDIR"])
    assert cwd.name == "web"
    assert not snapshot_base(cwd).exists()
    assert list(Path(tmpdir_env["TMPDIR"]).iterdir()) == []


def test_gate_without_tmpdir_uses_dev_shm_and_cleans_up(busy_repo: GitRepo, tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    staged = busy_repo.git("diff", "--cached", "--binary").stdout
    busy_repo.git("reset", "-q")
    use_policy(busy_repo, gate_policy(recorder(marker)))
    busy_repo.git("apply", "--cached", input=staged.encode())
    settle(busy_repo)
    before = capture(busy_repo)
    proc = busy_repo.taskgate("hook", "pre-commit", env={"TMPDIR": ""})
    assert proc.returncode == 0, proc.stderr
    assert_same(before, capture(busy_repo))
    ((cwd, _pid),) = recorded(marker)
    base = snapshot_base(cwd)
    if Path("/dev/shm").is_dir():
        assert base.parent == Path("/dev/shm")
    assert not base.exists()


@pytest.mark.parametrize("hook_types", [(), ("pre-receive",), ("pre-commit", "commit-msg")])
def test_install_and_uninstall_touch_only_the_hooks_folder(
    busy_repo: GitRepo, tmpdir_env: dict[str, str], hook_types: tuple[str, ...]
) -> None:
    hooks = git_dir(busy_repo) / "hooks"
    foreign = hooks / "pre-commit"
    busy_repo.taskgate("uninstall")
    foreign.write_text("#!/bin/sh\necho foreign\n")
    foreign.chmod(0o755)
    settle(busy_repo)
    before = capture(busy_repo, skip_hooks=True)
    args = [a for t in hook_types for a in ("--hook-type", t)]
    proc = busy_repo.taskgate("install", *args, env=tmpdir_env)
    assert proc.returncode == 0, proc.stderr
    assert_same(before, capture(busy_repo, skip_hooks=True))
    proc = busy_repo.taskgate("uninstall", env=tmpdir_env)
    assert proc.returncode == 0, proc.stderr
    assert_same(before, capture(busy_repo, skip_hooks=True))
    # The foreign hook is back, byte for byte; nothing of ours is left.
    assert foreign.read_text() == "#!/bin/sh\necho foreign\n"
    assert sorted(p.name for p in hooks.iterdir() if "taskgate" in p.name) == []
    assert list(Path(tmpdir_env["TMPDIR"]).iterdir()) == []


def test_init_only_creates_missing_files(busy_repo: GitRepo, tmpdir_env: dict[str, str]) -> None:
    (busy_repo.path / "shared" / "plan.md").unlink()
    (busy_repo.path / "taskgate.toml").write_text("# mine, not yours\n")
    settle(busy_repo)
    before = capture(busy_repo)
    proc = busy_repo.taskgate("init", "--pre-commit", env=tmpdir_env)
    assert proc.returncode == 0, proc.stderr
    after = capture(busy_repo)
    created = set(after.worktree) - set(before.worktree)
    assert created == {"shared/plan.md", ".pre-commit-config.yaml"}
    for rel, content in before.worktree.items():
        assert after.worktree[rel] == content, rel
    assert (after.index, after.ls_files, after.refs, after.head) == (
        before.index, before.ls_files, before.refs, before.head,
    )  # fmt: skip
    assert after.git_files == before.git_files
    assert list(Path(tmpdir_env["TMPDIR"]).iterdir()) == []
