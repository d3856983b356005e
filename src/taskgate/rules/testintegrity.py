"""Test-integrity rules TG601 and TG602 (SPEC §7): a coder must not delete or skip tests.

They apply to coder commits only (the lead may do these things on purpose). The
checks are registered here, light, because the commit-msg hook imports every family
with a check it runs; the parsing lives in `taskgate.rules.deletedtests` and
`taskgate.rules.skips`, imported only for a coder's commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from taskgate.change import Change
from taskgate.finding import Finding
from taskgate.policy import Policy
from taskgate.rules.changedlines import coder_commit
from taskgate.rules.registry import EVERY_STAGE, check, rule

TG601 = rule(
    id="TG601",
    name="tests-deleted",
    stages=EVERY_STAGE,
    summary="coder commit deletes tests or test functions",
    what=(
        "A test file removed, or a test function present before and gone after; and, by "
        "behaviour, a test id that ran in the gate at the base and does not run now "
        "(renamed out of collection, `del test_x`, `__test__ = False`, deselected)."
    ),
    why="Deleting a failing test is the easiest way to make it pass.",
    example="git rm services/api/tests/test_users.py",
    fix="Fix the code, keep the test.",
)


@check(TG601, needs_actor=True)
def deleted_tests(change: Change, policy: Policy) -> Iterable[Finding]:
    """Test files removed, or test functions present before and gone after."""
    if not coder_commit(change):
        return []
    from taskgate.rules.deletedtests import deleted_test_findings

    return list(deleted_test_findings(change))


TG602 = rule(
    id="TG602",
    name="tests-skipped",
    stages=EVERY_STAGE,
    summary="coder commit adds skip/xfail markers or skip calls",
    what=(
        "Added pytest.mark.skip/skipif/xfail, pytest.skip/xfail/importorskip, unittest "
        "skips, or test-selection filters in pytest configuration; and, by behaviour, a "
        "test that ran at the base and is skipped/xfailed in the gate now (however the "
        "skip was made: a conftest hook, an aliased marker), or more deselected tests."
    ),
    why="A skipped test is not a passing one.",
    example="@pytest.mark.skip(reason='flaky')",
    fix="Fix the test or the code.",
)


@check(TG602, needs_actor=True)
def skipped_tests(change: Change, policy: Policy) -> Iterable[Finding]:
    """Added skip/xfail markers, skip calls and test-selection filters."""
    if not coder_commit(change):
        return []
    from taskgate.rules.skips import skip_findings

    return list(skip_findings(change))
