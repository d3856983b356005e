"""TG601 (deleted tests) and TG602 (skipped tests) on in-memory changes."""

from __future__ import annotations

import pytest

from taskgate.rules.testintegrity import deleted_tests, skipped_tests
from tests.support.memory import LEAD, make_change, policy, run

T = "services/api/tests/test_users.py"
T2 = "services/api/tests/test_more.py"

USERS = """import pytest


def test_create():
    assert True


def test_delete():
    assert True


class TestUpdate:
    def test_name(self):
        assert True

    def test_email(self):
        assert True
"""


# --- TG601 ---------------------------------------------------------------------


def test_deleting_a_test_file_is_one_finding_naming_its_tests() -> None:
    change = make_change({T: USERS}, {})
    found = list(deleted_tests(change, policy()))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG601", T, None)]
    assert "4 tests" in found[0].message
    assert "test_create" in found[0].message


def test_removing_a_test_function_reports_its_line_before_the_commit() -> None:
    after = USERS.replace("def test_delete():\n    assert True\n\n\n", "")
    change = make_change({T: USERS}, {T: after})
    found = list(deleted_tests(change, policy()))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG601", T, 8)]
    assert "test_delete" in found[0].message


def test_removing_a_method_is_keyed_by_its_class() -> None:
    after = USERS.replace("    def test_email(self):\n        assert True\n", "")
    found = list(deleted_tests(make_change({T: USERS}, {T: after}), policy()))
    assert [(f.path, f.line) for f in found] == [(T, 16)]
    assert "TestUpdate.test_email" in found[0].message


def test_renaming_a_test_reports_the_old_name_and_names_the_new_one() -> None:
    after = USERS.replace("def test_create", "def test_make")
    change = make_change({T: USERS}, {T: after})
    assert run(deleted_tests, change) == [("TG601", T, 4)]
    (finding,) = deleted_tests(change, policy())
    assert finding.hint is not None
    assert "renamed or merged into test_make" in finding.hint


def test_renaming_the_test_class_loses_its_tests() -> None:
    after = USERS.replace("class TestUpdate:", "class Update:")
    assert run(deleted_tests, make_change({T: USERS}, {T: after})) == [
        ("TG601", T, 13),
        ("TG601", T, 16),
    ]


def test_renaming_the_class_to_another_test_class_keeps_its_tests() -> None:
    after = USERS.replace("class TestUpdate:", "class TestEdit:")
    assert run(deleted_tests, make_change({T: USERS}, {T: after})) == []


def test_a_method_moved_out_of_its_class_into_another_file_is_kept() -> None:
    after = USERS.replace("    def test_email(self):\n        assert True\n", "")
    change = make_change({T: USERS}, {T: after, T2: "def test_email():\n    assert True\n"})
    assert run(deleted_tests, change) == []


def test_a_test_moved_to_another_file_is_not_deleted() -> None:
    moved = "def test_delete():\n    assert True\n"
    after = USERS.replace("def test_delete():\n    assert True\n\n\n", "")
    change = make_change({T: USERS}, {T: after, T2: moved})
    assert run(deleted_tests, change) == []


def test_a_whole_file_moved_by_rename_is_not_deleted() -> None:
    change = make_change({T: USERS}, {T2: USERS}, renames={T: T2})
    assert run(deleted_tests, change) == []


def test_a_deleted_file_whose_tests_moved_is_not_reported() -> None:
    change = make_change({T: USERS}, {T2: USERS + "\n\ndef test_extra():\n    pass\n"})
    assert run(deleted_tests, change) == []


def test_a_class_moved_into_another_file_keeps_its_ids() -> None:
    cls = USERS[USERS.index("class TestUpdate") :]
    after = USERS[: USERS.index("class TestUpdate")]
    change = make_change({T: USERS}, {T: after, T2: cls})
    assert run(deleted_tests, change) == []


def test_a_test_in_a_docstring_is_not_a_test() -> None:
    before = '"""Example:\n\ndef test_doc():\n    pass\n"""\n\n\ndef test_real():\n    pass\n'
    after = '"""Example."""\n\n\ndef test_real():\n    pass\n'
    assert run(deleted_tests, make_change({T: before}, {T: after})) == []


def test_unittest_case_subclasses_count() -> None:
    path = "services/api/tests/checks.py"
    before = (
        "import unittest\n\n\nclass Users(unittest.TestCase):\n"
        "    def test_a(self):\n        pass\n\n    def test_b(self):\n        pass\n"
    )
    after = before.replace("    def test_b(self):\n        pass\n", "")
    assert run(deleted_tests, make_change({path: before}, {path: after})) == [("TG601", path, 8)]


