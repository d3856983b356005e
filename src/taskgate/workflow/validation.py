"""Whether a workflow file matches its schema, and why not: the explanation.

The fast acceptor (`taskgate.workflow.acceptor`) decides; jsonschema, imported only when
the acceptor rejects a document, explains the rejection: the JSON pointer, the offending
value and what was expected, one best match per task or module rather than a wall of
sub-errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from taskgate.workflow.acceptor import acceptor, compiled
from taskgate.workflow.schema import TASKS, ecma_pattern, load_schema, unique

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator


class SchemaProblem(NamedTuple):
    """One schema violation, ready to be shown: where, what is there, what was expected."""

    path: tuple[str | int, ...]
    value: str
    expected: str

    @property
    def pointer(self) -> str:
        return pointer(self.path)

    def describe(self) -> str:
        where = self.pointer or "/"
        if not self.value:
            return f"{where}: {self.expected}"
        return f"{where}: {self.value} — expected {self.expected}"


def pointer(path: Iterable[str | int]) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


# The big collection of each file: explanations look only at its failing elements.
_COLLECTIONS = {TASKS: ("tasks", "#/$defs/task")}


@cache
def _validator(kind: str) -> Validator:
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterable[Any]:
        if validator.is_type(instance, "string") and not ecma_pattern(patrn).search(instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    def unique_items(validator: Any, wanted: bool, instance: Any, schema: Any) -> Iterable[Any]:
        if wanted and validator.is_type(instance, "array") and not unique(instance):
            yield ValidationError(f"{instance!r} has non-unique elements")

    extend: Any = validators.extend  # untyped in the stubs
    cls: Any = extend(Draft202012Validator, {"pattern": pattern, "uniqueItems": unique_items})
    validator: Validator = cls(load_schema(kind))
    return validator


def is_valid(kind: str, data: Any) -> bool:
    """Whether `data` matches the schema of `kind` (fast path first)."""
    accept = acceptor(kind)
    if accept is not None:
        return accept(data)
    return bool(_validator(kind).is_valid(data))


def schema_problems(
    kind: str, data: Any, *, skip: Callable[[ValidationError], bool] | None = None, limit: int = 10
) -> tuple[list[SchemaProblem], int]:
    """The best-matching problem of each failing task/module, up to `limit`, and the total.

    `skip` drops errors another rule reports better (module names: TG310).
    """
    if is_valid(kind, data):
        return [], 0
    from jsonschema.exceptions import best_match

    reduced, positions, failing = _failing_elements(kind, data, limit)
    groups: dict[tuple[str | int, ...], list[ValidationError]] = {}
    for error in _validator(kind).iter_errors(reduced):
        if skip is not None and skip(error):
            continue
        # One group per element of the top-level collections: tasks[i], modules.<name>.
        groups.setdefault(tuple(error.absolute_path)[:2], []).append(error)
    out: list[SchemaProblem] = []
    for errors in list(groups.values())[:limit]:
        best = best_match(errors)
        if best is not None:
            problem = _problem(best)
            path = problem.path
            if positions is not None and len(path) >= 2 and isinstance(path[1], int):
                problem = problem._replace(path=(path[0], positions[path[1]], *path[2:]))
            out.append(problem)
    # Tasks beyond the first `limit` failing ones were counted by the acceptor, not explained.
    return out, len(groups) + failing - (len(positions) if positions is not None else 0)


def _failing_elements(kind: str, data: Any, limit: int) -> tuple[Any, list[int] | None, int]:
    """`data` with only the first `limit` failing elements of its big collection (jsonschema
    is slow on 10,000 tasks), their original positions, and how many fail in all."""
    found = compiled(kind)
    if kind not in _COLLECTIONS or found is None or not isinstance(data, dict):
        return data, None, 0
    key, ref = _COLLECTIONS[kind]
    items = data.get(key)
    if not isinstance(items, list):
        return data, None, 0
    ok = found[1].ref(ref)
    failing = [i for i, item in enumerate(items) if not ok(item)]
    positions = failing[:limit]
    return {**data, key: [items[i] for i in positions]}, positions, len(failing)


def _short(value: Any, width: int = 80) -> str:
    if isinstance(value, str) and len(value) > width:
        value = value[:width]  # a 10 MB string is not encoded just to be cut
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= width else f"an object with keys {', '.join(list(value)[:6])}"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _problem(error: ValidationError) -> SchemaProblem:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    kw, value = error.validator, error.instance
    arg: Any = error.validator_value
    shown = _short(value)
    if kw == "required" and isinstance(value, dict):
        missing = [k for k in arg if k not in value] or list(arg)
        return SchemaProblem(path, "", f"the required key {json.dumps(missing[0])} is missing")
    if kw == "additionalProperties" and isinstance(value, dict):
        known = list(schema.get("properties", {}))
        pats = [re.compile(p) for p in schema.get("patternProperties", {})]
        extras = [k for k in value if k not in known and not any(p.search(k) for p in pats)]
        allowed = ", ".join(known) + (", or keys starting with 'x-'" if pats else "")
        if extras:
            return SchemaProblem(
                (*path, extras[0]),
                "",
                f"unknown key {json.dumps(extras[0])}: allowed are {allowed}",
            )
    if kw == "enum":
        expected = "one of " + ", ".join(json.dumps(v) for v in arg)
    elif kw == "const":
        expected = json.dumps(arg)
    elif kw == "type":
        names = [arg] if isinstance(arg, str) else list(arg)
        expected = " or ".join(names) + f" (found {_json_type(value)})"
    elif kw == "pattern":
        expected = str(schema.get("description") or f"a string matching {arg}")
    elif kw == "minLength":
        expected = "a non-empty string" if arg == 1 else f"at least {arg} characters"
    elif kw == "uniqueItems":
        expected = "no repeated items"
    else:
        expected = error.message
    return SchemaProblem(path, shown, expected)
