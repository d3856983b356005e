"""The JSON Schemas of the workflow files, and the JSON Schema semantics both engines share.

Two engines, one source of truth (the JSON Schemas in the top-level `schemas/`):

- a fast *acceptor* (`taskgate.workflow.acceptor`) compiled from the schema at first use;
- jsonschema (`taskgate.workflow.validation`, imported only when the acceptor rejects a
  document) to *explain* the rejection.

`pattern` follows ECMA-262 as the JSON Schema specification says: `$` is the end
of the string. Python's `re` lets `$` match before a final newline, which would
accept the task id "T1\\n"; both engines here translate a trailing `$` to `\\Z`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from taskgate.resources import schema_path

STRUCTURE = "structure"
TASKS = "tasks"
SCHEMA_FILES = {
    STRUCTURE: "project_structure.schema.json",
    TASKS: "task_list.schema.json",
}


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The shipped schema of `kind` ("structure" or "tasks"), read from disk once."""
    path = schema_path(SCHEMA_FILES[kind])
    with path.open("rb") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a schema `pattern` with ECMA-262's meaning of a final `$` (end of string)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema defines it (1 == 1.0, but true != 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, dict):
        return (
            isinstance(b, dict) and a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(json_equal, a, b))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


def _canonical(value: Any) -> Any:
    """A form in which JSON-equal values are Python-equal: 1.0 is 1, true stays true."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def unique(items: list[Any]) -> bool:
    """uniqueItems in O(n log n): jsonschema compares unhashable items pairwise, which a
    hostile board with 50,000 objects in one array turns into hours."""
    if all(isinstance(i, str) for i in items):
        return len(set(items)) == len(items)
    seen = {json.dumps(_canonical(i), sort_keys=True) for i in items}
    return len(seen) == len(items)
