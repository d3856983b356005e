"""Entry points: the hooks and `check`. Each builds a Change, runs the rules, returns an Outcome."""

from __future__ import annotations

import os
from pathlib import Path

from taskgate.change import Stage
from taskgate.errors import ConfigError, TaskgateError
from taskgate.finding import Finding
from taskgate.git import Repo, amend_in_progress
from taskgate.message import CLEANUP_MODES, CommitMessage, message_from_bytes
from taskgate.rules.registry import run_checks
from taskgate.sources import Built, staged_change


class Outcome:
    """What a run found, plus informational notes (cache hits, timings) for the reporter."""

    def __init__(
        self,
        findings: list[Finding] | None = None,
        notes: list[str] | None = None,
        title: str = "taskgate",
    ) -> None:
        self.findings = findings if findings is not None else []
        self.notes = notes if notes is not None else []
        self.title = title
        # Who the change is by (a module name or role), for the rejection log.
        self.actor: str | None = None
        self.subject: str | None = None


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
    from taskgate.workflow.blobcache import MEMO_KEY, ValidatedBlobs

    # Workflow files already validated (by blob id) are not validated again; the rules
    # only consult and extend this cache in memory, it is read and written here.
    blobs = ValidatedBlobs.for_common_dir(repo.common_dir) if use_cache else ValidatedBlobs()
    built.change.memo(MEMO_KEY, lambda: blobs)
    findings = [*built.problems, *run_checks(built.change, built.policy)]
    blobs.save()
    return findings


def hook_commit_msg(repo: Repo, message_file: Path) -> Outcome:
    """The message and every rule that needs the actor."""
    message = read_message_file(repo, message_file)
    built = staged_change(repo, Stage.COMMIT_MSG, message, amend=amend_in_progress())
    outcome = Outcome(_run(built, repo), title="commit-msg")
    outcome.actor, outcome.subject = _actor_name(built), message.header
    return outcome


def hook_pre_commit(repo: Repo, *, merge: bool = False, use_cache: bool = True) -> Outcome:
    """The staged change before a message exists (a merge skips the lanes)."""
    built = staged_change(
        repo, Stage.PRE_COMMIT, None, amend=amend_in_progress(), merge=True if merge else None
    )
    outcome = Outcome(_run(built, repo), title="pre-merge-commit" if merge else "pre-commit")
    outcome.actor = _actor_name(built)
    if not merge:
        run_gate_into(repo, built, outcome, use_cache=use_cache)
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


def run_gate_into(repo: Repo, built: Built, outcome: Outcome, *, use_cache: bool) -> None:
    """Run the gate for the modules the change touches (no-op until a module has commands)."""
    if not built.policy.gate.enabled or built.change.structure is None:
        return
    # Imported here so the commit-msg path never loads it. No fallback if it is missing:
    # a gate that cannot run must not pass (hooks fail closed).
    from taskgate.gate import run_gate

    result = run_gate(repo, built.change, built.policy, use_cache=use_cache)
    outcome.findings.extend(result.findings)
    outcome.notes.extend(result.notes)
