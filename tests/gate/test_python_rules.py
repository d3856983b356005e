"""TG404 (annotated signatures) and TG405 (dependencies in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from taskgate.change import Change, EmptySide, FileChange, PlainSide, Stage
from taskgate.git import Entry
from taskgate.policy import Policy
from taskgate.rules.python import check_annotations, check_dependency_files
from taskgate.workflow.structure import Module, Structure
from tests.conftest import GitRepo
from tests.gate.support import CODER, MODULE, gate_findings

STRUCTURE = Structure(
    {
        "python": Module("python", "services/api", "python-coder", "python"),
        "web": Module("web", "web", "frontend-coder"),
    }
)
OID = "0" * 39 + "1"


class FilesSide(PlainSide):
    """The after side of a change, from a dict of path → text."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read(self, path: str) -> bytes | None:
        text = self.files.get(path)
        return None if text is None else text.encode()

    def exists(self, paths: Iterable[str]) -> set[str]:
        return {p for p in paths if p in self.files}


def _change(files: dict[str, str], status: str = "A", old_path: str | None = None) -> Change:
    changes = []
    for path in files:
        old = Entry(old_path or path, "100644", OID) if status != "A" else None
        changes.append(FileChange(status, path, old_path or path, old, Entry(path, "100644", OID)))
    after = {"services/api/pyproject.toml": "[project]\n", **files}
    return Change(
        files=tuple(changes),
        before=EmptySide(),
        after=FilesSide(after),
        stage=Stage.PRE_COMMIT,
        structure=STRUCTURE,
    )


def _tg404(
    source: str, path: str = "services/api/app/m.py"
) -> list[tuple[str, str | None, int | None]]:
    return [(f.rule, f.path, f.line) for f in check_annotations(_change({path: source}), Policy())]


def test_fully_annotated_file_passes() -> None:
    source = (
        "from typing import Any\n\n"
        "def f(a: int, /, b: str, *args: int, c: bool = True, **kw: Any) -> None: ...\n"
        "async def g() -> int:\n    return 1\n"
        "class C:\n"
        "    def m(self, x: int) -> int:\n        return x\n"
        "    @classmethod\n    def k(cls) -> 'C':\n        return cls()\n"
        "    @staticmethod\n    def s(x: int) -> int:\n        return x\n"
        "square = lambda x: x * x\n"
    )
    assert _tg404(source) == []


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("def add(a, b):\n    return a + b\n", 1, "parameters a, b and the return type"),
        ("def f(a: int):\n    pass\n", 1, "the return type"),
        ("def f(*args, **kwargs) -> None: ...\n", 1, "parameters *args, **kwargs"),
        ("def f(*, key) -> None: ...\n", 1, "parameter key"),
        ("\n\nasync def f(x) -> None: ...\n", 3, "parameter x"),
        ("class C:\n    def __init__(self, x: int):\n        pass\n", 2, "the return type"),
        ("class C:\n    @staticmethod\n    def s(self) -> None: ...\n", 3, "parameter self"),
        ("def outer() -> None:\n    def inner(self) -> None: ...\n", 2, "parameter self"),
        ("if True:\n    def f(x) -> None: ...\n", 2, "parameter x"),
        ("class C:\n    def m(this, self) -> None: ...\n", 2, "parameters this, self"),
    ],
)
def test_unannotated_signature_is_tg404_at_its_line(source: str, line: int, words: str) -> None:
    path = "services/api/app/m.py"
    findings = list(check_annotations(_change({path: source}), Policy()))
    assert [(f.rule, f.path, f.line) for f in findings] == [("TG404", path, line)]
    assert words in findings[0].message


def test_syntax_error_and_other_modules_are_not_tg404s_business() -> None:
    assert _tg404("def broken(:\n") == []
    assert _tg404("def f(x): ...\n", path="web/tool.py") == []  # web has no language
    assert _tg404("def f(x): ...\n", path="services/api/README.md") == []


