"""When the gate runs in a commit: last, after every cheaper rule (SPEC §10.5).

The gate (tests, linter, type checker) costs seconds; every other rule costs
milliseconds. A commit that breaks a message, lane, board, policy or integrity
rule is rejected without running the gate:

- pre-commit runs the rules it can judge without the message (and the lanes and
  the board when the actor is already known: `TASKGATE_AGENT`, `taskgate.agent`);
  when any fails, the gate does not run;
- inside `git commit`, when taskgate's commit-msg hook follows (its own shim, or the
  pre-commit framework's commit-msg hook with `taskgate-commit-msg` configured), the
  gate is left to commit-msg, which runs it after the message and every rule that
  needs the actor have passed; the actor is then always known, so the test
  accounting knows whether the lead made the change;
- otherwise (no commit-msg hook of taskgate's, or pre-commit run by hand, e.g.
  `pre-commit run --all-files`) pre-commit runs the gate itself.

Both install routes therefore behave the same.
"""

from __future__ import annotations

import os
import re

from taskgate.git import Repo

_FRAMEWORK_CONFIG = re.compile(rb"--config[= ]([^\s)\"']+)")


def inside_git_commit() -> bool:
    """git exports GIT_INDEX_FILE to the hooks of `git commit`, and only there."""
    return bool(os.environ.get("GIT_INDEX_FILE"))


def commit_msg_follows(repo: Repo) -> bool:
    """Whether a commit-msg hook of taskgate's will run after this pre-commit hook."""
    from taskgate.install import MARKER

    hook = repo.hooks_dir() / "commit-msg"
    try:
        if not os.access(hook, os.X_OK):
            return False
        with hook.open("rb") as fh:
            head = fh.read(16384)
    except OSError:
        return False
    if MARKER.encode() in head:
        return True
    if b"pre-commit" not in head:
        return False
    # The pre-commit framework's hook script names its configuration file.
    match = _FRAMEWORK_CONFIG.search(head)
    name = match.group(1).decode("utf-8", "replace") if match else ".pre-commit-config.yaml"
    try:
        config = (repo.root / name).read_bytes()
    except OSError:
        return False
    return b"taskgate-commit-msg" in config


def gate_at_pre_commit(repo: Repo) -> bool:
    """Whether the pre-commit hook runs the gate itself (see the module docstring)."""
    return not (inside_git_commit() and commit_msg_follows(repo))
