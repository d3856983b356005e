"""Build a Change (and the Policy to check it against) from git state.

The staged index for hooks and `check`; one commit for `ci`, pre-push and
pre-receive (their sides are in taskgate.gitsides). The policy and the module map
always come from the base of the change, never from the change itself.
"""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from taskgate.actors import actor_from_claim, actor_from_scope
from taskgate.change import Actor, Change, EmptySide, Side, Stage
from taskgate.finding import Finding
from taskgate.git import CommitInfo, Hints, RawDiff, Repo, parse_patch
from taskgate.gitsides import (
    IndexSide,
    TreeSide,
    file_changes,
    new_blobs,
    old_blobs,
    staged_entries,
)
from taskgate.message import CommitMessage
from taskgate.policy import Paths, Policy, check_gate_names, load_policy
from taskgate.rules.catalog import RULE_IDS
from taskgate.workflow.structure import Structure, StructureError, parse_structure

if TYPE_CHECKING:
    from taskgate.identity.commits import SignedRange

# --- policy and module map from the base ------------------------------------


class Base(NamedTuple):
    """What a change is checked against: the policy and the module map of its base."""

    policy: Policy
    structure: Structure | None
    problems: tuple[Finding, ...] = ()


def load_base(read: Callable[[str], bytes | None], where: str, cache: Path | None = None) -> Base:
    """Policy and structure through `read` (a side's reader); `where` names the side."""
    policy = load_policy(read, where, cache, rule_ids=RULE_IDS)
    raw = read(policy.paths.structure)
    if raw is None:
        check_gate_names(policy, None, policy.paths.structure)
        return Base(policy, None)
    try:
        structure = parse_structure(raw)
    except StructureError as exc:
        # Checked against a broken map, every lane would be guesswork: say so, fail closed.
        return Base(
            policy,
            None,
            (
                Finding(
                    "TG310",
                    f"{policy.paths.structure} at {where} cannot be used: {exc}",
                    path=policy.paths.structure,
                    hint="the lead repairs it in a commit scoped to the lead role",
                ),
            ),
        )
    check_gate_names(policy, module_languages(structure), policy.paths.structure)
    return Base(policy, structure)


def module_languages(structure: Structure | None) -> dict[str, str | None] | None:
    """Module name → language, for check_gate_names (None: no module map)."""
    if structure is None:
        return None
    return {name: module.language for name, module in structure.modules.items()}


def policy_cache(repo: Repo) -> Path:
    """Where parsed policy TOML is kept between hook runs (saves importing tomllib)."""
    return repo.common_dir / "taskgate" / "policy-cache.json"


# --- identity (SPEC §3) ------------------------------------------------------


def agent_claim(repo: Repo) -> str | None:
    """TASKGATE_AGENT, else `git config taskgate.agent`."""
    claim = os.environ.get("TASKGATE_AGENT") or repo.config("taskgate.agent")
    return claim.strip() if claim and claim.strip() else None


def resolve_actor(
    structure: Structure | None, message: CommitMessage | None, claim: str | None
) -> Actor | None:
    """The scope names the actor; without a message, TASKGATE_AGENT may."""
    from taskgate.message import Header, parse_header

    if message is not None and not message.is_empty:
        # A fixup!/squash!/amend! commit is still its author's: the lanes apply to it too.
        header = message.actor_header
        if message.is_git_revert:
            # `Revert "<subject>"` has no scope of its own and TG109 cannot compare it: a
            # claimed identity wins, else the reverted subject's scope. Never "no one": an
            # actorless commit skips every lane rule, so a hand-written "Revert" was a bypass.
            claimed = actor_from_claim(structure, claim)
            if claimed is not None:
                return claimed
            header = reverted_subject(header)
        parsed = parse_header(header)
        if isinstance(parsed, Header):
            return actor_from_scope(structure, parsed.scope)
    return actor_from_claim(structure, claim)


