"""TG603 on in-memory changes: suppression comments and loosened tool configuration."""

from __future__ import annotations

import pytest

from taskgate.rules.suppressions import suppressions_added
from tests.support.memory import LEAD, make_change, policy, run

P = "services/api/app/users.py"
CODE = "import os\n\n\ndef home() -> str:\n    return os.getcwd()\n"


@pytest.mark.parametrize(
    ("comment", "kind"),
    [
        ("# type: ignore", "# type: ignore"),
        ("# type: ignore[attr-defined]", "# type: ignore"),
        ("# noqa", "# noqa"),
        ("# noqa: E501", "# noqa"),
        ("# NOQA:F401", "# noqa"),
        ("# pragma: no cover", "# pragma: no cover"),
        ("# Pragma: No Cover", "# pragma: no cover"),
        ("# pragma: nocover", "# pragma: no cover"),
        ("# pyright: ignore[reportGeneralTypeIssues]", "# pyright: ignore"),
        ("# nosec B101", "# nosec"),
        ("# pylint: disable=invalid-name", "# pylint: disable"),
        ("# keep it short  # noqa: E501", "# noqa"),
    ],
)
def test_added_line_suppressions(comment: str, kind: str) -> None:
    after = CODE.replace("os.getcwd()", f"os.getcwd()  {comment}")
    found = list(suppressions_added(make_change({P: CODE}, {P: after}), policy()))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG603", P, 5)]
    assert f"`{kind}`" in found[0].message
    assert "1 added in this file" in found[0].message


@pytest.mark.parametrize(
    ("comment", "kind"),
    [
        ("# ruff: noqa", "# ruff: noqa"),
        ("# ruff: noqa: E501", "# ruff: noqa"),
        ("# flake8: noqa", "# flake8: noqa"),
        ("# mypy: ignore-errors", "# mypy: ignore-errors"),
        ("# mypy: disable-error-code=attr-defined", "# mypy: ignore-errors"),
    ],
)
def test_added_file_level_switches(comment: str, kind: str) -> None:
    found = list(suppressions_added(make_change({P: CODE}, {P: comment + "\n" + CODE}), policy()))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG603", P, 1)]
    assert f"`{kind}`" in found[0].message
    assert "whole file" in found[0].message


def test_each_added_suppression_is_reported_with_the_count() -> None:
    after = "import os  # noqa: F401\nimport sys  # noqa: F401\n" + CODE
    found = list(suppressions_added(make_change({P: CODE}, {P: after}), policy()))
    assert [(f.path, f.line) for f in found] == [(P, 1), (P, 2)]
    assert all("2 added in this file" in f.message for f in found)


def test_suppression_already_there_is_not_reported_again() -> None:
    before = CODE.replace("import os", "import os  # noqa: F401")
    after = before + "\n\ndef other() -> int:\n    return 1\n"
    assert run(suppressions_added, make_change({P: before}, {P: after})) == []


def test_reindented_existing_suppression_is_not_new() -> None:
    before = "def f():\n    return g()  # type: ignore\n"
    after = "def f():\n    if True:\n        return g()  # type: ignore\n"
    assert run(suppressions_added, make_change({P: before}, {P: after})) == []


def test_suppression_in_a_string_is_not_a_comment() -> None:
    after = CODE + '\nHELP = "append # noqa or # type: ignore to silence"\n'
    assert run(suppressions_added, make_change({P: CODE}, {P: after})) == []


def test_suppression_moved_between_files_is_not_new() -> None:
    line = "from app import thing  # noqa: F401\n"
    other = "services/api/app/other.py"
    change = make_change({P: line + CODE, other: "X = 1\n"}, {P: CODE, other: line + "X = 1\n"})
    assert run(suppressions_added, change) == []


def test_second_noqa_on_a_new_line_is_reported() -> None:
    before = "import os  # noqa\n" + CODE
    after = before + "import sys  # noqa\n"
    assert run(suppressions_added, make_change({P: before}, {P: after})) == [("TG603", P, 7)]


