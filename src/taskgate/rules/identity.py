"""Identity rules TG701 to TG709 (SPEC §10.4): in signed mode a commit proves its actor.

The builders (`taskgate.builders`) work out the verdict when the base's policy says
`[identity] mode = "signed"` and leave it on the change (`Change.verdict`); these checks
report it, and compare the scope with the proven actor. In claimed mode it is None and
nothing here imports more than this module (the commit-msg hot path stays light).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from taskgate.change import Actor, Change, Role
from taskgate.finding import Finding
from taskgate.policy import Policy
from taskgate.rules.registry import COMMIT_MSG_CHECK_CI, EVERY_STAGE, check, rule

if TYPE_CHECKING:
    from taskgate.identity.verdict import Verdict

MSG = "COMMIT_EDITMSG"

# The builder's verdict names the stage's ids: TG701/TG702 only when a commit's own
# signature is checked (ci, pre-push, pre-receive), TG709 only before the commit exists.
# The stage `taskgate rules` shows for TG701-TG705 and TG707 is the one it always showed.
TG701 = rule(
    id="TG701",
    name="commit-unsigned",
    stages=EVERY_STAGE,
    summary="signed mode: the commit carries no signature",
    what=(
        'With `[identity] mode = "signed"` every commit reaching pre-push, pre-receive or '
        "`taskgate ci` (merges included) must carry an SSH signature (git's `gpgsig` header, "
        "`gpg.format = ssh`)."
    ),
    why=(
        "In signed mode the signature, not the scope, says who made the commit; an unsigned "
        "commit names nobody, so its lanes and board rights cannot be decided."
    ),
    example="git commit --no-gpg-sign -m 'feat(api): add users'",
    fix=(
        "Sign it: `git commit --amend --no-edit -S` (a range: `git rebase --exec 'git commit "
        "--amend --no-edit -S' BASE`). `taskgate agent worktree NAME PATH` sets up a worktree "
        "that signs every commit."
    ),
    shown_stage="ci",
)

TG702 = rule(
    id="TG702",
    name="signature-invalid",
    stages=EVERY_STAGE,
    summary="signed mode: the signature does not verify",
    what=(
        "The SSHSIG signature is checked in process against the commit object without its "
        "`gpgsig` header: namespace `git`, hash sha256 or sha512, keys ed25519, ECDSA "
        "(nistp256/384/521) and RSA (rsa-sha2-256/512). A signature that cannot be read, or "
        "that does not match the commit, is this finding."
    ),
    why=(
        "A commit whose message or tree changed after signing, or a signature copied from "
        "another commit, would otherwise borrow someone else's identity."
    ),
    example="git commit -S -m 'feat(api): x' && (edit the object: message, tree or parents)",
    fix=(
        "Re-sign the commit as it is now: `git commit --amend --no-edit -S`; check it with "
        "`git verify-commit HEAD`."
    ),
    shown_stage="ci",
)

TG703 = rule(
    id="TG703",
    name="signer-not-listed",
    stages=EVERY_STAGE,
    summary="signed mode: the signing key is not in the allowed signers",
    what=(
        "The key that signed the commit (or, in the commit hooks, the key git is configured "
        "to sign with) must be listed in the allowed-signers file of the base "
        "(`[identity] allowed_signers`, default `shared/allowed_signers`)."
    ),
    why="Anyone can make a key and sign with it; only a key the lead listed names an agent.",
    example="git -c user.signingkey=~/.ssh/my_own_key commit -S -m 'feat(api): x'",
    fix=(
        "Sign with your listed key (your worktree is set up for it). The lead lists a new "
        "agent's key with `taskgate agent add NAME --key-dir DIR` and commits the file."
    ),
    shown_stage="msg",
)

TG704 = rule(
    id="TG704",
    name="signer-namespace",
    stages=EVERY_STAGE,
    summary="signed mode: the key or signature is not for git's namespace",
    what=(
        'The allowed-signers line of the key has a `namespaces="…"` option that does not '
        "include `git`, or the signature itself was made for another namespace "
        "(`ssh-keygen -Y sign -n file`)."
    ),
    why=(
        "A key the lead allowed for other uses (files, e-mail) is not an identity for commits, "
        "and a signature made for another purpose must not count as a commit signature."
    ),
    example='api-coder namespaces="file" ssh-ed25519 AAAA…',
    fix=(
        'The lead adds git: `api-coder namespaces="git" ssh-ed25519 AAAA…`; re-sign with '
        "`git commit --amend --no-edit -S`."
    ),
    shown_stage="msg",
)

TG705 = rule(
    id="TG705",
    name="signer-expired",
    stages=EVERY_STAGE,
    summary="signed mode: the key is expired or not yet valid",
    what=(
        "`valid-before=` / `valid-after=` on the key's allowed-signers line are compared with "
        "the commit's committer time (in the commit hooks: now), as `git verify-commit` does."
    ),
    why="An expired key is a retired identity: a leaked old key must not sign new work.",
    example='api-coder valid-before="20240101" ssh-ed25519 AAAA…',
    fix=(
        "Sign with a current key; the lead lists a new one (`taskgate agent add`) or extends "
        "the validity."
    ),
    shown_stage="msg",
)

TG706 = rule(
    id="TG706",
    name="scope-matches-signer",
    stages=COMMIT_MSG_CHECK_CI,
    summary="signed mode: the scope disagrees with the signer",
    what=(
        "The scope of the header must name the module (or role) of the agent whose key signed "
        "the commit; in the commit hooks, of the key git is configured to sign with. Merges "
        "and git's own reverts have no scope of their own and are not compared."
    ),
    why=(
        "The scope is a claim; the signature is proof. A coder writing `chore(lead): …` does "
        "not get the lead's rights, and the board's per-actor history stays true."
    ),
    example="chore(lead): relax the policy   (signed by api-coder's key)",
    fix=(
        "feat(api): …  — and work that belongs to another agent is committed by that agent, "
        "with its own key, from its own worktree."
    ),
)

TG707 = rule(
    id="TG707",
    name="signer-principal",
    stages=EVERY_STAGE,
    summary="signed mode: the key's principal is no agent or role",
    what=(
        "The principals of the key's allowed-signers line must name a module's `agent` id or "
        "the lead/reviewer role name of `project_structure.json`."
    ),
    why=(
        "A key listed for a name the module map does not know proves an identity with no "
        "lane: nothing it does could be judged."
    ),
    example="bob ssh-ed25519 AAAA…",
    fix="The lead lists the key under the agent id: `api-coder ssh-ed25519 AAAA…`.",
    shown_stage="msg",
)

TG708 = rule(
    id="TG708",
    name="allowed-signers-file",
    stages=EVERY_STAGE,
    summary="signed mode: the allowed-signers file is missing or has an unusable line",
    what=(
        "In signed mode the allowed-signers file must exist at the base. A change that writes "
        "it must leave every line in git's format: `principals [options] keytype base64 "
        "[comment]`; `cert-authority` lines are refused (certificates are not supported)."
    ),
    why=(
        "Without the file no commit can prove who made it, and a line that cannot be read "
        "silently drops someone's key."
    ),
    example="api-coder ssh-ed25519 not-base64",
    fix=(
        "`taskgate agent add NAME --key-dir DIR` writes a correct line; the lead commits it "
        "(scope: the lead's role)."
    ),
)

TG709 = rule(
    id="TG709",
    name="signing-setup",
    stages=EVERY_STAGE,
    summary="signed mode: git is not set up to sign this commit with an SSH key",
    what=(
        "In the commit hooks the commit does not exist yet, so the actor is the key git will "
        "sign with: `gpg.format = ssh`, `commit.gpgsign = true` and `user.signingkey` (a key "
        "file or `key::ssh-ed25519 …`) must be configured."
    ),
    why=(
        "An unsigned commit would be refused at the server; saying so before the commit "
        "exists saves the round trip."
    ),
    example="git config --unset commit.gpgsign && git commit -m 'feat(api): x'",
    fix=(
        "Commit from the worktree `taskgate agent worktree NAME PATH` made, or run "
        "`git config gpg.format ssh`, `git config user.signingkey PATH/TO/KEY`, "
        "`git config commit.gpgsign true`."
    ),
)


def verdict_of(change: Change) -> Verdict | None:
    """The identity verdict the builder left (None: claimed mode)."""
    return change.verdict


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


@check(TG701, TG702, TG703, TG704, TG705, TG707, TG708, TG709)
def identity_proven(change: Change, policy: Policy) -> Iterator[Finding]:
    # At commit-msg too: failing closed when the pre-commit hook was skipped.
    yield from _proven(change, policy)


@check(TG706, needs_message=True)
def identity_agrees(change: Change, policy: Policy) -> Iterator[Finding]:
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
    from taskgate.actors import actor_from_scope
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
