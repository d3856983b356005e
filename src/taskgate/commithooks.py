"""The commit hooks (pre-commit, pre-merge-commit, commit-msg) and `check`: the entry points
that judge the staged change. Each builds a Change, runs the rules, returns an Outcome."""

from __future__ import annotations

import os
from pathlib import Path

from taskgate.builders import Built, staged_change
from taskgate.change import Stage
from taskgate.errors import ConfigError, TaskgateError
from taskgate.finding import Finding
from taskgate.git import Repo, amend_in_progress
from taskgate.message import CLEANUP_MODES, CommitMessage, message_from_bytes
from taskgate.outcome import Outcome
from taskgate.rules.registry import run_checks


def _actor_name(built: Built) -> str | None:
    actor = built.change.actor
    if actor is None:
        return built.change.agent_claim
    return actor.module.name if actor.module is not None else actor.role.value


def comment_and_cleanup(repo: Repo, *, editor_used: bool) -> tuple[str | None, str]:
    """core.commentChar (or commentString) and the effective commit.cleanup mode."""
    comment = repo.config("core.commentstring") or repo.config("core.commentchar") or "#"
    mode = (repo.config("commit.cleanup") or "default").lower()
    if mode not in CLEANUP_MODES:
        raise ConfigError(
            f"git config commit.cleanup is '{mode}'; git accepts {', '.join(CLEANUP_MODES)}"
        )
    if mode == "default":
        # git strips comments only when an editor was used (it sets GIT_EDITOR=: otherwise).
        mode = "strip" if editor_used else "whitespace"
    return comment, mode


def read_message_file(repo: Repo, path: Path) -> CommitMessage:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TaskgateError(f"cannot read the commit message file {path}: {exc.strerror}") from exc
    comment, mode = comment_and_cleanup(repo, editor_used=os.environ.get("GIT_EDITOR") != ":")
    return message_from_bytes(raw, comment, mode)


def _run(built: Built, repo: Repo, *, use_cache: bool = True) -> list[Finding]:
    from taskgate.workflow.blobcache import ValidatedBlobs

    # Workflow files already validated (by blob id) are not validated again; the workflow
    # checks only consult and extend this cache in memory, it is read and written here.
    blobs = ValidatedBlobs.for_common_dir(repo.common_dir) if use_cache else ValidatedBlobs()
    built.change.validated_blobs = blobs
    findings = [*built.problems, *run_checks(built.change, built.policy)]
    blobs.save()
    return findings


def hook_commit_msg(repo: Repo, message_file: Path) -> Outcome:
    """The message and every rule that needs the actor."""
    from taskgate.amend import amend_state

    message = read_message_file(repo, message_file)
    built = staged_change(repo, Stage.COMMIT_MSG, message, amend=amend_state(repo))
    if message.is_empty:
        from taskgate.git import allow_empty_message_in_progress

        # git aborts an empty message itself unless told to keep it (SPEC §2).
        built.change.stores_empty_message = allow_empty_message_in_progress()
    findings = _run(built, repo)
    findings.extend(_octopus(repo, built))
    outcome = Outcome(findings, title="commit-msg")
    outcome.actor, outcome.subject = _actor_name(built), message.header
    # The gate goes last (taskgate.hookorder): only once every other rule has passed.
    # A merge is gated by pre-merge-commit / pre-commit, on its whole tree.
    if built.policy.gate.enabled and built.change.structure is not None:
        from taskgate.finding import has_errors

        if has_errors(outcome.findings):
            outcome.notes.append("gate: not run, the rules above failed first")
        elif not repo.merge_in_progress():
            run_gate_into(repo, built, outcome, use_cache=True)
    return outcome


def _octopus(repo: Repo, built: Built) -> list[Finding]:
    """An octopus merge is the lead's alone (TG209)."""
    from taskgate.change import Role

    if not built.change.is_merge:
        return []
    from taskgate.builders import merge_heads

    heads = merge_heads(repo)
    actor = built.change.actor
    if len(heads) < 2 or (actor is not None and actor.role is Role.LEAD):
        return []
    from taskgate.rules.history import octopus_finding

    return [octopus_finding(actor, len(heads) + 1)]


def hook_pre_commit(repo: Repo, *, merge: bool = False, use_cache: bool = True) -> Outcome:
    """The staged change before a message exists (a merge skips the lanes)."""
    built = staged_change(
        repo, Stage.PRE_COMMIT, None, amend=amend_in_progress(), merge=True if merge else None
    )
    outcome = Outcome(_run(built, repo), title="pre-merge-commit" if merge else "pre-commit")
    outcome.actor = _actor_name(built)
    if built.change.is_merge:
        from taskgate.finding import has_errors

        if has_errors(outcome.findings):
            outcome.notes.append("gate: not run, the rules above failed first")
        else:
            # The gate for every module the merge changes relative to its first parent
            # (HEAD), not only the modules of the merge's own content.
            whole = staged_change(repo, Stage.PRE_COMMIT, None, merge=True, merge_content=False)
            run_gate_into(repo, whole, outcome, use_cache=use_cache)
    elif not merge and built.policy.gate.enabled and built.change.structure is not None:
        from taskgate.finding import has_errors
        from taskgate.hookorder import gate_at_pre_commit

        if has_errors(outcome.findings):
            outcome.notes.append("gate: not run, the rules above failed first")
        elif gate_at_pre_commit(repo):
            run_gate_into(repo, built, outcome, use_cache=use_cache)
        elif _gated(built):
            outcome.notes.append("gate: runs at commit-msg, once the message and every rule pass")
    return outcome


def check_staged(
    repo: Repo, message: str | None, *, gate: bool = True, use_cache: bool = True
) -> Outcome:
    """`taskgate check`: everything on the staged state, without committing."""
    parsed = None
    if message is not None:
        comment, mode = comment_and_cleanup(repo, editor_used=False)
        parsed = message_from_bytes(message.encode("utf-8", "surrogateescape"), comment, mode)
    built = staged_change(repo, Stage.CHECK, parsed)
    outcome = Outcome(_run(built, repo, use_cache=use_cache), title="check")
    if gate:
        run_gate_into(repo, built, outcome, use_cache=use_cache)
    return outcome


def _gated(built: Built) -> bool:
    """Whether the change touches a module with gate commands."""
    from taskgate.gate import plan_modules

    return bool(plan_modules(built.change, built.policy, None))


def run_gate_into(repo: Repo, built: Built, outcome: Outcome, *, use_cache: bool) -> None:
    """Run the gate for the modules the change touches (no-op until a module has commands)."""
    if not built.policy.gate.enabled or built.change.structure is None:
        return
    # Imported here so the commit-msg path never loads it. No fallback if it is missing:
    # a gate that cannot run must not pass (hooks fail closed).
    from taskgate.change import Role
    from taskgate.gate import run_gate

    # The test accounting excuses the lead's (and the reviewer's) changes to tests.
    actor = built.change.actor
    excused: frozenset[str] = frozenset()
    if actor is not None and actor.role is not Role.CODER:
        excused = frozenset(built.change.structure.modules)
    result = run_gate(repo, built.change, built.policy, use_cache=use_cache, excused=excused)
    outcome.findings.extend(result.findings)
    outcome.notes.extend(result.notes)