def test_tests_under_a_condition_count() -> None:
    before = "import sys\n\nif sys.platform:\n\n    def test_posix():\n        pass\n"
    after = "import sys\n"
    assert run(deleted_tests, make_change({T: before}, {T: after})) == [("TG601", T, 5)]


def test_deleted_javascript_test_file() -> None:
    path = "web/src/app.test.ts"
    assert run(deleted_tests, make_change({path: "it('x', () => {})\n"}, {})) == [
        ("TG601", path, None)
    ]


def test_deleting_a_helper_under_tests_is_not_deleting_tests() -> None:
    helper = "services/api/tests/conftest.py"
    change = make_change({helper: "import pytest\n\n\n@pytest.fixture\ndef db(): ...\n"}, {})
    assert run(deleted_tests, change) == []


def test_adding_tests_is_fine() -> None:
    after = USERS + "\n\ndef test_new():\n    pass\n"
    assert run(deleted_tests, make_change({T: USERS}, {T: after})) == []


def test_lead_may_delete_tests() -> None:
    assert run(deleted_tests, make_change({T: USERS}, {}, actor=LEAD)) == []


def test_unparsable_deleted_test_file_is_still_reported() -> None:
    found = run(deleted_tests, make_change({T: "def test_x(:\n"}, {}))
    assert found == [("TG601", T, None)]


# --- TG602 ---------------------------------------------------------------------

HEAD = "import pytest\nimport unittest\n\n\n"


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ('@pytest.mark.skip(reason="flaky")\ndef test_a():\n    pass\n', 5),
        ("@pytest.mark.skipif(True, reason='no')\ndef test_a():\n    pass\n", 5),
        ("@pytest.mark.xfail\ndef test_a():\n    pass\n", 5),
        ("def test_a():\n    pytest.skip('later')\n", 6),
        ("def test_a():\n    pytest.xfail('known')\n", 6),
        ("def test_a():\n    np = pytest.importorskip('numpy')\n", 6),
        ("@unittest.skip('x')\ndef test_a():\n    pass\n", 5),
        ("@unittest.skipIf(True, 'x')\ndef test_a():\n    pass\n", 5),
        ("@unittest.skipUnless(False, 'x')\ndef test_a():\n    pass\n", 5),
        ("@unittest.expectedFailure\ndef test_a():\n    pass\n", 5),
        ("def test_a():\n    raise unittest.SkipTest('x')\n", 6),
        ("class TestA(unittest.TestCase):\n    def test_a(self):\n        self.skipTest('x')\n", 7),
        ("pytestmark = pytest.mark.skip\n", 5),
        ("params = [pytest.param(1, marks=pytest.mark.xfail)]\n", 5),
    ],
)
def test_added_skip_markers(code: str, line: int) -> None:
    change = make_change({T: HEAD}, {T: HEAD + code})
    assert run(skipped_tests, change) == [("TG602", T, line)]


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ("import pytest as pt\n\n\n@pt.mark.skip\ndef test_a():\n    pass\n", 4),
        ("from pytest import mark as m\n\n\n@m.xfail\ndef test_a():\n    pass\n", 4),
        ("from unittest import skip\n\n\n@skip('x')\ndef test_a():\n    pass\n", 4),
        ("from pytest import skip\n\n\ndef test_a():\n    skip('x')\n", 5),
        ("from nose import SkipTest\n\n\ndef test_a():\n    raise SkipTest\n", 5),
        ("from unittest.case import SkipTest\n\n\ndef test_a():\n    raise SkipTest()\n", 5),
    ],
)
def test_aliases_are_resolved(code: str, line: int) -> None:
    assert run(skipped_tests, make_change({}, {T: code})) == [("TG602", T, line)]


def test_use_of_an_alias_imported_before_is_new() -> None:
    before = "from unittest import skip as later\n\n\ndef test_a():\n    pass\n"
    after = before + "\n\n@later('x')\ndef test_b():\n    pass\n"
    assert run(skipped_tests, make_change({T: before}, {T: after})) == [("TG602", T, 8)]


def test_skip_in_a_string_or_comment_is_not_a_marker() -> None:
    after = HEAD + 'REASON = "pytest.mark.skip would be wrong"  # do not skip\n'
    assert run(skipped_tests, make_change({T: HEAD}, {T: after})) == []


def test_existing_marker_is_not_reported_again() -> None:
    before = HEAD + "@pytest.mark.skip\ndef test_a():\n    pass\n"
    after = before + "\n\ndef test_b():\n    pytest.fail('no skip here')\n"
    assert run(skipped_tests, make_change({T: before}, {T: after})) == []


