"""The rule registry (issue 11, "a rule in one hop"): every rule id has exactly one
definition, documentation, and a check or a named emitter outside the checks; the
stages a rule declares are the stages its check runs in, found by running the registry
stage by stage."""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import import_module
from pathlib import Path

import pytest

from taskgate.change import Actor, Change, EmptySide, Role, Stage
from taskgate.finding import Finding
from taskgate.message import message_from_bytes
from taskgate.policy import Policy
from taskgate.rules import registry
from taskgate.rules.catalog import DEFINED_IN, RULE_IDS, all_rules
from taskgate.rules.registry import (
    AGENT,
    EVERY_STAGE,
    FAMILIES,
    NEED_THE_ACTOR,
    Check,
    registered_checks,
)

SRC = Path(registry.__file__).resolve().parents[1]  # src/taskgate

# Ids no registered check emits, with the module that emits each (its source names the id).
EMITTED_OUTSIDE_CHECKS = {
    "TG208": "ci.py",  # a parentless commit in a pushed or checked range
    "TG209": "rules/history.py",  # octopus_finding, called by entry.py (commit-msg) and ci.py
    "TG210": "push.py",  # a pushed refs/replace/* ref
    "TG401": "gate/__init__.py",  # the gate: a command failed
    "TG402": "gate/__init__.py",  # the gate: no tests
    "TG403": "gate/__init__.py",  # the gate: a command cannot run
    "TG801": "agentside/shellgit.py",  # taskgate guard, before an agent's tool call
    "TG802": "agentside/shellgit.py",
    "TG803": "agentside/shellgit.py",
    "TG804": "agentside/shell.py",
    "TG805": "agentside/shellgit.py",
    "TG806": "agentside/shellgit.py",
    "TG807": "agentside/guard.py",
}
# Rules whose shown stage is not the one their stages imply: kept as `taskgate rules` has
# always printed it (tests/golden). TG209 is also emitted at commit-msg; TG701-TG705 and
# TG707 come from the identity verdict, which the check reports at pre-commit too.
SHOWN_AS_BEFORE = {
    "TG209": "ci",
    "TG701": "ci",
    "TG702": "ci",
    "TG703": "msg",
    "TG704": "msg",
    "TG705": "msg",
    "TG707": "msg",
}


def _checks() -> list[Check]:
    all_rules()  # every family and every emitter's rules
    return registered_checks()


def test_every_id_is_defined_once_in_the_module_the_index_names() -> None:
    rules = all_rules()
    assert set(rules) == RULE_IDS
    assert list(rules) == sorted(RULE_IDS)
    for rid, rule in rules.items():
        module = import_module(DEFINED_IN[rid])
        assert getattr(module, rid, None) is rule, f"{rid} is not defined in {DEFINED_IN[rid]}"
    # Exactly one definition in the source: `rule(id="TGnnn", ...)` once, nowhere else.
    found: dict[str, list[str]] = {}
    for path in SRC.rglob("*.py"):
        for rid in re.findall(r'\bid="(TG\d{3})"', path.read_text(encoding="utf-8")):
            found.setdefault(rid, []).append(str(path.relative_to(SRC)))
    assert set(found) == RULE_IDS
    assert {rid: where for rid, where in found.items() if len(where) != 1} == {}


def test_a_second_definition_of_an_id_is_refused() -> None:
    rule = all_rules()["TG101"]
    with pytest.raises(ValueError, match="TG101 is defined twice"):
        registry.rule(**rule._asdict())


def test_every_rule_is_documented() -> None:
    for rid, rule in all_rules().items():
        for field in ("name", "summary", "what", "why", "example", "fix"):
            assert getattr(rule, field).strip(), f"{rid}: no {field}"
        assert rule.stages, rid
        assert rule.stages <= EVERY_STAGE | {AGENT}, rid
        assert rule.stage in ("pre", "msg", "ci", "agent"), rid
        assert rule.see_also in ("policy", "board"), rid


def test_every_id_has_one_check_or_a_named_emitter() -> None:
    checks = _checks()
    in_checks = [rid for chk in checks for rid in chk.ids]
    assert len(in_checks) == len(set(in_checks)), "an id registered by two checks"
    assert set(in_checks).isdisjoint(EMITTED_OUTSIDE_CHECKS)
    assert set(in_checks) | set(EMITTED_OUTSIDE_CHECKS) == RULE_IDS
    for rid, where in EMITTED_OUTSIDE_CHECKS.items():
        assert f'"{rid}"' in (SRC / where).read_text(encoding="utf-8"), (rid, where)


def test_each_check_is_registered_in_the_module_of_its_family() -> None:
    for chk in _checks():
        assert chk.family in FAMILIES, chk.family
        for rid in chk.ids:
            assert DEFINED_IN[rid] == chk.family, (rid, chk.family)


def test_each_family_is_loaded_in_the_stages_of_its_checks() -> None:
    checks = _checks()
    for family, stages in FAMILIES.items():
        mine = [chk.stages for chk in checks if chk.family == family]
        assert mine, f"{family} registers no check"
        assert frozenset().union(*mine) == stages, family


def test_a_family_left_out_without_the_actor_has_only_checks_that_need_it() -> None:
    checks = _checks()
    assert set(FAMILIES) >= NEED_THE_ACTOR
    for family in NEED_THE_ACTOR:
        mine = [chk for chk in checks if chk.family == family]
        assert mine, family
        assert all(chk.needs_actor for chk in mine), family
    # and every family whose checks all need the actor is left out (nothing is missed)
    for family in FAMILIES:
        if all(chk.needs_actor for chk in checks if chk.family == family):
            assert family in NEED_THE_ACTOR, family


def _change(stage: Stage) -> Change:
    message = message_from_bytes(b"feat(python): add login\n", "#", "strip")
    return Change(
        files=(),
        before=EmptySide(),
        after=EmptySide(),
        stage=stage,
        message=message,
        actor=Actor(Role.LEAD),
    )


@pytest.mark.parametrize("stage", list(Stage))
def test_the_stages_a_rule_declares_are_the_stages_its_check_runs_in(
    stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: set[str] = set()

    def recording(chk: Check) -> Check:
        def fn(change: Change, policy: Policy) -> Iterable[Finding]:
            ran.update(chk.ids)
            return []

        return chk._replace(fn=fn)

    monkeypatch.setattr(registry, "_CHECKS", [recording(c) for c in _checks()])
    registry.run_checks(_change(stage), Policy())
    declared = {
        rid
        for rid, rule in all_rules().items()
        if stage in rule.stages and rid not in EMITTED_OUTSIDE_CHECKS
    }
    assert ran == declared


def test_the_shown_stage_follows_from_the_stages_except_where_kept() -> None:
    for rid, rule in all_rules().items():
        assert rule.shown_stage == SHOWN_AS_BEFORE.get(rid, ""), rid
    rules = all_rules()
    assert rules["TG101"].stage == "msg"  # commit-msg, check, ci: needs the message
    assert rules["TG201"].stage == "msg"  # every stage, but needs the actor
    assert rules["TG301"].stage == "pre"  # every stage
    assert rules["TG404"].stage == "pre"  # pre-commit, check, ci
    assert rules["TG107"].stage == "ci"
    assert rules["TG801"].stage == "agent"
