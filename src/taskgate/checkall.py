"""`taskgate check --all`: the workflow files and every module's gate, on a whole tree.

The hooks judge a change; this judges a state: the tree at HEAD (default) or the
working tree's tracked files (`--worktree`, what `pre-commit run --all-files` hands
its hooks). The workflow files are checked as if the tree added them (schema,
structure, the policy's own names) and the gate runs for every module with commands.

The working tree is turned into a tree id through a private copy of the index
(`git add -u` on the copy, `git write-tree`): the user's index, working tree and
refs are untouched; only blob and tree objects are added to the object store, as
`git stash create` would.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from taskgate.builders import load_base, policy_cache
from taskgate.change import Actor, Change, EmptySide, FileChange, Role, Stage
from taskgate.errors import GitError, TaskgateError
from taskgate.git import Repo
from taskgate.gitsides import TreeSide
from taskgate.outcome import Outcome
from taskgate.policy import POLICY_FILE, PYPROJECT


def worktree_tree(repo: Repo) -> str:
    """The tree id of the tracked files as they are in the working tree."""
    if repo.bare:
        raise TaskgateError("--worktree needs a working tree; this repository is bare")
    index = repo.git_dir / "index"
    with tempfile.TemporaryDirectory(prefix="taskgate-all-") as tmp:
        private = Path(tmp) / "index"
        if index.exists():
            shutil.copyfile(index, private)
        env = {**os.environ, "GIT_INDEX_FILE": str(private)}
        no_hooks = ("-c", "core.hooksPath=/dev/null")
        try:
            if not index.exists():
                head = repo.head()
                if head:
                    repo.git.run(*no_hooks, "read-tree", head, env=env)
            repo.git.run(*no_hooks, "add", "-u", "--", ".", env=env)
            return repo.git.run("write-tree", env=env).decode().strip()
        except GitError as exc:
            raise TaskgateError(
                f"cannot take the working tree as a whole: {exc} (resolve conflicts first)"
            ) from exc


def check_all(
    repo: Repo, *, worktree: bool = False, gate: bool = True, use_cache: bool = True
) -> Outcome:
    """Workflow files and every module's gate on HEAD's tree (or the working tree's)."""
    head = repo.head()
    if worktree:
        rev = worktree_tree(repo)
        where = "the working tree"
    else:
        if head is None:
            raise TaskgateError(
                "there is no commit yet to check; `taskgate check --all --worktree` checks "
                "the working tree, `taskgate check` the staged files"
            )
        rev = head
        where = f"commit {head[:12]}"
    tree = TreeSide(repo, rev)
    # The policy that judges the next commit: HEAD's (the tree's own without history).
    base_side = TreeSide(repo, head) if head else tree
    base = load_base(base_side.read, f"commit {head[:12]}" if head else where, policy_cache(repo))
    policy = base.policy
    wanted = [
        policy.paths.structure,
        policy.paths.tasks,
        policy.paths.plan,
        POLICY_FILE,
        PYPROJECT,
    ]
    entries = repo.tree_entries(rev, wanted)
    files = tuple(FileChange("A", path, path, None, entry) for path, entry in entries.items())
    change = Change(
        files=files,
        before=EmptySide(),
        after=tree,
        stage=Stage.CHECK,
        structure=base.structure,
        actor=Actor(Role.LEAD),
        commit=head if not worktree else None,
    )
    from taskgate.rules.policyfile import policy_findings
    from taskgate.rules.registry import apply_policy
    from taskgate.rules.workflow import check_workflow_files

    found = [
        *base.problems,
        *check_workflow_files(change, policy),
        *policy_findings(change, policy.paths.structure),
    ]
    outcome = Outcome(apply_policy(found, policy), title="check --all")
    outcome.notes.append(f"checked the workflow files of {where}")
    structure = base.structure
    if not gate:
        return outcome
    if structure is None or not structure.modules:
        outcome.notes.append("gate: no module map, no module to gate")
        return outcome
    if not policy.gate.enabled:
        outcome.notes.append("gate: off ([gate] enabled = false)")
        return outcome
    from taskgate.gate import run_gate

    result = run_gate(repo, change, policy, use_cache=use_cache, modules=list(structure.modules))
    outcome.findings.extend(result.findings)
    outcome.notes.extend(result.notes)
    return outcome


def framework_all_files() -> bool:
    """Whether the pre-commit framework runs this hook for `pre-commit run --all-files`.

    The framework says so in no variable; its own command line, the hook's parent
    process, does (`run --all-files` / `run -a`). Only asked when PRE_COMMIT=1.
    """
    if os.environ.get("PRE_COMMIT") != "1":
        return False
    args = _parent_args()
    return "run" in args and ("--all-files" in args or "-a" in args)


def _parent_args() -> list[str]:
    ppid = os.getppid()
    try:
        raw = Path(f"/proc/{ppid}/cmdline").read_bytes()
        return [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    except OSError:
        pass
    import subprocess

    try:
        out = subprocess.run(
            ["ps", "-o", "args=", "-p", str(ppid)], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return []
    return out.split()
