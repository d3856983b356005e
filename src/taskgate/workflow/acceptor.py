"""The fast acceptor: a predicate compiled from a workflow file's JSON Schema.

A valid 10,000-task board is accepted in a fraction of the time jsonschema takes, and
without importing it. It handles the handful of keywords the shipped schemas use; a
keyword the compiler does not know disables the acceptor for that schema, so jsonschema
(`taskgate.workflow.validation`) then decides alone: the acceptor can only ever make
things faster. `tests/lanes/test_schema.py` checks with hypothesis that both engines agree.

Kept because a benchmark row earns it (`make bench`, bench_speedups, "JSON-schema
acceptor"; a fresh process imports the engine, builds it and validates a valid
10,000-task board, 2.3 MB; CPU time, medians, 2-core machine under load 6, 2026-12-03):
this acceptor 70 ms, fastjsonschema 133 ms compiling at run time and 111 ms with its code
generated ahead of time, jsonschema 1.63 s. SPEC §9 gives the whole board check 1 s.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from taskgate.workflow.schema import ecma_pattern, json_equal, load_schema, unique

Predicate = Callable[[Any], bool]


class _Unsupported(Exception):
    """A schema keyword the compiler does not handle: jsonschema decides alone."""


_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples",
     "deprecated", "readOnly", "writeOnly"}
)  # fmt: skip
_OBJECT_KEYS = frozenset({"properties", "patternProperties", "additionalProperties"})


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda value: first(value) and second(value)


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False  # JSON true is not the number 1
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, int | float)
    raise _Unsupported(f"type {name}")


_PY_TYPES: dict[str, type] = {
    "object": dict, "array": list, "string": str, "null": type(None), "boolean": bool,
}  # fmt: skip


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Predicate] = {}

    def ref(self, target: str) -> Predicate:
        if target != "#" and not target.startswith("#/"):
            raise _Unsupported(f"$ref {target}")
        if target not in self.refs:
            slot: list[Predicate] = []
            # Registered before compiling so that recursive references terminate.
            self.refs[target] = lambda value: slot[0](value)
            node: Any = self.root
            for part in target[2:].split("/") if target != "#" else []:
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(node, dict) or part not in node:
                    raise _Unsupported(f"$ref {target}")
                node = node[part]
            slot.append(self.compile(node))
        return self.refs[target]

    def compile(self, schema: Any) -> Predicate:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise _Unsupported("schema is not an object")
        preds: list[Predicate] = []
        for key, value in schema.items():
            if key in _ANNOTATIONS or key in _OBJECT_KEYS:
                continue
            preds.append(self.keyword(key, value))
        if _OBJECT_KEYS & schema.keys():
            preds.append(self.object_keywords(schema))
        if not preds:
            return _always
        # Nested `and` closures: cheaper than a loop or all() over a handful of checks.
        combined = preds[0]
        for nxt in preds[1:]:
            combined = _both(combined, nxt)
        return combined

    def keyword(self, key: str, value: Any) -> Predicate:
        if key == "$ref":
            return self.ref(value)
        if key == "type":
            names = [value] if isinstance(value, str) else list(value)
            for name in names:
                _is_type(None, name)  # unknown type names raise _Unsupported here
            if not {"integer", "number"} & set(names):
                exact = tuple(_PY_TYPES[n] for n in names)
                return lambda v: isinstance(v, exact)
            return lambda v: any(_is_type(v, n) for n in names)
        if key == "enum":
            options = list(value)
            if all(isinstance(o, str) for o in options):
                choices = frozenset(options)  # a string equals only a string
                return lambda v: isinstance(v, str) and v in choices
            return lambda v: any(json_equal(v, o) for o in options)
        if key == "const":
            return lambda v: json_equal(v, value)
        if key == "pattern":
            rx = ecma_pattern(value)
            return lambda v: not isinstance(v, str) or rx.search(v) is not None
        if key == "minLength":
            n = int(value)
            return lambda v: not isinstance(v, str) or len(v) >= n
        if key == "required":
            names = list(value)
            return lambda v: not isinstance(v, dict) or all(n in v for n in names)
        if key == "items":
            sub = self.compile(value)

            def items(v: Any) -> bool:
                if isinstance(v, list):
                    for item in v:
                        if not sub(item):
                            return False
                return True

            return items
        if key == "uniqueItems":
            return (lambda v: not isinstance(v, list) or unique(v)) if value else _always
        if key == "propertyNames":
            sub = self.compile(value)
            return lambda v: not isinstance(v, dict) or all(sub(k) for k in v)
        raise _Unsupported(key)

    def object_keywords(self, schema: dict[str, Any]) -> Predicate:
        props = {k: self.compile(v) for k, v in schema.get("properties", {}).items()}
        pats = [(ecma_pattern(p), self.compile(v))
                for p, v in schema.get("patternProperties", {}).items()]  # fmt: skip
        extra = self.compile(schema["additionalProperties"]) if "additionalProperties" in schema \
            else _always  # fmt: skip

        # Which subschemas apply to a key depends only on the key: decide once per name.
        plans: dict[str, tuple[Predicate, ...]] = {}

        def plan(key: str) -> tuple[Predicate, ...]:
            found = [props[key]] if key in props else []
            found += [psub for rx, psub in pats if rx.search(key)]
            subs = tuple(found) if found else (extra,)
            if len(plans) < 4096:
                plans[key] = subs
            return subs

        def check_object(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for key, item in value.items():
                subs = plans.get(key) or plan(key)
                for sub in subs:
                    if not sub(item):
                        return False
            return True

        return check_object


@cache
def compiled(kind: str) -> tuple[Predicate, _Compiler] | None:
    """The acceptor of `kind` and its compiler (whose `ref` gives the acceptor of a part of
    the schema), or None when the schema uses a keyword the compiler does not know."""
    schema = load_schema(kind)
    compiler = _Compiler(schema)
    try:
        return compiler.compile(schema), compiler
    except _Unsupported:
        return None


def acceptor(kind: str) -> Predicate | None:
    """The compiled acceptor of `kind`'s schema, or None when it uses unknown keywords."""
    found = compiled(kind)
    return found[0] if found is not None else None
