"""Schema validation of the workflow files, and the cache of blobs already validated.

Two engines, one source of truth (the JSON Schemas in the top-level `schemas/`):

- a fast *acceptor* compiled from the schema at first use (the handful of keywords
  the shipped schemas use); a valid 10,000-task board is accepted in a fraction of
  the time jsonschema takes, and without importing it;
- jsonschema (imported only when the acceptor rejects a document) to *explain* the
  rejection: the JSON pointer, the offending value and what was expected, one best
  match per task or module rather than a wall of sub-errors.

A schema keyword the compiler does not know disables the acceptor for that schema,
so jsonschema then decides alone: the acceptor can only ever make things faster.
`tests/lanes/test_schema.py` checks with hypothesis that both engines agree.

`pattern` follows ECMA-262 as the JSON Schema specification says: `$` is the end
of the string. Python's `re` lets `$` match before a final newline, which would
accept the task id "T1\\n"; both engines here translate a trailing `$` to `\\Z`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from taskgate.resources import schema_path

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

STRUCTURE = "structure"
TASKS = "tasks"
SCHEMA_FILES = {
    STRUCTURE: "project_structure.schema.json",
    TASKS: "task_list.schema.json",
}

Predicate = Callable[[Any], bool]


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


# --- the fast acceptor --------------------------------------------------------------


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
def _compiled(kind: str) -> tuple[Predicate, _Compiler] | None:
    schema = load_schema(kind)
    compiler = _Compiler(schema)
    try:
        return compiler.compile(schema), compiler
    except _Unsupported:
        return None


def acceptor(kind: str) -> Predicate | None:
    """The compiled acceptor of `kind`'s schema, or None when it uses unknown keywords."""
    compiled = _compiled(kind)
    return compiled[0] if compiled is not None else None


# The big collection of each file: explanations look only at its failing elements.
_COLLECTIONS = {TASKS: ("tasks", "#/$defs/task")}


# --- jsonschema: the explanation ------------------------------------------------------


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
    compiled = _compiled(kind)
    if kind not in _COLLECTIONS or compiled is None or not isinstance(data, dict):
        return data, None, 0
    key, ref = _COLLECTIONS[kind]
    items = data.get(key)
    if not isinstance(items, list):
        return data, None, 0
    ok = compiled[1].ref(ref)
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


# --- where a path is in the text ---------------------------------------------------------

# Strings as runs of plain characters between escapes: 20 times faster on a long string.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def locate(text: str, path: Iterable[str | int]) -> int | None:
    """The 1-based line where the value at `path` starts in the JSON `text` (None if absent)."""
    target = tuple(path)
    return locate_all(text, [target]).get(target)


def locate_all(
    text: str, paths: Iterable[tuple[str | int, ...]]
) -> dict[tuple[str | int, ...], int]:
    """Lines of the values at `paths`, in one iterative scan (deep documents are safe).

    Only run to place findings, never on the valid path.
    """
    wanted = set(paths)
    found: dict[tuple[str | int, ...], int] = {}
    if () in wanted:
        found[()] = 1
        wanted.discard(())
    # Frames: [is_object, state]; state is "key", "colon", "value" or "comma".
    stack: list[list[Any]] = []
    here: list[str | int] = []
    line, last = 1, 0
    for m in _TOKEN.finditer(text):
        if not wanted:
            break
        tok = m.group()
        top = stack[-1] if stack else None
        if top is None or top[1] == "value":
            if top is not None and not top[0] and tok == "]":
                _close(stack, here)
                continue
            key = tuple(here)
            if key in wanted:
                line += text.count("\n", last, m.start())
                last = m.start()
                found[key] = line
                wanted.discard(key)
            if tok == "{":
                stack.append([True, "key"])
                here.append("")
            elif tok == "[":
                stack.append([False, "value"])
                here.append(0)
            elif top is not None:
                top[1] = "comma"
            continue
        state = top[1]
        if top[0] and state == "key" and tok.startswith('"'):
            try:
                here[-1] = json.loads(tok)
            except ValueError:
                break
            top[1] = "colon"
        elif top[0] and state == "colon" and tok == ":":
            top[1] = "value"
        elif state == "comma" and tok == ",":
            if not top[0]:
                here[-1] = int(here[-1]) + 1
            top[1] = "key" if top[0] else "value"
        elif tok in "}]" and (state == "comma" or (top[0] and state == "key")):
            _close(stack, here)
    return found


def _close(stack: list[list[Any]], here: list[str | int]) -> None:
    stack.pop()
    here.pop()
    if stack:
        stack[-1][1] = "comma"
