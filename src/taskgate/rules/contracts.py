"""Contract rule TG501 (SPEC §1.4, §7): an endpoint a coder adds must be declared.

Routes are read with `ast` from the Python files of the coder's module, on both
sides of the commit: FastAPI/Starlette (`@app.get("/x")`, `@router.post(...)`,
`api_route`, `add_api_route`, `Route(...)`, `APIRouter(prefix=...)`) and Flask
(`@app.route("/x", methods=[...])`, `add_url_rule`, `Blueprint(url_prefix=...)`).
A route in the after side that is not in the before side is added, and must be
declared as `METHOD /path` in the Contracts section of plan.md as it stands after
the commit, and be in `<api>/openapi.json` when that file exists. Path parameters
match by position: `{id}`, `{user_id}`, `<int:id>` are one slot.

A router or blueprint may be mounted under a prefix in another file
(`include_router(r, prefix="/api")`), so its routes also match a declaration that
ends with them (`GET /api/users` declares a router's `GET /users`); routes of an
application object created in the same file (`FastAPI()`, `Flask(...)`) must
match exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from taskgate.change import Change, FileChange, Role
from taskgate.finding import Finding, Severity
from taskgate.policy import Policy
from taskgate.rules.registry import EVERY_STAGE, check, rule

if TYPE_CHECKING:
    import ast

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_VERBS = frozenset(m.lower() for m in METHODS)
_DECORATOR = r"@[ \t]*[\w.]+\.(?:get|post|put|patch|delete|head|options|route|api_route)[ \t]*\("
_CALLS = ("add_api_route", "add_url_rule", "add_route", "Route(", "Route (")
_ADDED_SIGN = re.compile(
    _DECORATOR
    + r"|"
    + "|".join(re.escape(c) for c in _CALLS)
    + r"|[\"']/|\}/|prefix|methods|include_router|register_blueprint"
)
_DECORATOR_BYTES = re.compile(_DECORATOR.encode())
_CALLS_BYTES = tuple(c.encode() for c in _CALLS)


def _route_sign(raw: bytes) -> bool:
    """A route decorator or call somewhere in a file's bytes (the pattern starts with "@",
    which the regular-expression engine scans for quickly; the calls are substrings)."""
    # Every call name holds "oute" but add_url_rule: two scans rule most files out.
    if (b"oute" in raw or b"url_rule" in raw) and any(c in raw for c in _CALLS_BYTES):
        return True
    return b"@" in raw and _DECORATOR_BYTES.search(raw) is not None


_PARAM = re.compile(r"\{[^}/]*\}|<[^>/]*>")
_APPS = frozenset({"FastAPI", "Flask", "Starlette", "Quart", "APIFlask", "Sanic"})
_ROUTERS = {"APIRouter": "prefix", "Blueprint": "url_prefix", "APIBlueprint": "url_prefix"}


class Route(NamedTuple):
    """One endpoint found in code."""

    method: str
    path: str  # as written, with the router's prefix
    line: int
    mountable: bool  # a router/blueprint that another file may mount under a prefix
    unresolved: str = ""  # the path's expression, when it cannot be worked out statically

    @property
    def key(self) -> tuple[str, str]:
        if self.unresolved:
            return self.method, "?" + self.unresolved
        return self.method, route_key(self.path)


def route_key(path: str) -> str:
    """`/users/<int:id>/` → `/users/{}`: parameters are slots, slashes normalised."""
    p = path.strip().split("?", 1)[0].rstrip(".,:;")
    p = re.sub(r"/{2,}", "/", _PARAM.sub("{}", p))
    if not p.startswith("/"):
        p = "/" + p
    return p.rstrip("/") or "/"


class _Owner(NamedTuple):
    prefix: str
    mountable: bool


def _literal(node: ast.expr | None) -> str | None:
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _Unresolved(NamedTuple):
    text: str


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level string constants: `NAME = "..."`, and those built from others by
    f-strings or `+` (in order, so a constant may use the ones above it)."""
    import ast

    out: dict[str, str] = {}
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and value is not None:
            found = _path_of(value, out)
            if isinstance(found, str):
                out[target.id] = found
            else:
                out.pop(target.id, None)
    return out


def _path_of(node: ast.expr | None, consts: dict[str, str]) -> str | _Unresolved | None:
    """A route path: a literal, a module constant, an f-string or `+` of those;
    _Unresolved for anything else (None: no path given)."""
    import ast

    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in consts:
        return consts[node.id]
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.format_spec is not None or value.conversion not in (-1, 115):
                    return _Unresolved(ast.unparse(node))
                inner = _path_of(value.value, consts)
                if not isinstance(inner, str):
                    return _Unresolved(ast.unparse(node))
                parts.append(inner)
            else:
                inner = _path_of(value, consts)
                if not isinstance(inner, str):
                    return _Unresolved(ast.unparse(node))
                parts.append(inner)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _path_of(node.left, consts), _path_of(node.right, consts)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
    return _Unresolved(ast.unparse(node))


