"""TG501 on in-memory changes: routes added in code must be declared in the Contracts section."""

from __future__ import annotations

import ast
import json

import pytest

from taskgate.policy import Policy
from taskgate.rules.contracts import endpoints_declared, route_key, routes
from tests.support.memory import LEAD, make_change, run

PLAN = "# Plan\n\n## Contracts\n\n- GET /health\n{extra}\n## Database\n\n- users\n"
MAIN = "services/api/app/main.py"


def plan(*lines: str) -> str:
    return PLAN.format(extra="".join(f"- {line}\n" for line in lines))


def base(**extra: str) -> dict[str, str]:
    return {
        "shared/plan.md": plan(),
        MAIN: "from fastapi import FastAPI\n\napp = FastAPI()\n",
        **extra,
    }


FASTAPI_USERS = """from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}")
def get_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}
"""


def test_undeclared_fastapi_route_is_reported_at_its_decorator() -> None:
    change = make_change(base(), {**base(), MAIN: FASTAPI_USERS})
    assert run(endpoints_declared, change) == [("TG501", MAIN, 6)]
    (finding,) = endpoints_declared(change, Policy())
    assert "GET /users/{user_id}" in finding.message
    assert "Contracts section of shared/plan.md" in finding.message


@pytest.mark.parametrize(
    "declared", ["GET /users/{id}", "GET /users/{user_id}", "GET /users/<int:x>"]
)
def test_declared_route_passes_with_parameters_matched_by_position(declared: str) -> None:
    after = {**base(), MAIN: FASTAPI_USERS, "shared/plan.md": plan(declared)}
    assert run(endpoints_declared, make_change(base(), after)) == []


def test_declared_with_another_method_is_still_reported() -> None:
    after = {**base(), MAIN: FASTAPI_USERS, "shared/plan.md": plan("POST /users/{id}")}
    assert run(endpoints_declared, make_change(base(), after)) == [("TG501", MAIN, 6)]


def test_endpoint_outside_the_contracts_section_does_not_declare() -> None:
    text = plan() + "\n## Notes\n\n- GET /users/{id}\n"
    after = {**base(), MAIN: FASTAPI_USERS, "shared/plan.md": text}
    assert run(endpoints_declared, make_change(base(), after)) == [("TG501", MAIN, 6)]


FLASK = """from flask import Flask

app = Flask(__name__)


@app.route("/items/<int:item_id>", methods=["POST", "PUT"])
def item(item_id):
    return ""


@app.route("/ping")
def ping():
    return "pong"
"""


def test_flask_route_methods_and_default_get() -> None:
    path = "services/api/app/web.py"
    after = {**base(), path: FLASK, "shared/plan.md": plan("POST /items/{id}")}
    change = make_change(base(), after)
    found = list(endpoints_declared(change, Policy()))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG501", path, 6), ("TG501", path, 11)]
    assert "PUT /items/<int:item_id>" in found[0].message
    assert "GET /ping" in found[1].message


ROUTER = """from fastapi import APIRouter

router = APIRouter(prefix="/users", tags=["users"])


@router.post("")
async def create() -> None: ...


@router.delete("/{uid}")
async def remove(uid: int) -> None: ...
"""


def test_router_prefix_is_joined() -> None:
    path = "services/api/app/users.py"
    after = {**base(), path: ROUTER, "shared/plan.md": plan("POST /users", "DELETE /users/{id}")}
    assert run(endpoints_declared, make_change(base(), after)) == []
    after["shared/plan.md"] = plan("POST /users")
    assert run(endpoints_declared, make_change(base(), after)) == [("TG501", path, 10)]


BLUEPRINT = """from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("/<oid>")
def show(oid): ...


def later(): ...


bp.add_url_rule("/<oid>/cancel", view_func=later, methods=["POST"])
"""


def test_blueprint_prefix_and_add_url_rule() -> None:
    path = "services/api/app/orders.py"
    after = {**base(), path: BLUEPRINT, "shared/plan.md": plan("GET /orders/{id}")}
    assert run(endpoints_declared, make_change(base(), after)) == [("TG501", path, 13)]


def test_add_api_route_defaults_and_methods() -> None:
    code = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\ndef f(): ...\n\n\n"
        'app.add_api_route("/a", f)\napp.add_api_route("/b", f, methods=["DELETE"])\n'
    )
    after = {**base(), MAIN: code, "shared/plan.md": plan("GET /a")}
    assert run(endpoints_declared, make_change(base(), after)) == [("TG501", MAIN, 10)]


def test_existing_undeclared_route_is_not_reported_again() -> None:
    before = {**base(), MAIN: FASTAPI_USERS}
    after = {**base(), MAIN: FASTAPI_USERS + "\n\nVERSION = 2\n"}
    assert run(endpoints_declared, make_change(before, after)) == []


def test_route_moved_to_another_file_is_not_new() -> None:
    other = "services/api/app/users.py"
    before = {**base(), MAIN: FASTAPI_USERS}
    after = {**base(), other: FASTAPI_USERS}
    assert run(endpoints_declared, make_change(before, after)) == []


