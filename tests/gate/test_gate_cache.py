"""The cache: a passing tree is not gated twice; a commit's tree gives the same key.

The module's gate command is a stub script (`stub_gate_repo`): the cache keys on the
tree, the root configuration and the resolved executables, whatever the command is.
"""

from __future__ import annotations

import json
from pathlib import Path

from taskgate.builders import CommitChanges
from taskgate.gate import run_gate
from taskgate.gate.cache import GateCache
from taskgate.git import Repo
from tests.conftest import GitRepo, finding_ids, json_findings
from tests.gate.support import CALC_BAD, CALC_OK, CODER, MODULE, STUB, gate_findings, tree_of


def _stage_passing_change(repo: GitRepo) -> None:
    repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n\nVERSION = 2\n")
    repo.add(f"{MODULE}/app/calc.py")


def test_second_commit_of_the_same_tree_after_a_rejected_message_is_cached(
    stub_gate_repo: GitRepo,
) -> None:
    _stage_passing_change(stub_gate_repo)
    rejected = stub_gate_repo.commit("Added version")
    assert rejected.returncode == 1
    # The gate goes last: a rejected message means it never ran (taskgate.hookorder).
    assert "gate: not run, the rules above failed first" in rejected.stderr
    assert "TG101" in finding_ids(rejected)
    checked = stub_gate_repo.taskgate("check", "-m", CODER)
    assert f"gate: python: {STUB} passed" in checked.stderr
    landed = stub_gate_repo.commit(CODER)
    assert landed.returncode == 0, landed.stderr
    # The note names the module's tree id, the same git gives the committed folder.
    assert f"gate: python cached pass (tree {tree_of(stub_gate_repo)[:7]})" in landed.stderr
    assert f"{STUB} passed" not in landed.stderr


def test_a_failure_is_never_cached(stub_gate_repo: GitRepo) -> None:
    stub_gate_repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    stub_gate_repo.add(f"{MODULE}/app/calc.py")
    for _ in range(2):
        proc = stub_gate_repo.commit(CODER)
        assert proc.returncode == 1
        assert gate_findings(proc.stderr) == [("TG401", MODULE)]
        assert "cached" not in proc.stderr


def test_no_cache_forces_a_run(stub_gate_repo: GitRepo) -> None:
    _stage_passing_change(stub_gate_repo)
    first = stub_gate_repo.taskgate("check", "-m", CODER, "--format", "json")
    assert first.returncode == 0, first.stderr
    assert [f for f in json_findings(first) if f[0].startswith("TG40")] == []
    assert any(f"{STUB} passed" in n for n in json.loads(first.stdout)["notes"])
    cached = stub_gate_repo.taskgate("check", "-m", CODER, "--format", "json")
    assert any("cached pass" in n for n in json.loads(cached.stdout)["notes"])
    forced = stub_gate_repo.taskgate("check", "-m", CODER, "--no-cache", "--format", "json")
    notes = json.loads(forced.stdout)["notes"]
    assert any(f"{STUB} passed" in n for n in notes)
    assert not any("cached" in n for n in notes)


def test_a_changed_root_config_or_command_misses_the_cache(stub_gate_repo: GitRepo) -> None:
    _stage_passing_change(stub_gate_repo)
    assert f"{STUB} passed" in stub_gate_repo.taskgate("check", "-m", CODER).stderr
    assert "cached pass" in stub_gate_repo.taskgate("check", "-m", CODER).stderr
    stub_gate_repo.write("pytest.ini", "[pytest]\n")
    stub_gate_repo.add("pytest.ini")
    assert f"{STUB} passed" in stub_gate_repo.taskgate("check", "-m", CODER).stderr


def _gate_commit(repo: GitRepo, sha: str, *, use_cache: bool) -> tuple[list[str], list[str]]:
    with Repo(repo.path) as r:
        info = r.read_commits([sha])[0]
        built = CommitChanges(r).build(info, r.commit_diff(info.parents[0], sha))
        result = run_gate(r, built.change, built.policy, use_cache=use_cache)
    return [f"{f.rule} {f.path}" for f in result.findings], result.notes


def test_a_commit_is_gated_on_its_own_tree(stub_gate_repo: GitRepo) -> None:
    stub_gate_repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    stub_gate_repo.add(f"{MODULE}/app/calc.py")
    stub_gate_repo.commit(CODER, "--no-verify", check=True)  # a bypassed commit, as CI sees it
    bad = stub_gate_repo.head()
    stub_gate_repo.write(f"{MODULE}/app/calc.py", CALC_OK)  # the working tree is fixed: irrelevant
    index_before = stub_gate_repo.git("ls-files", "-s").stdout
    findings, _ = _gate_commit(stub_gate_repo, bad, use_cache=True)
    assert findings == [f"TG401 {MODULE}"]
    assert stub_gate_repo.git("ls-files", "-s").stdout == index_before


def test_staged_pass_is_a_cache_hit_for_the_commit_it_became(stub_gate_repo: GitRepo) -> None:
    _stage_passing_change(stub_gate_repo)
    proc = stub_gate_repo.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    findings, notes = _gate_commit(stub_gate_repo, stub_gate_repo.head(), use_cache=True)
    assert findings == []
    assert notes == [f"gate: python cached pass (tree {tree_of(stub_gate_repo)[:7]})"]


def test_cache_files_are_whole_or_ignored(tmp_path: Path) -> None:
    cache = GateCache(tmp_path)
    cache.store("k1", {"tree": "abc"})
    assert cache.hit("k1")
    assert not cache.hit("k2")
    (cache.folder / "k2").write_text('{"key": "k2"')  # a torn file never counts
    assert not cache.hit("k2")
    (cache.folder / "k3").write_text('{"key": "other"}')
    assert not cache.hit("k3")
    assert sorted(p.name for p in cache.folder.iterdir()) == ["k1", "k2", "k3"]


def test_two_runs_at_once_both_pass_and_leave_one_whole_entry(stub_gate_repo: GitRepo) -> None:
    import subprocess
    import sys

    _stage_passing_change(stub_gate_repo)
    argv = [sys.executable, "-m", "taskgate", "check", "-m", CODER, "--format", "json"]
    procs = [
        subprocess.Popen(argv, cwd=stub_gate_repo.path, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        doc = json.loads(out)
        assert [(f["rule"], f["path"]) for f in doc["findings"]] == []
    folder = stub_gate_repo.path / ".git" / "taskgate" / "gate-cache"
    entries = list(folder.iterdir())
    assert len(entries) == 1  # no temporary file left behind
    assert (
        json.loads(entries[0].read_text())["tree"]
        == stub_gate_repo.git("write-tree", "--prefix", f"{MODULE}/").stdout.strip()
    )
    third = stub_gate_repo.taskgate("check", "-m", CODER)
    assert "gate: python cached pass" in third.stderr
