"""`project_structure.json`: which module directory each agent owns."""

# No `from __future__ import annotations`: on the hook's path, where NamedTuple would
# compile each string annotation at import (see taskgate.finding).

from typing import Any, NamedTuple

from taskgate.workflow.jsonfile import JsonProblem, load_json

DEFAULT_LEAD = "lead"
DEFAULT_REVIEWER = "review"


class Module(NamedTuple):
    name: str
    path: str
    agent: str
    language: str | None = None

    def owns(self, path: str) -> bool:
        """Whole-segment prefix match: `services/api` never owns `services/api2/x`."""
        return path == self.path or path.startswith(self.path + "/")


class Structure(NamedTuple):
    modules: dict[str, Module]
    lead: str = DEFAULT_LEAD
    reviewer: str = DEFAULT_REVIEWER

    def module_of(self, path: str) -> Module | None:
        for module in self.modules.values():
            if module.owns(path):
                return module
        return None

    @property
    def scopes(self) -> list[str]:
        return [*self.modules, self.lead, self.reviewer]

    def module_for_agent(self, agent: str) -> Module | None:
        for module in self.modules.values():
            if module.agent == agent:
                return module
        return None


class StructureError(Exception):
    """The module map cannot be used; the message says why."""


def structure_from_data(data: Any) -> Structure:
    """Build a Structure from parsed JSON; raises StructureError on a wrong shape."""
    if not isinstance(data, dict):
        raise StructureError("top level must be a JSON object")
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, dict):
        raise StructureError("'modules' must be an object of module name → {path, agent}")
    modules: dict[str, Module] = {}
    for name, spec in raw_modules.items():
        if not isinstance(spec, dict):
            raise StructureError(f"modules.{name} must be an object")
        path, agent, language = spec.get("path"), spec.get("agent"), spec.get("language")
        if not isinstance(path, str) or not isinstance(agent, str):
            raise StructureError(f"modules.{name} needs string 'path' and 'agent'")
        if language is not None and not isinstance(language, str):
            raise StructureError(f"modules.{name}.language must be a string")
        modules[name.lower()] = Module(name.lower(), path, agent, language)
    roles = data.get("roles", {})
    if not isinstance(roles, dict):
        raise StructureError("'roles' must be an object")
    lead, reviewer = roles.get("lead", DEFAULT_LEAD), roles.get("reviewer", DEFAULT_REVIEWER)
    if not isinstance(lead, str) or not isinstance(reviewer, str):
        raise StructureError("roles.lead and roles.reviewer must be strings")
    return Structure(modules, lead.lower(), reviewer.lower())


def parse_structure(raw: bytes) -> Structure:
    """Parse bytes of project_structure.json; raises StructureError with a location."""
    try:
        data = load_json(raw)
    except JsonProblem as exc:
        raise StructureError(str(exc)) from exc
    return structure_from_data(data)
