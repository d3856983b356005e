"""Judging a range's commits: each under its own policy, and a stale one under the range
base's too (SPEC §10.3); `taskgate.ci.check_commits` drives it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from taskgate.builders import Base, Built
from taskgate.finding import Finding, Severity
from taskgate.git import CommitInfo, Repo
from taskgate.gitsides import TreeSide
from taskgate.policy import Policy
from taskgate.rules.registry import run_checks


class Judge:
    """Runs the rules on each change under its own policy and the range base's policy."""

    def __init__(
        self, anchor: Base | None, repo: Repo | None = None, at: str | None = None
    ) -> None:
        """`anchor`: the base of the range (`at`, read through `repo`), None: no base."""
        self.anchor = anchor
        self.repo = repo
        self.at = at
        self.findings: list[Finding] = []
        self._reported: set[Finding] = set()
        self._differs: dict[int, bool] = {}

    def add(self, info: CommitInfo, found: Iterable[Finding], problems: Iterable[Finding]) -> None:
        # A broken module map at the base is said once, not once per commit built on it.
        fresh = [p for p in problems if p not in self._reported]
        self._reported.update(fresh)
        for finding in (*fresh, *found):
            self.findings.append(finding.at_commit(info.sha, info.subject))

    def run(
        self,
        info: CommitInfo,
        built: Built,
        extra: list[Finding],
        rebuild: Callable[[], Built] | None,
    ) -> None:
        """`rebuild`: the commit is built on a policy older than the range's base (None: not);
        it builds the change again with its signature judged at the range's base."""
        found = [*extra, *run_checks(built.change, built.policy)]
        anchor = self.anchor
        if (
            rebuild is not None
            and anchor is not None
            and (
                self._policy_differs(built.policy, anchor.policy)
                or self._signers_differ(info.parents[0], anchor.policy)
            )
        ):
            # Built on an older (or newer) policy: the one the range lands on judges it too.
            again = rebuild()
            seen = set(found)
            note = f" (under the policy of {anchor.policy.source})"
            for finding in run_checks(again.change, anchor.policy):
                if finding not in seen and finding._replace(severity=Severity.ERROR) not in seen:
                    found.append(finding._replace(message=finding.message + note))
        self.add(info, found, built.problems)

    def _policy_differs(self, policy: Policy, other: Policy) -> bool:
        key = id(policy)
        if key not in self._differs:
            self._differs[key] = policy._replace(source="") != other._replace(source="")
        return self._differs[key]

    def _signers_differ(self, parent: str, policy: Policy) -> bool:
        """Signed mode: whether the allowed signers at `parent` are not those at the base
        (a key the lead removed there must not sign a commit built on an older parent)."""
        if policy.identity.mode != "signed" or self.repo is None or self.at is None:
            return False
        path = policy.identity.allowed_signers
        return TreeSide(self.repo, parent).read(path) != TreeSide(self.repo, self.at).read(path)
