"""`taskgate ci`: re-check a range of commits one by one, then the gate on the tip.

Every non-merge commit of the range is checked on its own, against the policy and
module map of its first parent, with every rule (Stage.CI). History is read in
batches whatever the length of the range: one `rev-list`, one `diff-tree --stdin`
for all the diffs, and the one `cat-file --batch` process for the commits and the
files the rules read. pre-push and pre-receive (`taskgate.push`) share this code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from taskgate.builders import Base, Built, CommitChanges
from taskgate.change import Change, EmptySide, Role, Side, Stage
from taskgate.errors import GitError, TaskgateError
from taskgate.finding import Finding
from taskgate.git import CommitInfo, RawDiff, Repo
from taskgate.gitsides import TreeSide, file_changes, new_blobs
from taskgate.judge import Judge
from taskgate.outcome import Outcome
from taskgate.rules.registry import apply_policy
from taskgate.workflow.structure import Structure

FULL_HISTORY_FIX = (
    "fetch the full history: `git fetch --unshallow` (and `git fetch origin <base branch>`); "
    "in GitHub Actions give actions/checkout `fetch-depth: 0`, in GitLab CI set "
    "`GIT_DEPTH: 0`"
)


# Commits whose files are read in one pipelined cat-file exchange (and then forgotten).
BATCH = 256


class Range(NamedTuple):
    """A resolved range: every commit reachable from `tip` and not from `base`."""

    text: str
    base: str | None  # None: the tip's whole history
    tip: str


class Checked(NamedTuple):
    """What checking a list of commits found, and which modules those commits touched."""

    findings: list[Finding]
    modules: list[str]  # names, in the order the commits first touched them
    commits: int  # non-merge commits checked
    merges: int  # merge commits with nothing of their own (nothing to judge)
    judged_merges: int = 0  # merge commits judged on what they hold beyond git's own merge
    # Modules the lead's commits touched: their tests may change (the gate's accounting).
    lead_modules: frozenset[str] = frozenset()


# --- the range ------------------------------------------------------------------


def default_range(repo: Repo, env: Mapping[str, str]) -> str:
    """The pull request's base in GitHub Actions or GitLab CI, else the upstream branch."""
    github_base = env.get("GITHUB_BASE_REF", "").strip()
    if github_base:
        return f"origin/{github_base}...HEAD"
    gitlab_target = env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "").strip()
    if gitlab_target:
        return f"origin/{gitlab_target}...HEAD"
    if _resolve(repo, "@{upstream}") is not None:
        return "@{upstream}..HEAD"
    raise TaskgateError(
        "no range to check: this is not a pull request build (GITHUB_BASE_REF, "
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME) and the current branch has no upstream; "
        "pass the range, e.g. `taskgate ci --range origin/main..HEAD`"
    )


def _resolve(repo: Repo, rev: str) -> str | None:
    try:
        return repo.resolve(rev)
    except GitError:
        return None  # "no upstream configured", "ambiguous argument": not a commit here


def resolve_range(repo: Repo, text: str) -> Range:
    """`A..B` or `A...B` (the commits of B since it left A), or `B` (all of B's history)."""
    if repo.shallow:
        # A cut history would silently check fewer commits than the range holds.
        raise TaskgateError(f"this clone is shallow, so the range {text} cannot be checked; "
                            + FULL_HISTORY_FIX)  # fmt: skip
    sep = "..." if "..." in text else ".." if ".." in text else None
    left, right = text.split(sep, 1) if sep else (None, text)
    right = right.strip() or "HEAD"
    for rev in (left, right):
        if rev is not None and rev.strip().startswith("-"):
            raise TaskgateError(f"--range {text}: '{rev}' is not a revision")
    tip = _resolve(repo, right)
    if tip is None:
        raise TaskgateError(f"--range {text}: '{right}' is not a commit in this repository")
    base = None
    if left is not None:
        left = left.strip() or "HEAD"
        base = _resolve(repo, left)
        if base is None:
            raise TaskgateError(
                f"the base of the range {text}, '{left}', is not in this clone, so the range "
                f"cannot be checked; {FULL_HISTORY_FIX}"
            )
    return Range(text, base, tip)


