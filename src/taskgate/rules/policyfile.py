"""TG311: a policy the change writes must load, or every later commit would exit 2.

The policy is read from the base of each change, so a broken `taskgate.toml` that
lands blocks everyone after it (the repairing push too, on a server). Judging the
new policy in the commit that writes it keeps it from landing.
"""

from __future__ import annotations

from collections.abc import Iterator

from taskgate.change import Change
from taskgate.errors import ConfigError
from taskgate.finding import Finding
from taskgate.policy import POLICY_FILE, PYPROJECT, Policy, check_gate_names, load_policy
from taskgate.rules.catalog import RULE_IDS
from taskgate.rules.registry import EVERY_STAGE, check, rule


def policy_findings(change: Change, structure_path: str = "") -> Iterator[Finding]:
    written = {fc.path for fc in change.files if fc.new is not None}
    # A renamed module leaves its [gate.modules.<name>] naming nothing: judge that too.
    if not written & {POLICY_FILE, PYPROJECT, structure_path}:
        return
    try:
        policy = load_policy(change.after.read, "the change", rule_ids=RULE_IDS)
        _check_names_after(change, policy)
    except ConfigError as exc:
        path = POLICY_FILE if POLICY_FILE in str(exc) else PYPROJECT
        yield Finding(
            "TG311",
            f"the policy this change writes cannot be used: {exc}",
            path=path,
            hint="fix it in this commit; once landed, every later commit would be refused",
        )


def _check_names_after(change: Change, policy: Policy) -> None:
    """Gate tables must name a language or module of the module map the commit leaves."""
    from taskgate.workflow.structure import StructureError, parse_structure

    raw = change.after.read(policy.paths.structure)
    if raw is None:
        check_gate_names(policy, None, policy.paths.structure)
        return
    try:
        structure = parse_structure(raw)
    except StructureError:
        return  # TG310 says what is wrong with the map itself
    languages = {name: m.language for name, m in structure.modules.items()}
    check_gate_names(policy, languages, policy.paths.structure)


TG311 = rule(
    id="TG311",
    name="policy-valid",
    stages=EVERY_STAGE,
    summary="the policy the change writes cannot be loaded",
    what=(
        "A change that writes taskgate.toml (or [tool.taskgate] in pyproject.toml) must "
        "leave a policy taskgate can read: valid TOML, known keys, values of the right type."
    ),
    why=(
        "The policy of each commit is read from its base; a broken one, once landed, makes "
        "every later commit exit 2, including the one that would repair it."
    ),
    example="[commit]\nheader_maximum = 72   # unknown key",
    fix="[commit]\nheader_max = 72",
)


@check(TG311)
def policy_file(change: Change, policy: Policy) -> Iterator[Finding]:
    # At commit-msg too: failing closed when the pre-commit hook was skipped.
    yield from policy_findings(change, policy.paths.structure)