def _keyword(call: ast.Call, *names: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg in names:
            return kw.value
    return None


def _methods(call: ast.Call) -> list[str]:
    import ast

    node = _keyword(call, "methods")
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        found = [v.upper() for e in node.elts if (v := _literal(e)) is not None]
        return [m for m in found if m in METHODS]
    return ["GET"]  # Flask, Starlette and add_api_route default to GET


def _name(node: ast.expr) -> str | None:
    import ast

    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def routes(tree: ast.Module) -> list[Route]:
    """Every route of the module: paths literal, or built from module-level constants."""
    import ast

    consts = _constants(tree)

    def text(node: ast.expr | None) -> str | None:
        found = _path_of(node, consts)
        return found if isinstance(found, str) else None

    owners: dict[str, _Owner] = {}
    mounts: dict[str, tuple[str, str]] = {}  # child → (parent, prefix)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            ctor = (_name(node.value.func) or "").rsplit(".", 1)[-1]
            for target in targets:
                if ctor in _APPS:
                    owners[target] = _Owner("", False)
                elif ctor in _ROUTERS:
                    prefix = text(_keyword(node.value, _ROUTERS[ctor])) or ""
                    owners[target] = _Owner(prefix, True)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("include_router", "register_blueprint")
            and node.args
        ):
            parent, child = _name(node.func.value), _name(node.args[0])
            mount = text(_keyword(node, "prefix", "url_prefix"))
            if parent and child and mount:
                mounts[child] = (parent, mount)

    def full(owner: str | None, path: str) -> tuple[str, bool]:
        info = owners.get(owner or "", _Owner("", True))
        path = info.prefix + path
        mountable = info.mountable
        seen = set()
        while owner in mounts and owner not in seen:
            seen.add(owner)
            owner, prefix = mounts[owner]
            path = prefix + path
            mountable = owners.get(owner, _Owner("", True)).mountable
        return path, mountable

    out: list[Route] = []

    def add(
        owner: str | None, found: str | _Unresolved | None, methods: Iterable[str], line: int
    ) -> None:
        if isinstance(found, _Unresolved):
            mountable = owners.get(owner or "", _Owner("", True)).mountable
            out.extend(Route(m, "", line, mountable, found.text) for m in methods)
            return
        path = found
        if path is None or not (path.startswith("/") or (path == "" and owner in owners)):
            return
        joined, mountable = full(owner, path)
        out.extend(Route(m, joined, line, mountable) for m in methods)

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for dec in node.decorator_list:
                if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)):
                    continue
                verb, owner = dec.func.attr, _name(dec.func.value)
                path = _path_of(dec.args[0] if dec.args else _keyword(dec, "path", "rule"), consts)
                if verb in _VERBS:
                    add(owner, path, [verb.upper()], dec.lineno)
                elif verb in ("route", "api_route"):
                    add(owner, path, _methods(dec), dec.lineno)
        elif isinstance(node, ast.Call):
            callee = _name(node.func) or ""
            last = callee.rsplit(".", 1)[-1]
            owner = callee.rsplit(".", 1)[0] if "." in callee else None
            path = _path_of(node.args[0] if node.args else _keyword(node, "path", "rule"), consts)
            if last in ("add_api_route", "add_url_rule", "add_route") and owner is not None:
                add(owner, path, _methods(node), node.lineno)
            elif last in ("Route", "APIRoute"):
                add(None, path, _methods(node), node.lineno)
    return out


def declared(text: str | None) -> set[tuple[str, str]]:
    """`(METHOD, key)` of every endpoint in the Contracts section of plan.md."""
    from taskgate.workflow.plan import declared_endpoints

    if text is None:
        return set()
    return {(m, route_key(p)) for m, p, _line in declared_endpoints(text)}


def openapi_endpoints(raw: bytes) -> set[tuple[str, str]] | None:
    """`(METHOD, key)` of every operation in an OpenAPI document; None when unreadable."""
    import json

    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    paths = doc.get("paths") if isinstance(doc, dict) else None
    if not isinstance(paths, dict):
        return set() if isinstance(doc, dict) else None
    out: set[tuple[str, str]] = set()
    for path, item in paths.items():
        if isinstance(path, str) and isinstance(item, dict):
            out.update((m.upper(), route_key(path)) for m in item if m.upper() in METHODS)
    return out


def covered(route: Route, endpoints: set[tuple[str, str]]) -> bool:
    method, key = route.key
    if (method, key) in endpoints:
        return True
    # A mountable router's path may sit under a prefix given elsewhere.
    return (
        route.mountable
        and key != "/"
        and any(m == method and k.endswith(key) for m, k in endpoints)
    )


