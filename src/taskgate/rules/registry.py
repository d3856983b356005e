"""The rule registry: rules with their documentation, and the checks that emit them.

A *rule* is one `Rule` object with keyword fields: its id, name, the stages it runs
in, and its documentation (what / why / example / fix, as `taskgate explain` prints
it). Each is defined with `rule(...)` beside its check, in the module of its family.
A *check* is a pure function `(Change, Policy) -> Iterable[Finding]` registered with
`@check(RULE, ...)` for the rules it emits; it runs in the stages those rules declare.
A few ids come from outside the checks (the gate, `ci`, the pre-push hook, the agent
guard): their rules are defined beside what emits them.
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

# Where a rule runs: the stages of a Change, and `taskgate guard` before an agent's tool
# call (not a Change stage: no commit is involved).
AGENT = "agent"
EVERY_STAGE = frozenset({Stage.PRE_COMMIT, Stage.COMMIT_MSG, Stage.CHECK, Stage.CI})
PRE_COMMIT_CHECK_CI = frozenset({Stage.PRE_COMMIT, Stage.CHECK, Stage.CI})
COMMIT_MSG_CHECK_CI = frozenset({Stage.COMMIT_MSG, Stage.CHECK, Stage.CI})
CI_ONLY = frozenset({Stage.CI})
AGENT_ONLY = frozenset({AGENT})

# Rule families with a check, in the order their checks run, each with the stages its
# checks run in: a hook imports only the families of its stage (the commit-msg path
# stays light). tests/test_rule_registry.py proves these are the stages of the checks.
FAMILIES: dict[str, frozenset[str]] = {
    "taskgate.rules.message": COMMIT_MSG_CHECK_CI,
    "taskgate.rules.claims": COMMIT_MSG_CHECK_CI,
    "taskgate.rules.identity": EVERY_STAGE,
    "taskgate.rules.workflow": EVERY_STAGE,
    "taskgate.rules.lanes": EVERY_STAGE,
    "taskgate.rules.activetask": EVERY_STAGE,
    "taskgate.rules.board": EVERY_STAGE,
    # Before the integrity rules: TG404 reads every changed Python file whole, after which
    # TG605 finds their sizes in memory instead of asking git for them.
    "taskgate.rules.python": PRE_COMMIT_CHECK_CI,
    "taskgate.rules.contracts": EVERY_STAGE,
    "taskgate.rules.testintegrity": EVERY_STAGE,
    "taskgate.rules.suppressions": EVERY_STAGE,
    "taskgate.rules.secrets": PRE_COMMIT_CHECK_CI,
    "taskgate.rules.junk": PRE_COMMIT_CHECK_CI,
    "taskgate.rules.policyfile": EVERY_STAGE,
    "taskgate.rules.history": EVERY_STAGE,
}


class Rule(NamedTuple):
    """One rule id, where it runs, and its documentation."""

    id: str
    name: str
    stages: frozenset[str]  # Stage values (and AGENT) where its check or emitter runs
    summary: str
    what: str
    why: str
    example: str
    fix: str
    # The stage `taskgate rules` shows when it is not the one `stages` implies: kept as
    # printed before the registry knew the stages (see stage_label).
    shown_stage: str = ""
    # The reference `taskgate explain` points to: "policy" or "board" (docs/*-reference.md).
    see_also: str = "policy"

    @property
    def stage(self) -> str:
        """The stage as `taskgate rules`, `explain` and SARIF show it (SPEC §7)."""
        return self.shown_stage or stage_label(self.stages, _needs_actor(self.id))


def stage_label(stages: frozenset[str], needs_actor: bool) -> str:
    """pre = pre-commit hook, msg = commit-msg hook (needs the actor), ci = ci / pre-push /
    pre-receive only, agent = `taskgate guard`."""
    if stages == AGENT_ONLY:
        return "agent"
    if stages == CI_ONLY:
        return "ci"
    if Stage.PRE_COMMIT in stages and not needs_actor:
        return "pre"
    return "msg"


class Check(NamedTuple):
    """A registered check: the ids it emits, where it runs and what it needs."""

    fn: CheckFn
    ids: tuple[str, ...]
    stages: frozenset[str]
    needs_message: bool
    needs_actor: bool
    family: str


_RULES: dict[str, Rule] = {}
_CHECKS: list[Check] = []
_loaded: set[str] = set()


def rule(
    *,
    id: str,
    name: str,
    stages: frozenset[str],
    summary: str,
    what: str,
    why: str,
    example: str,
    fix: str,
    shown_stage: str = "",
    see_also: str = "policy",
) -> Rule:
    """Define a rule (once: a second definition of an id is a programming error)."""
    if id in _RULES:
        raise ValueError(f"rule {id} is defined twice")
    made = Rule(id, name, stages, summary, what, why, example, fix, shown_stage, see_also)
    _RULES[id] = made
    return made


def check(
    *rules: Rule, needs_message: bool = False, needs_actor: bool = False
) -> Callable[[CheckFn], CheckFn]:
    """Register a check emitting `rules`; it runs in the stages they declare (one set)."""
    stages = rules[0].stages
    if any(r.stages != stages for r in rules):
        raise ValueError(f"one check, one set of stages: {[r.id for r in rules]}")

    def register(fn: CheckFn) -> CheckFn:
        ids = tuple(r.id for r in rules)
        _CHECKS.append(Check(fn, ids, stages, needs_message, needs_actor, fn.__module__))
        return fn

    return register


# Families whose every check needs the actor: a change without one (a pre-commit hook
# with no agent named) runs none of them, so they are not imported for it.
# tests/test_rule_registry.py proves every check in them needs the actor.
NEED_THE_ACTOR = frozenset(
    {
        "taskgate.rules.lanes",
        "taskgate.rules.activetask",
        "taskgate.rules.board",
        "taskgate.rules.contracts",
        "taskgate.rules.testintegrity",
        "taskgate.rules.suppressions",
    }
)


def load_families(stage: str | None = None, have_actor: bool = True) -> None:
    """Import the families with a check at `stage` (None: every family); without the
    actor, not the families that only judge what an actor may do."""
    for name, stages in FAMILIES.items():
        if name in _loaded or (stage is not None and stage not in stages):
            continue
        if have_actor or name not in NEED_THE_ACTOR:
            import_module(name)
            _loaded.add(name)


def registered_checks(stage: str | None = None, have_actor: bool = True) -> list[Check]:
    """The checks of the families loaded for `stage` (None: all), in the families' order."""
    load_families(stage, have_actor)
    order = {name: i for i, name in enumerate(FAMILIES)}
    # Families load per stage, so registration order need not be the families' order.
    return sorted(_CHECKS, key=lambda c: order.get(c.family, len(order)))


def defined_rules() -> dict[str, Rule]:
    """Every rule defined so far, by id (`taskgate.rules.catalog` imports them all)."""
    return dict(_RULES)


def _needs_actor(rule_id: str) -> bool:
    return any(rule_id in c.ids and c.needs_actor for c in _CHECKS)


def selected(check_: Check, stage: Stage, have_message: bool, have_actor: bool) -> bool:
    """Whether a check runs at `stage` with what the change offers."""
    if check_.needs_message and not have_message:
        return False
    if check_.needs_actor and not have_actor:
        return False
    return stage in check_.stages


def run_checks(change: Change, policy: Policy) -> list[Finding]:
    """Run every selected check and apply the policy's ignore/warn lists."""
    findings: list[Finding] = []
    have_message = change.message is not None
    have_actor = change.actor is not None
    for chk in registered_checks(change.stage, have_actor):
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