def range_commits(repo: Repo, rng: Range) -> list[str]:
    """The range's commits, oldest first (parents before children)."""
    exclude = ("--not", rng.base) if rng.base else ()
    return repo.rev_list("--reverse", "--topo-order", rng.tip, *exclude)


# --- checking commits -----------------------------------------------------------


def check_commits(
    repo: Repo,
    shas: Sequence[str],
    *,
    rules: bool = True,
    range_base: str | None = None,
    history_before: bool = False,
) -> Checked:
    """`_check_commits`, then no signature verifier left running (signed mode)."""
    try:
        return _check_commits(repo, shas, rules, range_base, history_before)
    finally:
        # Only signed mode imports the verifier; importing it here just to close it
        # would cost every claimed-mode ci, pre-push and pre-receive its imports (~6 ms).
        ahead = sys.modules.get("taskgate.identity.ahead")
        if ahead is not None:
            ahead.VERIFIER.close()


def _check_commits(
    repo: Repo, shas: Sequence[str], rules: bool, range_base: str | None, history_before: bool
) -> Checked:
    """Every commit on its own, each under its first parent's policy and module map.

    `range_base`: the commit the range lands on (a pushed ref's old value, a `ci` range's
    base); a commit whose first parent does not descend from it was built on an older
    policy and must also pass under the policy there, so a stale base gains nothing
    (SPEC §10.3). `history_before`: the repository has
    history outside `shas`, so a parentless commit among them is refused (TG208).

    A merge is judged on its own content: its tree against git's automatic merge of its
    parents (`taskgate.merges`); with nothing of its own it only counts for the modules
    its first-parent diff touches (the gate's input).
    """
    from taskgate.merges import merge_contents

    infos = repo.read_commits(shas)
    pairs = [(info.parents[0] if info.parents else None, info.sha) for info in infos]
    builder = CommitChanges(repo, Stage.CI)
    builder.expect(infos)  # signed mode: the signatures are checked from now on, aside
    diffs = repo.commit_diffs(pairs)
    own = merge_contents(repo, infos) if rules else {}
    anchor = builder.base_for(range_base, range_base) if rules and range_base else None
    first_root: Base | None = None
    judge = Judge(anchor, repo, range_base)
    # Commits that descend from the range's base: a policy change made inside the range
    # (by the lead, judged itself) takes effect from the next commit on. A commit whose
    # first parent does not descend from the base was built on an older policy.
    current = {range_base}
    for info in infos:
        if any(p in current for p in info.parents):
            current.add(info.sha)
    modules: dict[str, None] = {}
    merges = judged_merges = 0
    lead_modules: set[str] = set()
    for start in range(0, len(infos), BATCH):
        batch = range(start, min(start + BATCH, len(infos)))
        # One pipelined exchange per batch for what building and checking will read: the
        # base files, and the changed files by blob id (a round trip each would dominate).
        builder.prefetch(pairs[i][0] or pairs[i][1] for i in batch)
        if rules:
            repo.objects.read_many(
                [
                    oid
                    for i in batch
                    for diff in ((own[infos[i].sha][1],) if infos[i].sha in own else (diffs[i],))
                    for oid in new_blobs(diff).values()
                ]
            )
        for i in batch:
            info = infos[i]
            built = builder.build(info, diffs[i])
            actor = built.change.actor
            for module in built.change.modules_touched():
                modules.setdefault(module.name, None)
                if actor is not None and actor.role is Role.LEAD:
                    lead_modules.add(module.name)
            if not rules:
                merges += len(info.parents) > 1
                continue
            extra: list[Finding] = []
            diff, against, over = diffs[i], None, None
            if not info.parents:
                if history_before or first_root is not None:
                    # Never its own policy: the range's base, else the history's first root.
                    over = anchor or first_root or builder.base_for(None, info.sha)
                    extra.extend(_new_root(builder.build(info, diff, base=over), over))
                else:
                    first_root = builder.base_for(None, info.sha)
            elif len(info.parents) == 2:
                against, diff = own[info.sha]
                if not diff:
                    merges += 1
                    if built.policy.identity.mode == "signed":
                        # Nothing of its own to judge, but it must still prove who made it.
                        from taskgate.rules.identity import identity_findings

                        found = apply_policy(
                            identity_findings(built.change, built.policy), built.policy
                        )
                        judge.add(info, found, ())
                    continue
                judged_merges += 1
            elif len(info.parents) > 2:
                judged_merges += 1
                actor = built.change.actor
                if actor is None or actor.role is not Role.LEAD:
                    judge.add(info, [_octopus(built, len(info.parents))], built.problems)
                    continue

            def rebuild(
                info: CommitInfo = info,
                diff: list[RawDiff] = diff,
                against: str | None = against,
                over: Base | None = over,
                anchored: bool = False,
            ) -> Built:
                # Anchored: judged under the range base's policy, identity included.
                at = (range_base, anchor) if anchored and range_base and anchor else None
                return builder.build(info, diff, against=against, base=over, identity=at)

            stale = bool(info.parents) and info.parents[0] not in current
            judge.run(
                info,
                built if against is None and over is None else rebuild(),
                extra,
                (lambda: rebuild(anchored=True)) if stale else None,
            )
        # Memory stays at one batch's files, however long the history.
        repo.objects.clear()
    checked_commits = len(infos) - merges - judged_merges
    return Checked(
        judge.findings,
        list(modules),
        checked_commits,
        merges,
        judged_merges,
        frozenset(lead_modules),
    )


