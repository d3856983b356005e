"""`run_gate` as `ci` calls it: named modules on a commit's tree."""

from __future__ import annotations

import pytest

from taskgate.builders import CommitChanges
from taskgate.errors import TaskgateError
from taskgate.gate import run_gate
from taskgate.git import Repo
from tests.conftest import GitRepo
from tests.gate.support import CALC_BAD, MODULE


def test_named_modules_are_gated_even_when_the_tip_does_not_touch_them(
    stub_gate_repo: GitRepo,
) -> None:
    stub_gate_repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    stub_gate_repo.add(f"{MODULE}/app/calc.py")
    stub_gate_repo.commit_no_hooks("feat(python): break it")
    stub_gate_repo.write("web/index.html", "<p>tip</p>\n")
    stub_gate_repo.add("web/index.html")
    stub_gate_repo.commit_no_hooks("feat(web): tip")
    tip = stub_gate_repo.head()
    with Repo(stub_gate_repo.path) as r:
        info = r.read_commits([tip])[0]
        built = CommitChanges(r).build(info, r.commit_diff(info.parents[0], tip))
        untouched = run_gate(r, built.change, built.policy)
        named = run_gate(r, built.change, built.policy, modules=["python", "web"])
        with pytest.raises(TaskgateError, match="no module named 'nope'"):
            run_gate(r, built.change, built.policy, modules=["nope"])
    assert untouched.findings == []
    assert untouched.notes == []
    # The stub command names no file:line (real tools do: test_findings_on_lines.py).
    assert [(f.rule, f.path) for f in named.findings] == [("TG401", MODULE)]
    # web has no language and no commands: skipped without a word.
    assert [n for n in named.notes if "web" in n] == []