def test_route_in_a_string_is_not_a_route() -> None:
    code = 'DOC = """\n@app.get("/secret")\ndef x(): ...\n"""\n'
    after = {**base(), MAIN: code}
    assert run(endpoints_declared, make_change(base(), after)) == []


def test_mountable_router_matches_a_declaration_under_a_prefix() -> None:
    path = "services/api/app/users.py"
    code = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/users")\ndef f(): ...\n'
    )
    after = {**base(), path: code, "shared/plan.md": plan("GET /api/v1/users")}
    assert run(endpoints_declared, make_change(base(), after)) == []


def test_application_routes_must_match_exactly() -> None:
    code = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/users")\ndef f(): ...\n'
    after = {**base(), MAIN: code, "shared/plan.md": plan("GET /api/v1/users")}
    assert run(endpoints_declared, make_change(base(), after)) == [("TG501", MAIN, 6)]


def test_include_router_prefix_in_the_same_file() -> None:
    code = (
        "from fastapi import APIRouter, FastAPI\n\napp = FastAPI()\nrouter = APIRouter()\n\n\n"
        '@router.get("/items")\ndef f(): ...\n\n\napp.include_router(router, prefix="/v2")\n'
    )
    assert routes(ast.parse(code))[0].path == "/v2/items"
    after = {**base(), MAIN: code, "shared/plan.md": plan("GET /v2/items")}
    assert run(endpoints_declared, make_change(base(), after)) == []


def test_openapi_must_list_the_route_when_it_exists() -> None:
    api = "shared/api/openapi.json"
    doc = {"openapi": "3.1.0", "paths": {"/health": {"get": {}}}}
    after = {
        **base(), MAIN: FASTAPI_USERS, "shared/plan.md": plan("GET /users/{id}"),
        api: json.dumps(doc),
    }  # fmt: skip
    change = make_change(base(), after)
    (finding,) = endpoints_declared(change, Policy())
    assert (finding.rule, finding.path, finding.line) == ("TG501", MAIN, 6)
    assert api in finding.message
    assert "Contracts" not in finding.message
    doc["paths"]["/users/{uid}"] = {"get": {}}
    after[api] = json.dumps(doc)
    assert run(endpoints_declared, make_change(base(), after)) == []


def test_unreadable_openapi_is_said() -> None:
    api = "shared/api/openapi.json"
    after = {**base(), MAIN: FASTAPI_USERS, "shared/plan.md": plan("GET /users/{id}"), api: "{"}
    (finding,) = endpoints_declared(make_change(base(), after), Policy())
    assert finding.path == MAIN
    assert "not readable JSON" in finding.message


def test_plan_without_contracts_section_is_named() -> None:
    after = {**base(), MAIN: FASTAPI_USERS, "shared/plan.md": "# Plan\n\n- GET /users/{id}\n"}
    (finding,) = endpoints_declared(make_change(base(), after), Policy())
    assert (finding.path, finding.line) == (MAIN, 6)
    assert "no Contracts section" in finding.message


def test_lead_may_add_undeclared_routes() -> None:
    change = make_change(base(), {**base(), MAIN: FASTAPI_USERS}, actor=LEAD)
    assert run(endpoints_declared, change) == []


def test_files_outside_the_coders_module_are_not_read() -> None:
    path = "web/server.py"
    change = make_change(base(), {**base(), path: FASTAPI_USERS})
    assert run(endpoints_declared, change) == []


def test_starlette_route_objects() -> None:
    code = (
        "from starlette.applications import Starlette\nfrom starlette.routing import Route\n\n"
        'routes = [\n    Route("/", home),\n    Route("/users/{id}", user, methods=["PATCH"]),\n]\n'
    )
    after = {**base(), MAIN: code, "shared/plan.md": plan("GET /")}
    assert run(endpoints_declared, make_change(base(), after)) == [("TG501", MAIN, 6)]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/users/{id}", "/users/{}"),
        ("/users/<int:id>/", "/users/{}"),
        ("//a//b", "/a/b"),
        ("/", "/"),
        ("/items?limit=10", "/items"),
        ("/x.", "/x"),
    ],
)
def test_route_key(path: str, key: str) -> None:
    assert route_key(path) == key


def test_path_changed_on_its_own_line_is_a_new_route() -> None:
    code = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get(\n    "{path}",\n)\ndef f(): ...\n'
    )
    before = {**base(), MAIN: code.format(path="/health")}
    after = {**base(), MAIN: code.format(path="/status")}
    assert run(endpoints_declared, make_change(before, after)) == [("TG501", MAIN, 6)]


def test_changing_a_router_prefix_makes_its_routes_new() -> None:
    path = "services/api/app/users.py"
    before = {**base(), path: ROUTER, "shared/plan.md": plan("POST /users", "DELETE /users/{id}")}
    after = {**before, path: ROUTER.replace('prefix="/users"', 'prefix="/people"')}
    assert run(endpoints_declared, make_change(before, after)) == [
        ("TG501", path, 6),
        ("TG501", path, 10),
    ]