def test_second_marker_of_a_kind_is_reported_at_the_new_line() -> None:
    before = HEAD + "@pytest.mark.skip\ndef test_a():\n    pass\n"
    after = before + "\n\n@pytest.mark.skip\ndef test_b():\n    pass\n"
    assert run(skipped_tests, make_change({T: before}, {T: after})) == [("TG602", T, 10)]


def test_marker_moved_with_its_test_to_another_file_is_not_new() -> None:
    test = "@pytest.mark.skip(reason='db')\ndef test_a():\n    pass\n"
    change = make_change({T: HEAD + test}, {T: HEAD, T2: HEAD + test})
    assert run(skipped_tests, change) == []


def test_marker_in_a_renamed_file_is_not_new() -> None:
    text = HEAD + "@pytest.mark.xfail\ndef test_a():\n    pass\n"
    assert run(skipped_tests, make_change({T: text}, {T2: text}, renames={T: T2})) == []


def test_lead_may_skip() -> None:
    change = make_change({T: HEAD}, {T: HEAD + "pytestmark = pytest.mark.skip\n"}, actor=LEAD)
    assert run(skipped_tests, change) == []


def test_conftest_collect_ignore_entries() -> None:
    path = "services/api/tests/conftest.py"
    before = 'collect_ignore = ["old.py"]\n'
    after = (
        'collect_ignore = [\n    "old.py",\n    "test_users.py",\n]\n'
        'collect_ignore_glob = ["*_slow.py"]\n'
    )
    assert run(skipped_tests, make_change({path: before}, {path: after})) == [
        ("TG602", path, 3),
        ("TG602", path, 5),
    ]


def test_collect_ignore_append_in_conftest() -> None:
    path = "services/api/conftest.py"
    after = 'collect_ignore = []\ncollect_ignore.append("tests/test_users.py")\n'
    assert run(skipped_tests, make_change({}, {path: after})) == [("TG602", path, 2)]


def test_collect_ignore_outside_conftest_is_just_a_name() -> None:
    path = "services/api/app/settings.py"
    assert run(skipped_tests, make_change({}, {path: 'collect_ignore = ["x"]\n'})) == []


PYPROJECT = '[project]\nname = "api"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n'


@pytest.mark.parametrize(
    ("name", "before", "after", "line"),
    [
        (
            "pyproject.toml",
            PYPROJECT,
            PYPROJECT.replace('"-q"', '"-q --deselect tests/test_users.py::test_create"'),
            5,
        ),
        (
            "pyproject.toml",
            PYPROJECT,
            PYPROJECT.replace('"-q"', '[\n  "-q",\n  "-k", "not slow",\n]'),
            7,
        ),
        (
            "pytest.ini",
            "[pytest]\naddopts = -q\n",
            "[pytest]\naddopts = -q\n  --ignore=tests/x\n",
            3,
        ),
        (
            "setup.cfg",
            "[tool:pytest]\naddopts = -q\n",
            "[tool:pytest]\naddopts = -q -m 'not db'\n",
            2,
        ),
        (
            "tox.ini",
            "[pytest]\naddopts = -q\n",
            "[pytest]\naddopts = -q --ignore-glob=*_slow.py\n",
            2,
        ),
    ],
)
def test_added_addopts_filters(name: str, before: str, after: str, line: int) -> None:
    path = f"services/api/{name}"
    found = list(skipped_tests(make_change({path: before}, {path: after}), policy()))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG602", path, line)]
    assert "addopts" in found[0].message


def test_existing_addopts_filter_is_not_reported_again() -> None:
    path = "services/api/pyproject.toml"
    before = PYPROJECT.replace('"-q"', "\"-q -k 'not slow'\"")
    after = before + "\n[tool.ruff]\nline-length = 100\n"
    assert run(skipped_tests, make_change({path: before}, {path: after})) == []


def test_other_addopts_are_not_filters() -> None:
    path = "services/api/pyproject.toml"
    after = PYPROJECT.replace('"-q"', '"-q -ra --strict-markers -p no:cacheprovider"')
    assert run(skipped_tests, make_change({path: PYPROJECT}, {path: after})) == []


def test_markers_count_in_test_modules_and_conftest_only() -> None:
    helper = "services/api/app/testing.py"
    change = make_change({}, {helper: "import pytest\n\nslow = pytest.mark.skip\n"})
    assert run(skipped_tests, change) == []


def test_unrelated_edit_next_to_an_existing_marker_is_not_reported() -> None:
    before = HEAD + "@pytest.mark.skip\ndef test_a():\n    pass\n"
    after = before.replace("pass", "assert 1")
    assert run(skipped_tests, make_change({T: before}, {T: after})) == []
