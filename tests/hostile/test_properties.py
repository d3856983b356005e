"""Property tests: the message parser, the JSON loaders and the parsers built on them are
total functions. Any input gives a value or the module's own error, never anything else."""

from __future__ import annotations

import contextlib
import json
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskgate.builders import resolve_actor
from taskgate.change import Change, EmptySide, Stage
from taskgate.message import (
    CLEANUP_MODES,
    GIT_SPACE,
    Header,
    HeaderProblem,
    caret,
    clean,
    message_from_bytes,
    parse_header,
)
from taskgate.policy import Policy
from taskgate.rules.catalog import RULES
from taskgate.rules.registry import run_checks
from taskgate.workflow.jsonfile import JsonProblem, load_json
from taskgate.workflow.structure import (
    Structure,
    StructureError,
    parse_structure,
    structure_from_data,
)
from taskgate.workflow.tasklist import Board, BoardError, board_from_data, parse_board
from tests.conftest import BOARD, STRUCTURE

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODES = [m for m in CLEANUP_MODES if m != "default"]
COMMENTS = [None, "#", ";", "auto", "//"]
BASE_STRUCTURE = structure_from_data(STRUCTURE)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)  # fmt: skip

# Text that looks like commit headers often enough to reach the deep branches.
header_alphabet = st.sampled_from(
    [*"feat fix(web)python!: \t_-./,#;", "\u2028", "\x0c", "\r", "é", "\x00"]
)
headerish = st.lists(header_alphabet, max_size=60).map("".join) | st.text(max_size=60)


# --- messages --------------------------------------------------------------


@SETTINGS
@given(raw=st.binary(max_size=400), comment=st.sampled_from(COMMENTS), mode=st.sampled_from(MODES))
def test_message_pipeline_is_total(raw: bytes, comment: str | None, mode: str) -> None:
    msg = message_from_bytes(raw, comment, mode)
    assert "\n\n\n" not in msg.text or mode == "verbatim"
    header = msg.header
    assert "\n" not in header
    parsed = parse_header(header)
    assert isinstance(parsed, Header | HeaderProblem)
    msg.trailers()
    assert isinstance(msg.is_fixup, bool)
    assert isinstance(msg.is_git_revert, bool)


@SETTINGS
@given(header=headerish)
def test_header_parser_points_inside_the_header(header: str) -> None:
    parsed = parse_header(header)
    if isinstance(parsed, HeaderProblem):
        assert 0 <= parsed.column <= len(header)
        line, mark = caret(header, parsed.column)
        assert line == header
        assert mark.endswith("^")
        assert len(mark) == parsed.column + 1
        assert parsed.reason
        assert "(?" not in parsed.reason  # never a raw regular expression
    else:
        assert header.startswith(parsed.type)
        assert parsed.type.isalpha()
        assert parsed.description.strip()
        assert header.endswith(parsed.description)


@SETTINGS
@given(
    type_=st.text(string.ascii_letters, min_size=1, max_size=10),
    scope=st.none() | st.text(string.ascii_lowercase + string.digits + "_-.", min_size=1,
                              max_size=12),
    bang=st.booleans(),
    description=st.text(min_size=1, max_size=40).filter(
        lambda s: s[0] not in " \n" and "\n" not in s and s.strip() != ""
    ),
)  # fmt: skip
def test_well_formed_headers_parse_back(
    type_: str, scope: str | None, bang: bool, description: str
) -> None:
    header = type_ + (f"({scope})" if scope else "") + ("!" if bang else "") + ": " + description
    parsed = parse_header(header)
    assert isinstance(parsed, Header), parsed
    assert (parsed.type, parsed.scope, parsed.breaking) == (type_, scope, bang)
    assert parsed.description == description


@SETTINGS
@given(
    before=st.text(max_size=20).filter(lambda s: "\n" not in s),
    sep=st.sampled_from(["\u2028", "\u2029", "\x0c", "\x0b", "\x1c", "\x85"]),
    after=st.text(max_size=20).filter(lambda s: "\n" not in s),
)
def test_only_newline_splits_lines(before: str, sep: str, after: str) -> None:
    text = f"fix(web): {before}{sep}{after}"
    cleaned = clean(text, "#", "strip")
    assert cleaned == text.rstrip(GIT_SPACE)
    assert len(cleaned.split("\n")) == 1


def _message_change(raw: bytes, stage: Stage, claim: str | None) -> Change:
    msg = message_from_bytes(raw, "#", "strip")
    return Change(
        files=(),
        before=EmptySide(),
        after=EmptySide(),
        stage=stage,
        structure=BASE_STRUCTURE,
        message=msg,
        actor=resolve_actor(BASE_STRUCTURE, msg, claim),
        agent_claim=claim,
    )


