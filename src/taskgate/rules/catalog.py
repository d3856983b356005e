"""Every rule id and the module that defines it, beside its check or what emits it.

The ids alone cost nothing to import (the policy's `[rules]` table is checked against
them on the hooks' path); the documentation comes from importing those modules:
`all_rules()` (also `RULES`, on first use) is every Rule by id, in id order.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taskgate.rules.registry import Rule

_R = "taskgate.rules."
_MESSAGE, _CLAIMS, _HISTORY = _R + "message", _R + "claims", _R + "history"
_LANES, _WORKFLOW, _BOARD, _IDENTITY = _R + "lanes", _R + "workflow", _R + "board", _R + "identity"
_GATE, _AGENT = "taskgate.gate.rules", "taskgate.agentside.rules"

DEFINED_IN: dict[str, str] = {
    **dict.fromkeys(("TG101", "TG102", "TG103", "TG104", "TG105", "TG106", "TG107"), _MESSAGE),
    **dict.fromkeys(("TG108", "TG109"), _CLAIMS),
    **dict.fromkeys(("TG110", "TG111", "TG112"), _MESSAGE),
    "TG113": _HISTORY,
    **dict.fromkeys(("TG201", "TG202", "TG203", "TG204", "TG205", "TG206", "TG207"), _LANES),
    **dict.fromkeys(("TG208", "TG209", "TG210", "TG211"), _HISTORY),
    **dict.fromkeys(("TG301", "TG302", "TG303"), _WORKFLOW),
    **dict.fromkeys(("TG304", "TG305", "TG306"), _BOARD),
    "TG307": _R + "activetask",
    **dict.fromkeys(("TG308", "TG309"), _BOARD),
    "TG310": _WORKFLOW,
    "TG311": _R + "policyfile",
    **dict.fromkeys(("TG401", "TG402", "TG403"), _GATE),
    **dict.fromkeys(("TG404", "TG405"), _R + "python"),
    "TG501": _R + "contracts",
    **dict.fromkeys(("TG601", "TG602"), _R + "testintegrity"),
    "TG603": _R + "suppressions",
    "TG604": _R + "secrets",
    "TG605": _R + "junk",
    **{f"TG70{n}": _IDENTITY for n in range(1, 10)},
    **{f"TG80{n}": _AGENT for n in range(1, 8)},
}
RULE_IDS = frozenset(DEFINED_IN)


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule, by id in id order (imports every module that defines one)."""
    from taskgate.rules.registry import defined_rules, load_families

    for module in dict.fromkeys(DEFINED_IN.values()):
        import_module(module)
    load_families()  # every check: the stage shown depends on what its check needs
    rules = defined_rules()
    return {rid: rules[rid] for rid in sorted(rules)}


def __getattr__(name: str) -> dict[str, Rule]:
    # `from taskgate.rules.catalog import RULES`: the documentation, loaded on first use.
    if name == "RULES":
        return all_rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
