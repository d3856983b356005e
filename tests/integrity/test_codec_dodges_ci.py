"""The codec dodges of test_codec_dodges.py, through `taskgate ci` (issue 14): a skip or a
removed test hidden under `# coding: utf-7`, committed with the hooks skipped, is
TG602/TG601 in the range, also when a merge brings it in; the honest twin (the same
encoding, a test added) lands clean."""

from __future__ import annotations

import pytest

from tests.conftest import GitRepo, json_findings
from tests.support.codecs import TEST, TESTS
from tests.support.codecs import utf7 as _utf7

# End to end through ci on real commits: run by `make test`, left out of `make test-fast`.
pytestmark = pytest.mark.slow

INTEGRITY = ("TG601", "TG602", "TG603", "TG604")


def _coder_commit(repo: GitRepo, data: bytes) -> None:
    repo.write(TEST, data)
    repo.add(TEST)
    repo.commit_no_hooks("test(python): reword the calculator tests")


def _integrity(repo: GitRepo, rng: str) -> list[tuple[str, str | None]]:
    proc = repo.taskgate("ci", "--range", rng, "--no-gate", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return [f for f in json_findings(proc) if f[0] in INTEGRITY]


def _with_tests(repo: GitRepo) -> str:
    repo.write(TEST, TESTS)
    repo.add(TEST)
    return repo.commit_no_hooks("test(lead): the calculator's tests")


def test_a_skip_under_utf7_committed_without_hooks_is_tg602_in_ci(workflow_repo: GitRepo) -> None:
    base = _with_tests(workflow_repo)
    skipped = TESTS.replace("def test_add", "@pytest.mark.skip\ndef test_add")
    _coder_commit(workflow_repo, _utf7(skipped))
    assert _integrity(workflow_repo, f"{base}..HEAD") == [("TG602", TEST)]


def test_a_test_removed_under_utf7_in_a_merged_branch_is_tg601_in_ci(
    workflow_repo: GitRepo,
) -> None:
    before = TESTS + "\n\ndef test_sub() -> None:\n    assert 2 - 1 == 1\n"
    workflow_repo.write(TEST, before)
    workflow_repo.add(TEST)
    base = workflow_repo.commit_no_hooks("test(lead): the calculator's tests")
    workflow_repo.git("checkout", "-q", "-b", "coder")
    _coder_commit(workflow_repo, _utf7(TESTS))
    workflow_repo.git("checkout", "-q", "main")
    workflow_repo.git("merge", "-q", "--no-ff", "--no-verify", "-m", "chore(lead): merge", "coder")
    assert ("TG601", TEST) in _integrity(workflow_repo, f"{base}..HEAD")


def test_the_honest_twin_under_utf7_lands_clean_in_ci(workflow_repo: GitRepo) -> None:
    base = _with_tests(workflow_repo)
    more = TESTS + "\n\ndef test_double() -> None:\n    assert 2 * 2 == 4\n"
    _coder_commit(workflow_repo, _utf7(more))
    assert _integrity(workflow_repo, f"{base}..HEAD") == []