@SETTINGS
@given(
    raw=st.binary(max_size=300)
    | headerish.map(lambda h: (h + "\n\nbody\n\nTask: T1\n").encode("utf-8", "surrogatepass")),
    stage=st.sampled_from([Stage.COMMIT_MSG, Stage.CHECK, Stage.CI]),
    claim=st.sampled_from([None, "python-coder", "lead", "nobody"]),
)
def test_rules_on_any_message_never_raise(raw: bytes, stage: Stage, claim: str | None) -> None:
    findings = run_checks(_message_change(raw, stage, claim), Policy())
    for f in findings:
        assert f.rule in RULES
        assert f.message


# --- JSON loaders ----------------------------------------------------------


@SETTINGS
@given(raw=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()[:-1]))
def test_load_json_is_total(raw: bytes) -> None:
    problem: JsonProblem | None = None
    try:
        load_json(raw)
    except JsonProblem as exc:
        problem = exc
    if problem is not None:
        assert str(problem)
        if problem.line is not None:
            assert problem.line >= 1
            assert problem.column is not None
            assert problem.column >= 1


@pytest.mark.slow
@SETTINGS
@given(
    obj=st.dictionaries(st.text(max_size=6), json_values, min_size=1, max_size=5),
    data=st.data(),
)
def test_duplicate_keys_are_always_found(obj: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(obj)))
    body = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in obj.items())
    text = "{" + body + f", {json.dumps(key)}: null" + "}"
    with pytest.raises(JsonProblem, match="duplicate key"):
        load_json(text.encode())
    nested = '{"outer": [' + text + "]}"
    with pytest.raises(JsonProblem, match="duplicate key"):
        load_json(nested.encode())


@SETTINGS
@given(value=json_values)
def test_any_json_value_round_trips_and_both_parsers_are_total(value: Any) -> None:
    """Three properties of one JSON value (200 values each, generated once: generating
    them is most of an example's cost): the loader gives it back, and the module-map and
    board parsers give a value or their own error."""
    assert load_json(json.dumps(value).encode()) == value
    assert load_json(json.dumps(value, indent=2, ensure_ascii=False).encode()) == value
    _structure_parser_is_total(value)
    _board_parser_is_total(value)


def _structure_parser_is_total(value: Any) -> None:
    try:
        parsed = structure_from_data(value)
    except StructureError:
        return
    assert isinstance(parsed, Structure)
    for module in parsed.modules.values():
        assert parsed.module_of(module.path + "/x") is not None


def _board_parser_is_total(value: Any) -> None:
    try:
        board = board_from_data(value)
    except BoardError:
        return
    assert isinstance(board, Board)
    board.by_id()


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_file_parsers_are_total_on_bytes(raw: bytes) -> None:
    for parse, error in ((parse_structure, StructureError), (parse_board, BoardError)):
        with contextlib.suppress(error):
            parse(raw)


# --- wrong types at every level (deterministic: every node, every wrong kind) ----

WRONG: list[Any] = [None, True, 0, -1, 2.5, "", "x" * 10_000, [], [None], {}, {"x": None}]


def _mutations(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, document) for every node replaced by every wrong value."""
    for wrong in WRONG:
        if path and wrong != _get(doc, path):
            yield path, _set(doc, path, wrong)
    node = _get(doc, path)
    keys = (
        list(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else []
    )
    for key in keys:
        yield from _mutations(doc, (*path, key))


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(doc))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


STRUCTURE_MUTATIONS = list(_mutations(STRUCTURE))
BOARD_MUTATIONS = list(_mutations(BOARD))


def test_every_structure_node_with_every_wrong_type() -> None:
    assert len(STRUCTURE_MUTATIONS) > 100
    rejected = 0
    for _path, doc in STRUCTURE_MUTATIONS:
        try:
            structure_from_data(doc)
            parse_structure(json.dumps(doc).encode())
        except StructureError:
            rejected += 1
    assert rejected > len(STRUCTURE_MUTATIONS) // 4


def test_every_board_node_with_every_wrong_type() -> None:
    assert len(BOARD_MUTATIONS) > 100
    rejected = 0
    for _path, doc in BOARD_MUTATIONS:
        try:
            parse_board(json.dumps(doc).encode())
        except BoardError:
            rejected += 1
    assert rejected > len(BOARD_MUTATIONS) // 4