def reverted_subject(header: str) -> str:
    """`feat(x): y` out of `Revert "feat(x): y"` (and of reverts of reverts)."""
    while header.startswith(('Revert "', 'Reapply "')) and header.endswith('"'):
        header = header.split('"', 1)[1][:-1]
    return header


# --- builders ----------------------------------------------------------------


class Built(NamedTuple):
    change: Change
    policy: Policy
    problems: tuple[Finding, ...]


def staged_change(
    repo: Repo,
    stage: Stage,
    message: CommitMessage | None = None,
    *,
    amend: bool = False,
    merge: bool | None = None,
    merge_content: bool = True,
) -> Built:
    """The change the index makes relative to HEAD (HEAD's parent for --amend).

    While a merge is in progress the change is the merge's own content: the index against
    git's automatic merge of HEAD and MERGE_HEAD (`merge_content=False`: against HEAD,
    what the gate needs). An octopus merge is seen against HEAD and is the lead's alone.
    """
    head = repo.head()
    base_rev = head
    if amend and head is not None:
        parents = repo.read_commits([head])[0].parents
        base_rev = parents[0] if parents else None
    is_merge = repo.merge_in_progress() if merge is None else merge
    heads = merge_heads(repo) if is_merge and head is not None else []
    diff_from = base_rev
    if merge_content and len(heads) == 1 and head is not None:
        diff_from = repo.merge_trees([(head, heads[0])])[0][0]
    before: Side = TreeSide(repo, diff_from) if diff_from else EmptySide()
    files = file_changes(repo.staged_diff(diff_from))
    after = IndexSide(repo, staged_entries(files))
    # First commit: there is no HEAD to read the policy from, so the index is the base.
    base_side: Side = (
        (before if diff_from == base_rev else TreeSide(repo, base_rev)) if base_rev else after
    )
    where = f"commit {base_rev[:12]}" if base_rev else "the index"
    base = load_base(base_side.read, where, policy_cache(repo))
    claim = agent_claim(repo)
    actor = resolve_actor(base.structure, message, claim)
    verdict = None
    if base.policy.identity.mode == "signed" and base_rev is not None:
        # The commit does not exist yet: the key git will sign it with names the actor.
        # (A first commit reads its policy from itself: its own signers would prove nothing.)
        from taskgate.identity.verdict import judge_local

        verdict = judge_local(
            repo.config, repo.root, base_side.read, base.policy, base.structure, where, actor
        )
        if verdict.actor is not None:
            actor = verdict.actor
            claim = None  # the key supersedes a claimed taskgate.agent (TG706, not TG109)
        if stage is Stage.PRE_COMMIT:
            # The actor's rules wait for the message: the refusal then says both what is
            # out of lane and that the scope disagrees with the key (TG706).
            actor = None
    change = Change(
        files=files,
        before=before,
        after=after,
        stage=stage,
        structure=base.structure,
        message=message,
        actor=actor,
        agent_claim=claim,
        is_merge=is_merge,
        hints=lambda: _hints(repo.staged_patch()),
        merge_content=merge_content and bool(heads),
        verdict=verdict,
    )
    return Built(change, base.policy, base.problems)


def merge_heads(repo: Repo) -> list[str]:
    """The commits being merged into HEAD (MERGE_HEAD: one a line; several: an octopus)."""
    try:
        text = (repo.git_dir / "MERGE_HEAD").read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def _hints(patch: bytes | None) -> Hints | None:
    if patch is None:
        return None
    return parse_patch(patch)