def test_only_changed_files_are_read() -> None:
    change = _change({"services/api/app/ok.py": "def f() -> None: ...\n"})
    change.after.files["services/api/app/old.py"] = "def f(x): ...\n"  # type: ignore[attr-defined]
    assert list(check_annotations(change, Policy())) == []


@pytest.mark.parametrize(
    "name", ["requirements.txt", "requirements-dev.txt", "setup.py", "setup.cfg", "sub/setup.py"]
)
def test_dependency_file_added_to_a_python_module_is_tg405(name: str) -> None:
    path = f"services/api/{name}"
    findings = list(check_dependency_files(_change({path: "x\n"}), Policy()))
    assert [(f.rule, f.path) for f in findings] == [("TG405", path)]


def test_dependency_files_elsewhere_or_renamed_in_place_are_fine() -> None:
    assert list(check_dependency_files(_change({"web/requirements.txt": "x"}), Policy())) == []
    renamed = _change(
        {"services/api/requirements-dev.txt": "x"},
        status="R",
        old_path="services/api/requirements.txt",
    )
    assert list(check_dependency_files(renamed, Policy())) == []
    moved_in = _change(
        {"services/api/requirements.txt": "x"}, status="R", old_path="web/requirements.txt"
    )
    assert [f.rule for f in check_dependency_files(moved_in, Policy())] == ["TG405"]


def test_python_module_without_pyproject_is_tg405() -> None:
    change = _change({"services/api/app/m.py": "X = 1\n"})
    del change.after.files["services/api/pyproject.toml"]  # type: ignore[attr-defined]
    findings = list(check_dependency_files(change, Policy()))
    assert [(f.rule, f.path) for f in findings] == [("TG405", "services/api")]


# --- through git commit ----------------------------------------------------------


def test_unannotated_function_committed_is_tg404(stub_gate_repo: GitRepo) -> None:
    stub_gate_repo.write(
        f"{MODULE}/app/extra.py", "VALUE = 1\n\n\ndef twice(x):\n    return 2 * x\n"
    )
    stub_gate_repo.add(f"{MODULE}/app/extra.py")
    proc = stub_gate_repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG404", f"{MODULE}/app/extra.py")]
    assert f"{MODULE}/app/extra.py:4: `twice` is not fully annotated" in proc.stderr


def test_requirements_txt_committed_is_tg405(stub_gate_repo: GitRepo) -> None:
    stub_gate_repo.write(f"{MODULE}/requirements.txt", "fastapi\n")
    stub_gate_repo.add(f"{MODULE}/requirements.txt")
    proc = stub_gate_repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG405", f"{MODULE}/requirements.txt")]


def test_deleting_the_pyproject_is_tg405(stub_gate_repo: GitRepo) -> None:
    stub_gate_repo.git("rm", "-q", f"{MODULE}/pyproject.toml")
    proc = stub_gate_repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG405", MODULE)]


def test_the_lead_removing_or_moving_a_whole_module_is_not_tg405(gate_repo: GitRepo) -> None:
    """The module map comes from the base, so it still names the module being removed;
    a module with no file left needs no pyproject.toml. Deleting it alone still is TG405."""
    gate_repo.git("rm", "-q", "-r", MODULE)
    proc = gate_repo.taskgate("check", "--no-gate", "-m", "chore(lead): retire the api")
    assert ("TG405", MODULE) not in gate_findings(proc.stderr + proc.stdout), proc.stderr
    gate_repo.git("reset", "-q", "--hard")
    gate_repo.git("mv", MODULE, "services/api2")
    proc = gate_repo.taskgate("check", "--no-gate", "-m", "chore(lead): move the api")
    assert ("TG405", MODULE) not in gate_findings(proc.stderr + proc.stdout), proc.stderr
    gate_repo.git("reset", "-q", "--hard")
    gate_repo.git("rm", "-q", f"{MODULE}/pyproject.toml")
    proc = gate_repo.taskgate("check", "--no-gate", "-m", "chore(lead): no pyproject")
    assert ("TG405", MODULE) in gate_findings(proc.stderr + proc.stdout), proc.stderr
