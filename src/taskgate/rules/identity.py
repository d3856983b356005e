"""Identity rules TG701 to TG709 (SPEC §10.4): in signed mode a commit proves its actor.

The builders (`taskgate.builders`) work out the verdict when the base's policy says
`[identity] mode = "signed"` and leave it in the change's memo; these checks report it,
and compare the scope with the proven actor. In claimed mode the memo is empty and
nothing here imports more than this module (the commit-msg hot path stays light).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from taskgate.builders import IDENTITY_MEMO
from taskgate.change import Actor, Change, Role, Stage
from taskgate.finding import Finding
from taskgate.policy import Policy
from taskgate.rules.registry import check

if TYPE_CHECKING:
    from taskgate.identity.verdict import Verdict

IDS = ("TG701", "TG702", "TG703", "TG704", "TG705", "TG706", "TG707", "TG708", "TG709")
MSG = "COMMIT_EDITMSG"


def verdict_of(change: Change) -> Verdict | None:
    """The identity verdict the builder left (None: claimed mode)."""
    found: Verdict | None = change.memo(IDENTITY_MEMO, lambda: None)
    return found


def _signers_file(change: Change, policy: Policy) -> Iterator[Finding]:
    """A change that writes the allowed-signers file must leave every line usable."""
    path = policy.identity.allowed_signers
    if not any(fc.path == path and fc.new is not None for fc in change.files):
        return
    data = change.after.read(path)
    if data is None:
        return
    from taskgate.identity.signers import parse_allowed_signers

    for line, problem in parse_allowed_signers(data).problems:
        yield Finding(
            "TG708",
            f"{path} line {line} cannot be used: {problem}",
            path=path,
            line=line,
            hint="each line is `principals [options] keytype base64 [comment]`; "
            "`taskgate agent add NAME --key-dir DIR` writes a correct one",
        )


def identity_findings(change: Change, policy: Policy) -> list[Finding]:
    """Everything this family finds in a change (merges included: `ci` asks directly)."""
    found = list(_proven(change, policy))
    found.extend(scope_disagrees(change))
    return found


def _proven(change: Change, policy: Policy) -> Iterator[Finding]:
    verdict = verdict_of(change)
    if verdict is not None:
        yield from verdict.findings
    yield from _signers_file(change, policy)


@check(*IDS, stage="pre")
def identity_proven(change: Change, policy: Policy) -> Iterator[Finding]:
    yield from _proven(change, policy)


@check(*IDS, stage="msg", needs_message=True)
def identity_agrees(change: Change, policy: Policy) -> Iterator[Finding]:
    if change.stage is Stage.COMMIT_MSG:
        # Fail closed when the pre-commit hook was skipped; CI and `check` run "pre" too.
        yield from _proven(change, policy)
    yield from scope_disagrees(change)


def _scope_of(actor: Actor, change: Change) -> str:
    if actor.module is not None:
        return actor.module.name
    structure = change.structure
    if structure is None:
        return actor.role.value
    return structure.lead if actor.role is Role.LEAD else structure.reviewer


def scope_disagrees(change: Change) -> Iterator[Finding]:
    """TG706: the scope names someone other than the signer."""
    verdict = verdict_of(change)
    msg, structure = change.message, change.structure
    if verdict is None or verdict.actor is None or structure is None or msg is None:
        return
    if msg.is_empty or change.is_merge or msg.is_git_revert:
        return  # no scope of its own to compare
    from taskgate.builders import actor_from_scope
    from taskgate.identity.verdict import same_actor
    from taskgate.message import Header, caret, parse_header

    header = msg.actor_header
    parsed = parse_header(header)
    if not isinstance(parsed, Header) or not parsed.scope:
        return
    claimed = actor_from_scope(structure, parsed.scope)
    if claimed is None or same_actor(claimed, verdict.actor):
        return  # an unknown scope is TG104's
    actual = verdict.actor
    scope = _scope_of(actual, change)
    yield Finding(
        "TG706",
        f"the scope '{parsed.scope}' claims the {claimed.name}, but the commit "
        f"{'is' if change.commit else 'will be'} signed by '{verdict.principal}' "
        f"({actual.name}, key {verdict.fingerprint})",
        path=MSG,
        line=1,
        hint=f"write it as: {parsed.type}({scope}){'!' * parsed.breaking}: "
        f"{parsed.description} — only the key of the {claimed.name} signs commits scoped "
        f"'{parsed.scope}'",
        snippet=caret(header, parsed.scope_column),
    )