def _new_root(built: Built, base: Base) -> list[Finding]:
    actor = built.change.actor
    if actor is not None and actor.role is Role.LEAD and base.policy.history.allow_new_roots:
        return []
    allowed = base.policy.history.allow_new_roots
    return apply_policy(
        [
            Finding(
                "TG208",
                "a commit without parents in a repository that already has history: it "
                "would bring its own policy and module map",
                hint="branch from the existing history (git rebase --onto <base> --root)"
                + (
                    "; only the lead may start a new root here"
                    if allowed
                    else "; the lead allows deliberate new roots with [history] "
                    "allow_new_roots = true"
                ),
            )
        ],
        base.policy,
    )


def _octopus(built: Built, parents: int) -> Finding:
    from taskgate.rules.history import octopus_finding

    return octopus_finding(built.change.actor, parents)


def summary(checked: Checked) -> str:
    """'12 commits, 1 merge exempt' for the closing notes."""
    text = f"{checked.commits} commit{'s' * (checked.commits != 1)}"
    if checked.merges:
        text += (
            f", {checked.merges} merge{'s' * (checked.merges != 1)} exempt "
            "(nothing of their own beyond git's automatic merge)"
        )
    if checked.judged_merges:
        n = checked.judged_merges
        text += f", {n} merge{'s' * (n != 1)} judged on their own content"
    return text


# --- the gate on the tip --------------------------------------------------------


