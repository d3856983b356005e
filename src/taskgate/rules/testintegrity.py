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
from taskgate.rules.registry import check


@check("TG601", stage="msg", needs_actor=True)
def deleted_tests(change: Change, policy: Policy) -> Iterable[Finding]:
    """Test files removed, or test functions present before and gone after."""
    if not coder_commit(change):
        return []
    from taskgate.rules.deletedtests import deleted_test_findings

    return list(deleted_test_findings(change))


@check("TG602", stage="msg", needs_actor=True)
def skipped_tests(change: Change, policy: Policy) -> Iterable[Finding]:
    """Added skip/xfail markers, skip calls and test-selection filters."""
    if not coder_commit(change):
        return []
    from taskgate.rules.skips import skip_findings

    return list(skip_findings(change))
