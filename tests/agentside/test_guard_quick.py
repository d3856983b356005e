"""The guard's quick path (`agentside.quick`, from the lane map) answers exactly as the full
path (the lane rules on a one-file change, `shell.analyse`, the policy's rule settings),
or leaves the call to it; a damaged or stale lane map is ignored, never trusted.

Events are Claude Code and Codex (apply_patch) PreToolUse inputs (https://docs.claude.com/en/docs/claude-code/hooks:
"cwd", "hook_event_name", "tool_name", "tool_input" with an absolute "file_path" for Write
and a "command" for Bash), Gemini BeforeTool inputs (https://geminicli.com/docs/hooks/
reference: "tool_name" write_file / run_shell_command, "tool_input") and Cursor preToolUse
inputs (https://cursor.com/docs/hooks: "workspace_roots", "tool_name", "tool_input"), as
tests/agentside/support.py writes them.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from taskgate.agentside import lanemap, quick
from taskgate.agentside.gitfiles import discover, head_commit
from taskgate.agentside.guard import run
from taskgate.agentside.leanjson import loads
from tests.agentside.support import edit_event, shell_event
from tests.conftest import GitRepo

SETTINGS_POLICY = """[gate]
enabled = false

[paths]
tasks = "team/board.json"
plan = "team/plan.md"
api = "team/api"

[rules]
warn = ["TG201"]
ignore = ["TG801"]

[identity]
allowed_signers = "team/signers"
"""
PYPROJECT_POLICY = '[project]\nname = "x"\n\n[tool.taskgate.gate]\nenabled = false\n'

PATHS = [
    "services/api/app/x.py", "web/x.ts", "README.md", "shared/task_list.json",
    "shared/plan.md", "shared/api/openapi.yaml", "taskgate.toml",
    "shared/project_structure.json", "shared/allowed_signers", ".github/workflows/ci.yml",
    "hooks/pre-commit", "services/api/.gitattributes", ".gitattributes", "pyproject.toml",
    ".pre-commit-config.yaml", ".gitlab-ci.yml", ".claude/settings.json", ".cursor/hooks.json",
    ".git/config", ".git/hooks/pre-commit", "services/api/../../web/y.ts",
    "services/api/link/a.ts", "team/board.json", "team/plan.md", "team/api/v1.yaml",
    "team/signers", "services/apix/a.py", "web",
]  # fmt: skip
# Shell commands the quick path judges (with `git rev-parse --git-path hooks` at most).
COMMANDS = [
    "echo hi > web/x.ts", "rm -rf build", "chmod -x .git/hooks/pre-commit", "rm -rf .git/hooks",
    "cp evil .git/hooks/pre-commit", "sed -i s/a/b/ .claude/settings.json", "tee .git/hooks/x",
    "mv a .cursor/hooks.json", "find .git/hooks -delete", "ln -s x .git/hooks/commit-msg",
    "git commit --no-verify -m 'feat(python): x'", "git commit -n -m x", "pytest -q",
    "pytest -q && git commit -m 'feat(python): x'", "git config core.hooksPath /dev/null",
    "git update-ref refs/heads/main HEAD~1", "git replace HEAD HEAD~1", "ls -la",
    "git filter-branch --tree-filter true HEAD",
]  # fmt: skip
ACTORS = ["python-coder", "frontend-coder", "lead", "review", "--module python", "no one"]


def both(repo: GitRepo, runtime: str, event: dict[str, object], *extra: str) -> tuple:
    """(full path's answer, quick path's answer or None), for one event."""
    raw = json.dumps(event).encode()
    argv = ["--runtime", runtime, *extra]
    full = run(argv, io.BytesIO(raw), quick=False)  # leaves the lane map for HEAD
    found = quick.answer(argv, raw)
    return tuple(full), (None if found is None else tuple(found))


def set_policy(repo: GitRepo, policy: str) -> None:
    if policy == "settings":
        repo.write("taskgate.toml", SETTINGS_POLICY)
        repo.write("pyproject.toml", '[project]\nname = "x"\n')
    elif policy == "pyproject":
        repo.git("rm", "-q", "taskgate.toml")
        repo.write("pyproject.toml", PYPROJECT_POLICY)
    if policy != "default":
        repo.add()
        repo.commit_no_hooks("chore(lead): policy")


def set_actor(repo: GitRepo, monkeypatch: pytest.MonkeyPatch, actor: str) -> tuple[str, ...]:
    monkeypatch.delenv("TASKGATE_AGENT", raising=False)
    for name in ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "CURSOR_PROJECT_DIR"):
        monkeypatch.delenv(name, raising=False)
    if actor in ("--module python", "no one"):
        repo.git("config", "taskgate.agent", "")  # nobody named, certainly: no global lookup
        return ("--module", "python") if actor != "no one" else ()
    monkeypatch.setenv("TASKGATE_AGENT", actor)
    return ()


@pytest.mark.parametrize("policy", ["default", "settings", "pyproject"])
@pytest.mark.parametrize("actor", ACTORS)
def test_quick_and_full_paths_answer_alike(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, policy: str, actor: str
) -> None:
    repo = workflow_repo
    set_policy(repo, policy)
    extra = set_actor(repo, monkeypatch, actor)
    (repo.path / "services/api/link").symlink_to("../../web")  # not committed: the disk's
    blocked = set()
    for i, rel in enumerate(PATHS):
        runtime = ("claude-code", "gemini", "cursor", "codex")[i % 4]
        full, found = both(repo, runtime, edit_event(runtime, repo.path, rel), *extra)
        assert found is not None, (rel, full)
        assert found == full, rel
        if full[0] == 2:
            blocked.add(full[2].split(" ", 1)[0])
    for i, command in enumerate(COMMANDS):
        runtime = ("claude-code", "cursor", "gemini", "codex")[i % 4]
        full, found = both(repo, runtime, shell_event(runtime, repo.path, command), *extra)
        assert found is not None, (command, full)
        assert found == full, command
    if actor == "python-coder":  # the comparison saw the rules at work, not only allowances
        expected = {"TG204", "TG804"} | ({"TG201"} if policy != "settings" else set())
        assert blocked == expected  # TG201 is only a warning under the settings policy


def test_calls_that_need_git_are_left_to_the_full_path(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Branches and pushed history are git's to say; so is an identity the module map does
    not know (the full path says why it blocks)."""
    repo = workflow_repo
    monkeypatch.setenv("TASKGATE_AGENT", "python-coder")
    for command, status in (("git push -f", 2), ("git rebase HEAD~1", 0)):
        full, found = both(repo, "claude-code", shell_event("claude-code", repo.path, command))
        assert found is None, command
        assert full[0] == status, command
    monkeypatch.setenv("TASKGATE_AGENT", "nobody-coder")
    full, found = both(repo, "claude-code", edit_event("claude-code", repo.path, "web/x.ts"))
    assert found is None
    assert full[2].startswith("TG807 error"), full