def _module_routes(change: Change, fc: FileChange, side: str) -> list[Route]:
    from taskgate.rules.changedlines import parsed, side_bytes

    if not _route_sign(side_bytes(change, fc, side)):
        return []
    tree = parsed(change, fc, side)
    return routes(tree) if tree is not None else []


TG501 = rule(
    id="TG501",
    name="endpoint-declared",
    stages=EVERY_STAGE,
    summary="an endpoint added in code is not declared in the Contracts section",
    what=(
        "Routes added in a coder commit (FastAPI/Starlette/Flask) must appear as "
        "`METHOD /path` in plan.md's Contracts section (and in shared/api/openapi.json "
        "when it exists). Path parameters match by position."
    ),
    why="Other modules build against the contracts; an undeclared endpoint is invisible.",
    example='@app.get("/users/{id}")   # plan.md does not list GET /users/{id}',
    fix="Append `GET /users/{id}` to the Contracts section in the same commit.",
)


@check(TG501, needs_actor=True)
def endpoints_declared(change: Change, policy: Policy) -> Iterable[Finding]:
    """Routes added by a coder commit must be declared in the Contracts section."""
    actor = change.actor
    if actor is None or actor.role is not Role.CODER or change.unjudged_merge:
        return []
    return list(_findings(change, policy))


def _findings(change: Change, policy: Policy) -> Iterator[Finding]:
    from taskgate.rules.changedlines import (
        added_text,
        after_path,
        before_path,
        line_hint,
        prefetch,
        side_bytes,
    )

    module = change.actor.module if change.actor is not None else None

    def mine(path: str | None) -> bool:
        owned = module is None or module.owns(path or "")
        return path is not None and path.endswith(".py") and owned

    # A new route shows on an added line: a decorator or call, a path literal, a prefix.
    # Where git's added lines show none, the file is not read; elsewhere a file with no
    # route decorator or call anywhere has no route.
    python = [
        fc
        for fc in change.files
        if mine(after_path(fc))
        and ((hint := line_hint(change, fc)) is None or _ADDED_SIGN.search(hint.added_text))
    ]
    prefetch(change, python, "after")
    routed = [fc for fc in python if _route_sign(side_bytes(change, fc, "after"))]
    prefetch(change, routed, "before")
    candidates = [fc for fc in routed if _ADDED_SIGN.search(added_text(change, fc))]
    if not candidates:
        return
    prefetch(change, [fc for fc in change.files if mine(before_path(fc))], "before")
    before: set[tuple[str, str]] = set()
    added: list[tuple[str, Route]] = []
    for fc in change.files:
        if mine(before_path(fc)):
            before.update(r.key for r in _module_routes(change, fc, "before"))
    for fc in candidates:
        path = after_path(fc)
        if path is not None:
            added.extend(
                (path, r) for r in _module_routes(change, fc, "after") if r.key not in before
            )
    if not added:
        return
    plan_path = policy.paths.plan
    plan = change.text_after(plan_path)
    in_plan = declared(plan)
    api_path = f"{policy.paths.api}/openapi.json"
    api_raw = change.after.read(api_path)
    in_api = openapi_endpoints(api_raw) if api_raw is not None else None
    reported: set[tuple[str, str]] = set()
    for path, route in added:
        if route.key in reported:
            continue
        if route.unresolved:
            reported.add(route.key)
            yield Finding(
                "TG501",
                f"endpoint {route.method} {route.unresolved}: its path cannot be worked out "
                "statically, so it cannot be checked against the Contracts section",
                path=path,
                line=route.line,
                severity=Severity.WARNING,
                hint="write the path as a literal, a module-level constant or an f-string of "
                f"constants, and declare it in the Contracts section of {plan_path}",
            )
            continue
        missing = []
        if not covered(route, in_plan):
            if plan is None:
                missing.append(f"{plan_path} (it does not exist)")
            elif not _has_contracts(plan):
                missing.append(f"{plan_path} (it has no Contracts section)")
            else:
                missing.append(f"the Contracts section of {plan_path}")
        if api_raw is not None and (in_api is None or not covered(route, in_api)):
            missing.append(api_path + (" (not readable JSON)" if in_api is None else ""))
        if not missing:
            continue
        reported.add(route.key)
        endpoint = f"{route.method} {route.path}"
        yield Finding(
            "TG501",
            f"endpoint {endpoint} is added but not declared in {' nor in '.join(missing)}",
            path=path,
            line=route.line,
            hint=f"append `- {endpoint}` to the Contracts section of {plan_path}"
            + (f" and add it to {api_path}" if api_raw is not None else "")
            + " in this commit",
        )


def _has_contracts(text: str) -> bool:
    from taskgate.workflow.plan import contracts_section

    return contracts_section(text.split("\n")) is not None