def test_lead_may_suppress() -> None:
    after = CODE.replace("os.getcwd()", "os.getcwd()  # type: ignore")
    assert run(suppressions_added, make_change({P: CODE}, {P: after}, actor=LEAD)) == []


def test_file_that_does_not_tokenize_falls_back_to_lines() -> None:
    after = 'x = """unterminated\ny = 1  # noqa\n'
    assert run(suppressions_added, make_change({}, {P: after})) == [("TG603", P, 2)]


# --- loosened configuration -------------------------------------------------------

PY = "services/api/pyproject.toml"
BASE = """[project]
name = "api"
version = "0"

[tool.ruff.lint]
select = ["E", "F", "B"]
ignore = ["E203"]

[tool.mypy]
strict = true

[tool.coverage.report]
fail_under = 90
"""


def loosened(
    after: str, before: str = BASE, path: str = PY
) -> list[tuple[str | None, int | None, str]]:
    change = make_change({path: before}, {path: after})
    return [(f.path, f.line, f.message) for f in suppressions_added(change, policy())]


def test_ruff_ignore_added() -> None:
    ((path, line, message),) = loosened(BASE.replace('["E203"]', '["E203", "E501"]'))
    assert (path, line) == (PY, 7)
    assert "ruff ignore: 1 added (E501)" in message


def test_ruff_ignore_added_on_its_own_line() -> None:
    after = BASE.replace('ignore = ["E203"]', 'ignore = [\n  "E203",\n  "F401",\n]')
    ((path, line, message),) = loosened(after)
    assert (path, line) == (PY, 9)
    assert "F401" in message


def test_ruff_per_file_ignores_added() -> None:
    after = BASE + '\n[tool.ruff.lint.per-file-ignores]\n"app/*.py" = ["ANN"]\n'
    ((path, line, message),) = loosened(after)
    assert (path, line) == (PY, 16)
    assert "per-file-ignores" in message


def test_ruff_select_entry_removed() -> None:
    ((path, line, message),) = loosened(BASE.replace('["E", "F", "B"]', '["E", "F"]'))
    assert (path, line) == (PY, 6)
    assert "ruff select: 1 removed (B)" in message


def owned_only(found: list[tuple[str | None, int | None, str]], path: str = PY) -> bool:
    """No loosening named, only the rule that a module's tool configuration is the lead's."""
    return [(p, "is the lead's" in m, "loosens" in m) for p, _, m in found] == [(path, True, False)]


def test_ruff_select_widened_to_all_is_not_loosening() -> None:
    assert owned_only(loosened(BASE.replace('["E", "F", "B"]', '["ALL"]')))


def test_mypy_strict_turned_off() -> None:
    ((path, line, message),) = loosened(BASE.replace("strict = true", "strict = false"))
    assert (path, line) == (PY, 10)
    assert "mypy strict = false" in message


def test_mypy_ignore_errors_and_untyped_defs() -> None:
    after = BASE.replace(
        "strict = true", "strict = true\nignore_errors = true\ndisallow_untyped_defs = false"
    )
    found = loosened(after)
    assert [(p, line) for p, line, _ in found] == [(PY, 12), (PY, 11)]
    assert "disallow_untyped_defs" in found[0][2]
    assert "ignore_errors = true" in found[1][2]


def test_mypy_override_with_ignore_errors() -> None:
    after = BASE + '\n[[tool.mypy.overrides]]\nmodule = "app.legacy.*"\nignore_errors = true\n'
    ((path, line, message),) = loosened(after)
    assert (path, line) == (PY, 17)
    assert "app.legacy.*: ignore_errors" in message


def test_coverage_fail_under_lowered() -> None:
    ((path, line, message),) = loosened(BASE.replace("fail_under = 90", "fail_under = 50"))
    assert (path, line) == (PY, 13)
    assert "fail_under 90 → 50" in message


def test_tightening_is_not_loosening_but_still_the_leads() -> None:
    after = BASE.replace('["E", "F", "B"]', '["E", "F", "B", "UP"]').replace("90", "95")
    assert owned_only(loosened(after))


def test_unrelated_edit_is_not_reported() -> None:
    assert loosened(BASE.replace('version = "0"', 'version = "1"')) == []


