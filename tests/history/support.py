"""A local repository (all hooks), a bare server (pre-receive) and a hook-less hub for `ci`
on a fresh clone: each route of issue 12 is tried against all three."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import BOARD, GitRepo, finding_ids
from tests.support.inprocess import run_main
from tests.support.templates import HOOKLESS_RECEIVE

BOARD_PATH = "shared/task_list.json"
Pairs = set[tuple[str, str | None]]


def started_board() -> dict[str, Any]:
    board: dict[str, Any] = json.loads(json.dumps(BOARD))
    for task in board["tasks"]:
        task["status"] = "in_progress"
    return board


def make_server(tmp_path: Path, name: str = "server.git", *, hooks: bool = True) -> GitRepo:
    """A bare server; with `hooks`, taskgate's pre-receive installed by `taskgate install
    --hook-type pre-receive` (run in process: tests/test_install.py starts the real one)."""
    server = GitRepo(tmp_path / name)
    server.path.mkdir()
    server.git("init", "-q", "--bare", "-b", "main")
    if hooks:
        proc = run_main("install", "--hook-type", "pre-receive", cwd=server.path)
        assert proc.returncode == 0, proc.stderr
    return server


def setup_pushed(repo: GitRepo, tmp_path: Path) -> GitRepo:
    """Start T1 and T2, push main to a fresh server with taskgate's pre-receive.

    The scene, not the subject: the start commit is made without hooks and pushed without
    pre-push and past the server's pre-receive (the pushes each test makes afterwards are
    the ones checked), so setting it up starts no taskgate process."""
    repo.write_json(BOARD_PATH, started_board())
    repo.add(BOARD_PATH)
    repo.commit_no_hooks("chore(lead): start T1 and T2")
    server = make_server(tmp_path)
    repo.git("remote", "add", "origin", str(server.path))
    first = repo.git(
        "push", "-q", "--no-verify", f"--receive-pack={HOOKLESS_RECEIVE}", "-u", "origin",
        "main", check=False,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    return server


def ci_fresh_clone(
    repo: GitRepo, tmp_path: Path, rev: str = "HEAD", *, process: bool = False
) -> tuple[Pairs, Any]:
    """Push the server's main and `rev` to a hook-less hub (a pull request), clone it
    fresh, run `taskgate ci --range origin/main..origin/pr`: the errors as (rule, path).

    ci runs in process (`cli.main`, the same entry point) unless `process`: the clone is
    the route under test, not the interpreter (test_merges keeps a real `taskgate ci`)."""
    hub_path = tmp_path / "hub.git"
    if not hub_path.exists():
        make_server(tmp_path, "hub.git", hooks=False)
    hub = str(hub_path)
    repo.git(
        "push", "-q", "-f", "--no-verify", hub, "refs/remotes/origin/main:refs/heads/main",
        f"{rev}:refs/heads/pr",
    )  # fmt: skip
    clone = tmp_path / "ci-clone"
    if clone.exists():
        shutil.rmtree(clone)
    repo.git("clone", "-q", "--no-local", "--no-checkout", hub, str(clone))
    args = ("ci", "--range", "origin/main..origin/pr", "--no-gate", "--format", "json")
    proc = repo.taskgate(*args, cwd=clone) if process else run_main(*args, cwd=clone)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    for f in doc["findings"]:
        assert f["commit"], f
    errors = {(f["rule"], f["path"]) for f in doc["findings"] if f["severity"] == "error"}
    return errors, doc


def server_ids(proc_stderr: str) -> set[str]:
    return {
        line.split()[1]
        for line in proc_stderr.splitlines()
        if line.startswith("remote: TG") and len(line.split()) > 1
    }


def push_refused(
    repo: GitRepo, server: GitRepo, rules: set[str], refspec: str = "HEAD:main"
) -> str:
    """The server refuses the push (pre-push skipped), naming `rules`; nothing moves."""
    before = server.git("for-each-ref").stdout
    proc = repo.git("push", "--no-verify", "origin", refspec, check=False)
    assert proc.returncode != 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert rules <= server_ids(proc.stderr), proc.stderr
    assert "pre-receive hook declined" in proc.stderr
    assert server.git("for-each-ref").stdout == before
    return proc.stderr


def pre_push_refused(repo: GitRepo, rules: set[str], refspec: str = "HEAD:main") -> str:
    proc = repo.git("push", "origin", refspec, check=False)
    assert proc.returncode != 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert rules <= set(finding_ids(proc)), proc.stderr
    return proc.stderr


def assert_caught(repo: GitRepo, server: GitRepo, tmp_path: Path, expected: Pairs) -> None:
    """ci on a fresh clone reports `expected`; pre-push and pre-receive refuse the push."""
    found, _doc = ci_fresh_clone(repo, tmp_path)
    assert expected <= found, found
    rules = {rule for rule, _ in expected}
    pre_push_refused(repo, rules)
    push_refused(repo, server, rules)


def assert_lands(
    repo: GitRepo, server: GitRepo, tmp_path: Path, refspec: str = "HEAD:main"
) -> None:
    found, _doc = ci_fresh_clone(repo, tmp_path)
    assert found == set(), found
    proc = repo.git("push", "origin", refspec, check=False)
    assert proc.returncode == 0, proc.stderr
    local = repo.git("rev-parse", refspec.split(":")[0]).stdout
    assert server.git("rev-parse", refspec.split(":")[1]).stdout == local


def tree_with(repo: GitRepo, tree: str | None, parts: list[str], blob: str) -> str:
    """`tree` with `blob` at the path `parts` (any names at all: written with mktree)."""
    entries: dict[str, str] = {}
    if tree is not None:
        listing = repo.git("ls-tree", "-z", tree).stdout
        for record in listing.split("\0"):
            if record:
                meta, name = record.split("\t", 1)
                entries[name] = meta
    head, rest = parts[0], parts[1:]
    if rest:
        sub = entries.get(head)
        sub_tree = sub.split()[2] if sub is not None and sub.split()[1] == "tree" else None
        entries[head] = f"040000 tree {tree_with(repo, sub_tree, rest, blob)}"
    else:
        entries[head] = f"100644 blob {blob}"
    text = "".join(f"{meta}\t{name}\0" for name, meta in entries.items())
    return repo.git("mktree", "-z", input=text.encode()).stdout.strip()


def commit_tree(repo: GitRepo, tree: str, subject: str, *parents: str) -> str:
    args = [a for p in parents for a in ("-p", p)]
    return repo.git("commit-tree", *args, "-m", subject, tree).stdout.strip()