def test_an_identity_from_the_global_config_is_asked_of_git(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No TASKGATE_AGENT and no taskgate.agent in the repository's files: git config says
    (the global file may name the agent), on both paths alike."""
    repo = workflow_repo
    monkeypatch.delenv("TASKGATE_AGENT", raising=False)
    outside = edit_event("claude-code", repo.path, "web/x.ts")
    full, found = both(repo, "claude-code", outside)
    assert found == full
    assert full[0] == 0  # no one known: edits pass
    repo.git("config", "--global", "taskgate.agent", "python-coder")
    full, found = both(repo, "claude-code", outside)
    assert found == full
    assert full[2].startswith("TG201 error  web/x.ts"), full


def map_file(repo: GitRepo) -> Path:
    return Path(lanemap.path_of(str(repo.path / ".git")))


@pytest.mark.parametrize(
    "damage",
    ["flipped byte", "truncated", "empty", "other version", "other commit", "bad shape", "dir"],
)
def test_a_damaged_or_stale_lane_map_is_ignored(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    repo = workflow_repo
    monkeypatch.setenv("TASKGATE_AGENT", "python-coder")
    outside = edit_event("claude-code", repo.path, "web/x.ts")
    full, found = both(repo, "claude-code", outside)
    assert found == full
    assert full[2].startswith("TG201 error  web/x.ts"), full
    path = map_file(repo)
    raw = path.read_bytes()
    _, _, payload = raw.partition(b"\n")
    import zlib

    def sealed(text: bytes, version: str = "0.1.0") -> bytes:
        return f"taskgate guard map 1 {version} {zlib.crc32(text):08x}\n".encode() + text

    if damage == "flipped byte":  # web's path now "wex": the crc no longer matches
        raw = raw.replace(b'"web","web"', b'"web","wex"')
    elif damage == "truncated":
        raw = raw[: len(raw) - 20]
    elif damage == "empty":
        raw = b""
    elif damage == "other version":
        raw = sealed(payload, "0.0.9")
    elif damage == "other commit":
        raw = sealed(payload.replace(repo.head().encode(), b"0" * 40))
    elif damage == "bad shape":
        raw = sealed(payload.replace(b'"mode":"claimed"', b'"mode":"lenient"'))
    if damage == "dir":
        path.unlink()
        path.mkdir()
    else:
        path.write_bytes(raw)
    assert quick.answer(["--runtime", "claude-code"], json.dumps(outside).encode()) is None
    full_again = tuple(run(["--runtime", "claude-code"], io.BytesIO(json.dumps(outside).encode())))
    assert full_again == full  # the full path judged, as before
    if damage != "dir":  # and left a sound map again
        assert lanemap.load(str(repo.path / ".git"), repo.head()) is not None
        assert quick.answer(["--runtime", "claude-code"], json.dumps(outside).encode()) is not None


def test_head_is_read_from_git_files_or_left_to_git(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    git_dir = str(repo.path / ".git")
    assert head_commit(git_dir, git_dir) == repo.head()
    repo.git("pack-refs", "--all")  # the branch now lives in packed-refs only
    assert not (repo.path / ".git/refs/heads/main").exists()
    assert head_commit(git_dir, git_dir) == repo.head()
    repo.git("checkout", "-q", "--detach")
    assert head_commit(git_dir, git_dir) == repo.head()
    repo.git("checkout", "-q", "--orphan", "unborn")
    assert head_commit(git_dir, git_dir) is None


def test_a_linked_worktree_reads_its_own_head_and_shares_the_map(
    workflow_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = workflow_repo
    repo.git("branch", "side")
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", str(linked), "side")
    (linked / "services/api/app").mkdir(parents=True, exist_ok=True)
    (linked / "services/api/app/s.py").write_text("S = 1\n")
    GitRepo(linked).add()
    side_head = GitRepo(linked).commit_no_hooks("feat(python): s")
    layout = discover(str(linked))
    assert layout is not None
    _, git_dir, common_dir = layout
    assert git_dir != common_dir
    assert head_commit(git_dir, common_dir) == side_head != repo.head()
    monkeypatch.setenv("TASKGATE_AGENT", "python-coder")
    for where, expected in ((repo.path, repo.head()), (linked, side_head)):
        full, found = both(repo, "claude-code", edit_event("claude-code", where, "web/x.ts"))
        assert found == full
        assert full[2].startswith("TG201 error  web/x.ts"), full
        assert lanemap.load(common_dir, expected) is not None  # one file, both commits


def test_the_lean_json_reader_reads_as_json_does() -> None:
    for text in ('{"a": [1, 2.5, null, true, false, "\\u00e9"], "b": {"c": -1e3}}', " [] ",
                 '"x"', "NaN"):  # fmt: skip
        assert repr(loads(text)) == repr(json.loads(text))
    for bad in ("", "{", "{} x", "[1,]", '{"a" 1}', "\x00"):
        with pytest.raises(ValueError, match="line 1"):
            loads(bad)


def test_the_lane_map_is_written_whole_and_kept_small(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = workflow_repo
    monkeypatch.setenv("TASKGATE_AGENT", "python-coder")
    heads = []
    for n in range(lanemap._KEEP + 2):
        repo.write(f"services/api/app/m{n}.py", f"N = {n}\n")
        repo.add()
        heads.append(repo.commit_no_hooks(f"feat(python): m{n}"))
        both(repo, "claude-code", edit_event("claude-code", repo.path, "services/api/a.py"))
    common = str(repo.path / ".git")
    kept = [h for h in heads if lanemap.load(common, h) is not None]
    assert kept == heads[-lanemap._KEEP :]
    assert sorted(os.listdir(repo.path / ".git/taskgate")) == ["guard-map", "policy-cache.json"]
