"""Adoption on existing history: `[history] baseline` names the last commit before taskgate.

A repository that adopts taskgate has commits that were never meant to pass it
(`Initial commit`, `wip`). `taskgate init` writes the commit id of HEAD as
`history.baseline`; `ci`, pre-push and pre-receive then leave that commit and its
ancestors alone, so the first push needs no history rewrite, while every commit
after the baseline is judged as before.

The baseline comes from a policy the pushed change did not choose: the policy at the
range's base (the old value of the updated ref, the server's HEAD), and only where
there is no base at all (an empty server, a whole-history range) from the tip's.
"""

from __future__ import annotations

from collections.abc import Iterable

from taskgate.errors import TaskgateError
from taskgate.git import Repo
from taskgate.gitsides import TreeSide
from taskgate.policy import load_policy
from taskgate.rules.catalog import RULE_IDS


def baselines(repo: Repo, revs: Iterable[str | None]) -> list[str]:
    """The baselines the policies at `revs` name (commits of this repository)."""
    found: dict[str, None] = {}
    for rev in dict.fromkeys(r for r in revs if r):
        policy = load_policy(TreeSide(repo, rev).read, f"commit {rev[:12]}", rule_ids=RULE_IDS)
        baseline = policy.history.baseline
        if baseline is None or baseline in found:
            continue
        if repo.objects.object_id(f"{baseline}^{{commit}}", "commit") is None:
            raise TaskgateError(
                f"{policy.source}: history.baseline names commit {baseline[:12]}, which this "
                "repository does not have; push the history it names, or correct the key"
            )
        found[baseline] = None
    return list(found)


def excluding(base_revs: Iterable[str | None], tip_revs: Iterable[str | None]) -> list[str]:
    """The revisions whose policies name the baseline: the bases, or the tips if none."""
    bases = [r for r in base_revs if r]
    return bases or [r for r in tip_revs if r]


def not_judged(repo: Repo, revs: Iterable[str | None]) -> tuple[str, ...]:
    """`rev-list` arguments that leave the baseline commits and their ancestors out."""
    return tuple(baselines(repo, revs))
