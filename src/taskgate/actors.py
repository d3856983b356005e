"""Who an agent id, a commit scope or a role name names, by the module map (SPEC §3).

Plain functions of the map: the builders resolve a change's actor with them, signed mode
the principal of a signature, the guard and `dispute` the agent's claim.
"""

from taskgate.change import Actor, Role
from taskgate.workflow.structure import Structure


def actor_from_scope(structure: Structure | None, scope: str | None) -> Actor | None:
    if structure is None or not scope:
        return None
    scope = scope.lower()
    if scope == structure.lead:
        return Actor(Role.LEAD)
    if scope == structure.reviewer:
        return Actor(Role.REVIEWER)
    module = structure.modules.get(scope)
    return Actor(Role.CODER, module) if module is not None else None


def actor_from_claim(structure: Structure | None, claim: str | None) -> Actor | None:
    return actor_for_agent(structure, claim, "TASKGATE_AGENT")


def actor_for_agent(structure: Structure | None, agent: str | None, by: str) -> Actor | None:
    """An agent id → its module's coder; the lead or reviewer role name → that role.
    `by` says what named the agent (an environment claim, a signature)."""
    if structure is None or not agent:
        return None
    module = structure.module_for_agent(agent)
    if module is not None:
        return Actor(Role.CODER, module, by)
    if agent.lower() == structure.lead:
        return Actor(Role.LEAD, claimed_by=by)
    if agent.lower() == structure.reviewer:
        return Actor(Role.REVIEWER, claimed_by=by)
    return None
