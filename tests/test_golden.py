"""`taskgate rules`, `taskgate explain ID` and the SARIF rule descriptors, unchanged for
every rule id: compared with the golden copies in tests/golden/ (one file per id).

A rule id without a golden file (a new rule), a golden file without a rule (a removed
one) and a changed text each fail with the id in the test's name and the diff in the
message. After a deliberate change, regenerate with one command and review the diff:

    make golden          # = .venv/bin/python -m tests.golden
"""

from __future__ import annotations

import difflib

import pytest

from tests.golden import FRAME, REGENERATE, Printed, golden_ids, golden_path


@pytest.fixture(scope="module")
def printed() -> Printed:
    return Printed()


def _diff(rid: str, golden: str, now: str) -> str:
    lines = difflib.unified_diff(
        golden.splitlines(keepends=True), now.splitlines(keepends=True),
        fromfile=f"golden {rid}", tofile=f"printed now {rid}",
    )  # fmt: skip
    return "".join(lines)


# Every id that has a golden file, and every id taskgate lists (read at collection).
IDS = sorted(set(golden_ids()) | set(Printed().ids))


@pytest.mark.parametrize("rid", IDS)
def test_rule_documentation_is_unchanged(rid: str, printed: Printed) -> None:
    path = golden_path(rid)
    if rid not in printed.ids:
        pytest.fail(f"{rid}: golden file {path.name} but taskgate no longer lists {rid}; "
                    f"if the rule was removed on purpose: {REGENERATE}")  # fmt: skip
    if not path.exists():
        pytest.fail(f"{rid}: taskgate lists {rid} but it has no golden file {path.name} "
                    f"(a new rule?): {REGENERATE}")  # fmt: skip
    golden = path.read_text(encoding="utf-8")
    now = printed.rule(rid)
    assert now == golden, f"{rid}: its documentation changed ({REGENERATE}):\n" + _diff(
        rid, golden, now
    )


def test_table_header_footer_and_sarif_driver_are_unchanged(printed: Printed) -> None:
    golden = FRAME.read_text(encoding="utf-8")
    now = printed.frame()
    assert now == golden, f"frame.txt changed ({REGENERATE}):\n" + _diff("frame", golden, now)


def test_every_output_lists_the_rules_once_in_id_order(printed: Printed) -> None:
    for where, ids in printed.orders().items():
        assert ids == sorted(set(ids)), f"{where}: {ids}"
        assert ids == printed.ids, where