def test_new_pyproject_with_ignores_is_loosening() -> None:
    ((path, line, message),) = loosened('[tool.ruff]\nignore = ["E501"]\n', before="")
    assert (path, line) == (PY, 2)
    assert "E501" in message


def test_ruff_toml_extend_ignore() -> None:
    path = "services/api/ruff.toml"
    ((p, line, message),) = loosened(
        '[lint]\nextend-ignore = ["D"]\n', before="[lint]\n", path=path
    )
    assert (p, line) == (path, 2)
    assert "ruff ignore" in message


def test_mypy_ini_module_section() -> None:
    path = "services/api/mypy.ini"
    before = "[mypy]\nstrict = True\n"
    ((p, line, message),) = loosened(
        before + "\n[mypy-vendor.*]\nignore_errors = True\n", before, path
    )
    assert (p, line) == (path, 5)
    assert "vendor.*: ignore_errors" in message


def test_setup_cfg_flake8_and_coverage() -> None:
    path = "services/api/setup.cfg"
    before = "[flake8]\nmax-line-length = 100\n\n[coverage:report]\nfail_under = 80\n"
    after = (
        "[flake8]\nmax-line-length = 100\nextend-ignore = E203,W503\n\n"
        "[coverage:report]\nfail_under = 70\n"
    )
    found = loosened(after, before, path)
    assert [(p, line) for p, line, _ in found] == [(path, 3), (path, 6)]
    assert "flake8 ignore: 2 added (E203, W503)" in found[0][2]
    assert "fail_under 80 → 70" in found[1][2]


def test_coveragerc_fail_under_removed() -> None:
    path = "services/api/.coveragerc"
    found = loosened("[report]\nshow_missing = true\n", "[report]\nfail_under = 85\n", path)
    assert [(p, line) for p, line, _ in found] == [(path, None)]
    assert "85 → removed" in found[0][2]


def test_lead_may_loosen() -> None:
    change = make_change(
        {PY: BASE}, {PY: BASE.replace("strict = true", "strict = false")}, actor=LEAD
    )
    assert run(suppressions_added, change) == []


def test_broken_toml_is_left_to_the_tools() -> None:
    assert loosened(BASE + "[tool.ruff\n") == []


def test_per_file_ignores_moved_with_the_files_is_not_loosening() -> None:
    path = "services/api/setup.cfg"
    before = "[flake8]\nper-file-ignores =\n    app/__init__.py:E402, F401\n"
    after = "[flake8]\nper-file-ignores =\n    src/app/__init__.py:E402, F401\n"
    assert owned_only(loosened(after, before, path), path)


def test_flake8_per_file_ignores_added_code() -> None:
    path = "services/api/setup.cfg"
    before = "[flake8]\nper-file-ignores =\n    app/__init__.py:E402\n"
    after = "[flake8]\nper-file-ignores =\n    app/__init__.py:E402, F401\n    tests/*.py:S101\n"
    found = loosened(after, before, path)
    assert [(p, line) for p, line, _ in found] == [(path, 3)]
    assert "2 added (app/__init__.py: F401, tests/*.py: S101)" in found[0][2]


def test_replacing_listed_flags_by_strict_is_not_loosening() -> None:
    before = "[tool.mypy]\nwarn_unused_ignores = true\nno_implicit_optional = true\n"
    assert owned_only(loosened("[tool.mypy]\nstrict = true\n", before))


def test_dropping_a_flag_without_strict_is_loosening() -> None:
    before = "[tool.mypy]\ndisallow_untyped_defs = true\n"
    ((path, line, message),) = loosened("[tool.mypy]\npretty = true\n", before)
    assert (path, line) == (PY, None)
    assert "disallow_untyped_defs = removed (was true)" in message


def test_suppression_inside_a_triple_quoted_string_is_not_a_comment() -> None:
    after = CODE + '\nDOC = """\nx = 1  # noqa\ny = 2  # type: ignore\n"""\n'
    assert run(suppressions_added, make_change({P: CODE}, {P: after})) == []
