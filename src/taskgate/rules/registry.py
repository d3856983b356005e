"""The rule registry: ids with their documentation, and the checks that emit them.

A *rule* is an id with a name, a stage and documentation (what / why / example /
fix, as `taskgate explain` prints it). A *check* is a pure function
`(Change, Policy) -> Iterable[Finding]` registered for the ids it may emit.
"""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

from collections.abc import Callable, Iterable
from importlib import import_module
from typing import NamedTuple

from taskgate.change import Change, Stage
from taskgate.finding import Finding, Severity
from taskgate.policy import Policy

CheckFn = Callable[["Change", "Policy"], Iterable[Finding]]

# Rule families, imported on demand (each registers its checks when imported).
FAMILIES = (
    "taskgate.rules.message",
    "taskgate.rules.identity",
    "taskgate.rules.workflow",
    "taskgate.rules.lanes",
    "taskgate.rules.board",
    # Before the integrity rules: TG404 reads every changed Python file whole, after which
    # TG605 finds their sizes in memory instead of asking git for them.
    "taskgate.rules.python",
    "taskgate.rules.contracts",
    "taskgate.rules.testintegrity",
    "taskgate.rules.suppressions",
    "taskgate.rules.secrets",
    "taskgate.rules.junk",
    "taskgate.rules.policyfile",
    "taskgate.rules.history",
)


class Rule(NamedTuple):
    """One rule id and its documentation."""

    id: str
    name: str
    stage: str  # "msg", "pre" or "ci" (SPEC §7)
    summary: str
    what: str
    why: str
    example: str
    fix: str


class Check(NamedTuple):
    """A registered check: the ids it emits and what it needs from the change."""

    fn: CheckFn
    ids: tuple[str, ...]
    stage: str
    needs_message: bool
    needs_actor: bool


_CHECKS: list[Check] = []
_loaded = False


def check(
    *ids: str, stage: str, needs_message: bool = False, needs_actor: bool = False
) -> Callable[[CheckFn], CheckFn]:
    """Register a check emitting `ids`. Stage "pre" needs no actor; "msg" may need one."""

    def register(fn: CheckFn) -> CheckFn:
        _CHECKS.append(Check(fn, ids, stage, needs_message, needs_actor))
        return fn

    return register


def load_families() -> None:
    global _loaded
    if not _loaded:
        for name in FAMILIES:
            try:
                import_module(name)
            except ModuleNotFoundError as exc:
                # A family that is not written yet registers nothing.
                if exc.name != name:
                    raise
        _loaded = True


def registered_checks() -> list[Check]:
    load_families()
    return list(_CHECKS)


def known_rule_ids() -> frozenset[str]:
    from taskgate.rules.catalog import RULES

    return frozenset(RULES)


def selected(check_: Check, stage: Stage, have_message: bool, have_actor: bool) -> bool:
    """Whether a check runs at `stage` with what the change offers."""
    if check_.needs_message and not have_message:
        return False
    if check_.needs_actor and not have_actor:
        return False
    if stage is Stage.PRE_COMMIT:
        # "msg" checks run early only when the actor is already known (TASKGATE_AGENT).
        return check_.stage == "pre" or (check_.stage == "msg" and have_actor)
    if stage is Stage.COMMIT_MSG:
        return check_.stage == "msg"
    if stage is Stage.CHECK:
        return check_.stage in ("pre", "msg")
    return True  # CI re-checks everything


def run_checks(change: Change, policy: Policy) -> list[Finding]:
    """Run every selected check and apply the policy's ignore/warn lists."""
    findings: list[Finding] = []
    have_message = change.message is not None
    have_actor = change.actor is not None
    for chk in registered_checks():
        if not selected(chk, change.stage, have_message, have_actor):
            continue
        if all(i in policy.rules.ignore for i in chk.ids):
            continue
        findings.extend(chk.fn(change, policy))
    return apply_policy(findings, policy)


def apply_policy(findings: Iterable[Finding], policy: Policy) -> list[Finding]:
    out = []
    for f in findings:
        if f.rule in policy.rules.ignore:
            continue
        if f.rule in policy.rules.warn and f.severity is Severity.ERROR:
            f = f.with_severity(Severity.WARNING)
        out.append(f)
    return out
