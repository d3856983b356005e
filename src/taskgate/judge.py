"""Judging a range's commits: each under its own policy, and a stale one under the range
base's too (SPEC §10.3); `taskgate.ci.check_commits` drives it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from taskgate.finding import Finding, Severity
from taskgate.git import CommitInfo
from taskgate.policy import Policy
from taskgate.rules.registry import run_checks
from taskgate.sources import Base, Built


class Judge:
    """Runs the rules on each change under its own policy and the range base's policy."""

    def __init__(self, anchor: Base | None) -> None:
        self.anchor = anchor
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
        """`rebuild`: the commit is built on a policy older than the range's base (None: not)."""
        found = [*extra, *run_checks(built.change, built.policy)]
        anchor = self.anchor
        if (
            rebuild is not None
            and anchor is not None
            and self._policy_differs(built.policy, anchor.policy)
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