class CommitChanges:
    """Builds Changes for many commits, caching each distinct base policy once."""

    def __init__(self, repo: Repo, stage: Stage = Stage.CI) -> None:
        self.repo = repo
        self.stage = stage
        self._bases: dict[tuple[bytes | None, ...], Base] = {}
        self._probes: dict[tuple[bytes | None, bytes | None], Policy] = {}
        self._claim = agent_claim(repo) if stage is not Stage.CI else None
        self._expected: Sequence[CommitInfo] = ()
        self._signed: SignedRange | None = None  # from the first signed-mode base on

    def _signed_range(self) -> "SignedRange":
        if self._signed is None:
            from taskgate.identity.commits import SignedRange

            self._signed = SignedRange(self.repo)
            self._signed.expect(self._expected, None)
        return self._signed

    def expect(self, infos: Sequence[CommitInfo]) -> None:
        """The commits `build` will be asked for, in order (lets signed mode verify ahead)."""
        self._expected = infos
        if infos:
            first = infos[0]
            policy = self.base_for(first.parents[0] if first.parents else None, first.sha).policy
            if policy.identity.mode == "signed":
                self._signed_range().expect(infos, policy.identity.allowed_signers)

    def prefetch(self, revs: Iterable[str]) -> None:
        """Read the base files of many commits in one pipelined cat-file exchange."""
        revs = list(revs)
        files = ("taskgate.toml", "pyproject.toml", Paths().structure)
        names = [f"{rev}:{path}" for rev in revs for path in files]
        signers = self._signed.prefetch_names(revs) if self._signed else []
        self.repo.objects.read_many(names + signers)

    def base_for(self, parent: str | None, first_commit: str) -> Base:
        """Policy and structure from the first parent (from the commit itself for a root)."""
        rev = parent or first_commit
        side = TreeSide(self.repo, rev)
        own, pyproject = side.read("taskgate.toml"), side.read("pyproject.toml")
        # Thousands of commits share a handful of policies: parse each distinct one once.
        probe = self._probes.get((own, pyproject))
        if probe is None:
            where = f"commit {rev[:12]}"
            probe = self._probes[(own, pyproject)] = load_policy(
                side.read, where, rule_ids=RULE_IDS
            )
        key = (own, pyproject, side.read(probe.paths.structure))
        if key not in self._bases:
            self._bases[key] = load_base(side.read, f"commit {rev[:12]}")
        return self._bases[key]

    def build(
        self,
        info: CommitInfo,
        diff: list[RawDiff],
        *,
        base: Base | None = None,
        against: str | None = None,
        identity: tuple[str, Base] | None = None,
    ) -> Built:
        """The commit's change against its first parent, or against `against` (the tree of
        git's automatic merge of a merge's parents: the change is then the merge's own
        content). `base` overrides the first parent's policy and module map; `identity`,
        (commit, its base), the commit whose identity mode and allowed signers judge the
        signature (default: the first parent and `base`)."""
        from taskgate.message import message_from_bytes

        parent = info.parents[0] if info.parents else None
        if base is None:
            base = self.base_for(parent, info.sha)
        # Stored messages are already cleaned by git; only normalise white space.
        message = message_from_bytes(info.message, None, "whitespace")
        old = against or parent
        before: Side = TreeSide(self.repo, old, old_blobs(diff)) if old else EmptySide()
        actor = resolve_actor(base.structure, message, None)
        verdict = None
        rev, policy = (identity[0], identity[1].policy) if identity else (parent, base.policy)
        if policy.identity.mode == "signed" and parent is not None and rev is not None:
            # The signature names the actor; the scope is only a claim (SPEC §10.4). A root
            # commit supplies its own allowed signers, so its signature would prove nothing.
            verdict = self._signed_range().verdict(info, rev, policy, base.structure, actor)
            actor = verdict.actor or actor
        if self._signed is not None and against is None and parent is not None:
            self._signed.carry(info, parent, diff)  # the signers files, along the diffs
        change = Change(
            files=file_changes(diff),
            before=before,
            after=TreeSide(self.repo, info.sha, new_blobs(diff)),
            stage=self.stage,
            structure=base.structure,
            message=message,
            actor=actor,
            agent_claim=None,
            is_merge=len(info.parents) > 1,
            commit=info.sha,
            merge_content=against is not None or len(info.parents) > 2,
            verdict=verdict,
        )
        return Built(change, base.policy, base.problems)
