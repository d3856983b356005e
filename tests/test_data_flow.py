"""Data flows one way (issue 11): git → Change → rules → findings → reporter.

Each test reads the source's own import statements (at any depth: a function-level or
TYPE_CHECKING import is still a dependency) and names the module that breaks the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from taskgate.change import Change, EmptySide, Side, Stage
from taskgate.reading import SideReader

SRC = Path(__file__).resolve().parents[1] / "src" / "taskgate"
# The modules that talk to git or are entry points (hooks, check, ci, push).
GIT_OR_ENTRY = ("taskgate.git", "taskgate.builders", "taskgate.gitsides", "taskgate.commithooks",
                "taskgate.ci", "taskgate.push", "taskgate.checkall", "taskgate.cli",
                "taskgate.commands")  # fmt: skip


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def _offenders(paths: list[Path], banned: tuple[str, ...]) -> list[str]:
    return [
        f"{p.relative_to(SRC)} imports {name}"
        for p in paths
        for name in sorted(_imports(p))
        if any(name == b or name.startswith(b + ".") for b in banned)
    ]


def test_outcome_imports_no_git() -> None:
    assert _offenders([SRC / "outcome.py"], GIT_OR_ENTRY) == []


@pytest.mark.parametrize(
    ("module", "banned"),
    [
        # Board logic takes plain data; the change's reader calls it.
        ("workflow/tasklist.py", ("taskgate.change", "taskgate.reading", *GIT_OR_ENTRY)),
        # The gate lists a side through the Side protocol, not the git-backed classes.
        ("gate/snapshot.py", ("taskgate.builders", "taskgate.gitsides")),
        ("reading.py", GIT_OR_ENTRY[1:]),
        ("workflow/schema.py", ("taskgate.workflow.acceptor", "taskgate.workflow.validation")),
        ("workflow/acceptor.py", ("taskgate.workflow.validation", "jsonschema")),
        ("workflow/jsonlocate.py", ("taskgate",)),
    ],
)
def test_module_depends_only_downstream(module: str, banned: tuple[str, ...]) -> None:
    assert _offenders([SRC / module], banned) == []


def test_change_has_no_string_keyed_memo() -> None:
    assert not hasattr(Change, "memo")
    for path in sorted((SRC / "rules").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert ".memo(" not in text, path.name
        for capability in ("prefetch", "blob_sizes", "entry"):
            assert f'"{capability}", None)' not in text, (path.name, capability)


def test_side_reader_parses_once_and_follows_a_replaced_side() -> None:
    class Counting(EmptySide):
        def __init__(self, files: dict[str, bytes]) -> None:
            self.files = files
            self.reads: list[str] = []

        def read(self, path: str) -> bytes | None:
            self.reads.append(path)
            return self.files.get(path)

    board = b'{"tasks": [{"id": "T1", "title": "t", "assignee": "api", "status": "todo"}]}'
    first = Counting({"t.json": board, "a.py": b"x = (\n", "b.py": b"y = 1\n", "bin": b"\0"})
    change = Change(files=(), before=EmptySide(), after=first, stage=Stage.CI)
    after = change.reader("after")
    assert isinstance(after, SideReader)
    found = after.board("t.json")
    assert found is not None
    assert [t.id for t in found.tasks] == ["T1"]
    assert after.json("t.json") == {"tasks": [found.tasks[0].raw]}
    assert after.board("missing.json") is None
    assert after.ast("a.py") is None  # a syntax error is not the reader's to report
    tree = after.ast("b.py")
    assert tree is not None
    assert isinstance(tree.body[0], ast.Assign)
    assert after.text("bin") is None
    assert change.text_after("b.py") == "y = 1\n"
    assert sorted(first.reads) == ["a.py", "b.py", "bin", "missing.json", "t.json"]
    # A test may swap a side after building the change: the reader follows it.
    second = Counting({"b.py": b"z = 2\n"})
    change.after = second
    assert change.text_after("b.py") == "z = 2\n"
    assert second.reads == ["b.py"]


def test_sides_keep_the_side_protocol() -> None:
    reader: Side = SideReader(EmptySide())
    assert reader.entries(["x"]) is None
    assert reader.blob_sizes(["0" * 40]) == {}
    assert reader.entry("x") is None
