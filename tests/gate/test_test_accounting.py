"""Tests judged by behaviour (issue 14, C): the gate records which tests ran.

Each workaround hides a test from pytest in a way the name-based first look does
not see; the gate's record of the run, compared with the base's, does. Each is
refused through the local hooks and through `ci` on a fresh clone; the honest
twins (a new test file with a collected name, a conftest fixture, a test moved to
another file, the lead removing a test) pass.

The two routes get the base's record the two ways the gate has: the hooks find it in
the gate cache (the base's tree passed the gate once, as a commit through the hooks
would have), `ci` on a fresh clone collects the base (`--collect-only`, and runs at the
base the tests skipped now that carried no skip marker there).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taskgate.gate.testrecord import compare
from tests.ci.support import ci_json
from tests.conftest import GitRepo
from tests.gate.support import CODER, MODULE, text_findings, tree_of
from tests.support.templates import build_template, copy_template

TESTS = f"{MODULE}/tests/test_calc.py"
BASE_TESTS = (
    "from app.calc import add\n\n\n"
    "def test_add() -> None:\n    assert add(1, 2) == 3\n\n\n"
    "def test_add_zero() -> None:\n    assert add(0, 0) == 0\n"
)
CONFTEST = f"{MODULE}/tests/conftest.py"

# name: ({path: content or None to delete}, expected (rule, path))
ATTACKS: dict[str, tuple[dict[str, str | None], tuple[str, str]]] = {
    "skip through _pytest.outcomes": (
        {
            TESTS: BASE_TESTS.replace(
                "    assert add(1, 2) == 3\n",
                "    import _pytest.outcomes as o\n\n    getattr(o, 'sk' + 'ip')('later')\n"
                "    assert add(1, 2) == 3\n",
            )
        },
        ("TG602", TESTS),
    ),
    "aliased pytest.mark": (
        {
            TESTS: "import pytest\n\nfrom app.calc import add\n\nm = pytest.mark\n"
            "hush = getattr(m, 'x' + 'fail')\n\n\n"
            "@hush\ndef test_add() -> None:\n    assert add(1, 2) == 3\n\n\n"
            "def test_add_zero() -> None:\n    assert add(0, 0) == 0\n"
        },
        ("TG602", TESTS),
    ),
    "conftest hook": (
        {
            CONFTEST: "import pytest\n\n\n"
            "def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:\n"
            "    for item in items:\n        if item.name == 'test_add':\n"
            "            item.add_marker(getattr(pytest.mark, 'sk' + 'ip')())\n"
        },
        ("TG602", TESTS),
    ),
    "renamed out of collection": (
        {TESTS: None, f"{MODULE}/tests/calc_checks.py": BASE_TESTS},
        ("TG601", TESTS),
    ),
    "del test_add": (
        {TESTS: BASE_TESTS + "\n\ndel test_add\n"},
        ("TG601", TESTS),
    ),
    "__test__ = False": (
        {TESTS: BASE_TESTS + "\n\ntest_add.__test__ = False\n"},
        ("TG601", TESTS),
    ),
}


def _two_tests(repo: GitRepo) -> None:
    """The lead's two test files; the gate is run on them once (`check`) before the commit,
    as the hooks would: their passing record is in the gate cache, the base's record that
    the hook route of every test below reads. `ci` on a fresh clone has no cache: the base
    is collected there."""
    repo.write(TESTS, BASE_TESTS)
    repo.write(f"{MODULE}/tests/test_other.py", "def test_other() -> None:\n    assert True\n")
    repo.add()
    checked = repo.taskgate("check", "-m", "test(lead): two tests")
    assert checked.returncode == 0, checked.stderr
    assert "gate: python: pytest -q passed" in checked.stderr
    repo.commit_no_hooks("test(lead): two tests")


@pytest.fixture(scope="session")
def tested_template(tmp_path_factory: pytest.TempPathFactory, gate_template: Path) -> Path:
    return build_template(tmp_path_factory, "tested-template", gate_template, _two_tests)


@pytest.fixture
def tested(tested_template: Path, tmp_path: Path) -> GitRepo:
    return copy_template(tested_template, tmp_path)


def _apply(repo: GitRepo, files: dict[str, str | None]) -> None:
    for path, content in files.items():
        if content is None:
            repo.git("rm", "-q", "--", path)
        else:
            repo.write(path, content)
            repo.add(path)


def _ci_on_a_fresh_clone(repo: GitRepo, base: str, tmp_path: Path) -> list[tuple[str, str]]:
    clone = GitRepo(tmp_path / "clone")
    repo.git("clone", "-q", str(repo.path), str(clone.path))
    doc = ci_json(clone, "--range", f"{base}..HEAD")
    return [(f["rule"], f["path"]) for f in doc["findings"]]


@pytest.mark.slow  # real pytest in the gate, through the hooks and ci on a clone
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_hidden_tests_are_caught_by_behaviour(tested: GitRepo, tmp_path: Path, attack: str) -> None:
    files, expected = ATTACKS[attack]
    base = tested.head()
    _apply(tested, files)
    # The hook: the commit is refused with the rule and the test file.
    proc = tested.commit(CODER)
    assert proc.returncode == 1
    assert expected in text_findings(proc.stderr), proc.stderr
    # ci on a fresh clone (nothing cached: the base is collected there).
    tested.commit(CODER, "--no-verify", check=True)
    assert expected in _ci_on_a_fresh_clone(tested, base, tmp_path)


NEW_TEST_FILE = {
    f"{MODULE}/tests/test_more.py": "def test_more() -> None:\n    assert 1 + 1 == 2\n"
}
HONEST: dict[str, dict[str, str | None]] = {
    "conftest fixture": {
        CONFTEST: "import pytest\n\n\n@pytest.fixture\ndef two() -> int:\n    return 2\n"
    },
    "test moved to a collected file": {TESTS: None, f"{MODULE}/tests/test_sum.py": BASE_TESTS},
}


@pytest.mark.slow  # real pytest in the gate, through the hooks and ci on a clone
@pytest.mark.parametrize("twin", list(HONEST))
def test_honest_twins_pass(tested: GitRepo, tmp_path: Path, twin: str) -> None:
    base = tested.head()
    _apply(tested, HONEST[twin])
    proc = tested.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    assert _ci_on_a_fresh_clone(tested, base, tmp_path) == []


@pytest.mark.slow  # real pytest in the gate, through the hooks and ci on a clone
def test_a_new_test_file_passes_and_the_record_is_kept_with_the_cached_pass(
    tested: GitRepo, tmp_path: Path
) -> None:
    base = tested.head()
    _apply(tested, NEW_TEST_FILE)
    # `check` gates the staged tree first; the commit then passes on the cached record,
    # its tests still compared with the base's.
    checked = tested.taskgate("check", "-m", CODER)
    assert checked.returncode == 0, checked.stderr
    proc = tested.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    assert "gate: python cached pass" in proc.stderr, proc.stderr
    entries = [
        json.loads(p.read_text())
        for p in (tested.path / ".git" / "taskgate" / "gate-cache").iterdir()
    ]
    (entry,) = [e for e in entries if e.get("tree") == tree_of(tested)]
    assert set(entry["tests"]["outcomes"]) == {
        "tests/test_calc.py::test_add",
        "tests/test_calc.py::test_add_zero",
        "tests/test_more.py::test_more",
        "tests/test_other.py::test_other",
    }
    assert _ci_on_a_fresh_clone(tested, base, tmp_path) == []


@pytest.mark.slow  # real pytest in the gate, through the hooks and ci on a clone
def test_the_lead_may_remove_a_test(tested: GitRepo, tmp_path: Path) -> None:
    base = tested.head()
    _apply(tested, {TESTS: BASE_TESTS.split("\n\n\ndef test_add_zero")[0] + "\n"})
    proc = tested.commit("test(lead): drop a duplicate test")
    assert proc.returncode == 0, proc.stderr
    assert _ci_on_a_fresh_clone(tested, base, tmp_path) == []


def test_compare_counts_deselected_and_moves() -> None:
    base = {
        "items": {"tests/test_a.py::test_x": {}, "tests/test_a.py::test_y": {}},
        "outcomes": {"tests/test_a.py::test_x": "passed", "tests/test_a.py::test_y": "passed"},
        "deselected": [],
    }
    new = {
        "items": {"tests/test_b.py::test_x": {}},
        "outcomes": {"tests/test_b.py::test_x": "passed"},
        "deselected": ["tests/test_a.py::test_y"],
    }
    found = [(f.rule, f.path) for f in compare(MODULE, base, new)]
    assert found == [("TG601", f"{MODULE}/tests/test_a.py"), ("TG602", MODULE)]