def gate_tip(
    repo: Repo,
    tip: str,
    since: str | None,
    modules: Iterable[str],
    *,
    use_cache: bool,
    only: str | None = None,
    pre_push: bool = False,
    excused: frozenset[str] = frozenset(),
) -> tuple[list[Finding], list[str]]:
    """The gate on the tip's tree for `modules` (or `only`), with the tip's base policy."""
    info = repo.read_commits([tip])[0]
    parent = info.parents[0] if info.parents else None
    base = CommitChanges(repo, Stage.CI).base_for(parent, tip)
    if pre_push and not base.policy.gate.pre_push:
        return [], ["gate: not run on pre-push ([gate] pre_push = true turns it on)"]
    structure = base.structure
    if only is not None:
        known = list(structure.modules) if structure is not None else []
        if only not in known:
            raise TaskgateError(
                f"--module {only}: no such module in {base.policy.paths.structure} at "
                f"{tip[:12]} (modules: {', '.join(known) or 'none'})"
            )
        wanted = [only]
    else:
        wanted = [m for m in modules if structure is not None and m in structure.modules]
    if not wanted:
        return [], ["gate: no module touched"]
    if not base.policy.gate.enabled:
        return [], ["gate: off ([gate] enabled = false)"]
    try:
        from taskgate.gate import run_gate
    except ImportError as exc:
        if exc.name != "taskgate.gate":
            raise
        return [], ["gate: not available in this installation of taskgate"]
    change = _tip_change(repo, info, since, structure)
    result = run_gate(
        repo, change, base.policy, use_cache=use_cache, modules=wanted, server=True,
        excused=excused,
    )  # fmt: skip
    found = [f.at_commit(info.sha, info.subject) for f in result.findings]
    return found, list(result.notes)


def _tip_change(
    repo: Repo, info: CommitInfo, since: str | None, structure: Structure | None
) -> Change:
    """What the whole range changes, seen from the tip (its files are the gate's input)."""
    from taskgate.message import message_from_bytes

    before: Side = TreeSide(repo, since) if since else EmptySide()
    return Change(
        files=file_changes(repo.commit_diff(since, info.sha)),
        before=before,
        after=TreeSide(repo, info.sha),
        stage=Stage.CI,
        structure=structure,
        message=message_from_bytes(info.message, None, "whitespace"),
        is_merge=len(info.parents) > 1,
        commit=info.sha,
    )


# --- the command ----------------------------------------------------------------


def run_ci_command(repo: Repo, args: Any) -> Outcome | str:
    """`taskgate ci`: an Outcome to report, or (with --plan) the JSON text to print."""
    if args.module is not None and not args.gate_only:
        raise TaskgateError("--module goes with --gate-only (one module's gate)")
    if args.gate_only and args.no_gate:
        raise TaskgateError("--gate-only and --no-gate contradict each other")
    rng = resolve_range(repo, args.range_ or default_range(repo, os.environ))
    shas = range_commits(repo, rng)
    from taskgate.adoption import excluding, not_judged

    old = not_judged(repo, excluding([rng.base], [rng.tip]))
    if old and shas:
        # [history] baseline: the commits from before taskgate are not judged.
        exclude = ("--not", *([rng.base] if rng.base else []), *old)
        shas = repo.rev_list("--reverse", "--topo-order", rng.tip, *exclude)
    if args.plan:
        import json

        return json.dumps(check_commits(repo, shas, rules=False).modules) + "\n"
    outcome = Outcome(title="ci")
    if args.gate_only:
        listed = check_commits(repo, shas, rules=False)
        touched = [] if args.module else listed.modules
        found, notes = gate_tip(
            repo, rng.tip, rng.base, touched, use_cache=not args.no_cache, only=args.module,
            excused=listed.lead_modules,
        )  # fmt: skip
        outcome.findings.extend(found)
        outcome.notes.extend(notes)
        return outcome
    checked = check_commits(repo, shas, range_base=rng.base, history_before=rng.base is not None)
    outcome.findings.extend(checked.findings)
    outcome.notes.append(f"checked {summary(checked)} in {rng.text}")
    if not args.no_gate and shas:
        found, notes = gate_tip(
            repo, rng.tip, rng.base, checked.modules, use_cache=not args.no_cache,
            excused=checked.lead_modules,
        )  # fmt: skip
        outcome.findings.extend(found)
        outcome.notes.extend(notes)
    return outcome
