"""Fake tools (issue 14, A): the gate never takes a tool from the content it judges.

The attack: a committed link `services/api/.venv -> tools` whose `tools/bin/pytest`
exits 0, next to a failing test. Locally the link is new in the change, so the
lookup passes over it; in `ci` on a fresh clone it is tracked in the tree being
checked, so the lookup passes over it too; and a tracked `.venv` of any type is TG605.
The honest twin: an untracked `.venv` of the user's (or of the CI job) is used (a
logged stub there, run by its bare name: the lookup, not the tool, is what they show).
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

from tests.ci.support import ci_json
from tests.conftest import GitRepo
from tests.gate.support import (
    CALC_BAD,
    CALC_OK,
    CODER,
    MODULE,
    STUB_FILE,
    set_policy,
    text_findings,
)

FAKE = "#!/bin/sh\necho fake pytest passes everything\nexit 0\n"


def _logged_check(tool: Path, log: Path) -> None:
    """`api-check`, found only in the untracked `.venv`: it notes it ran, then runs the
    module's tests with the stub runner of tests/gate/support.py. The policy names it
    bare: were the lookup to miss the venv, the gate would report it missing (TG403)."""
    py = shlex.quote(sys.executable)
    tool.parent.mkdir(parents=True)
    tool.write_text(
        f'#!/bin/sh\necho started >> {shlex.quote(str(log))}\nexec {py} {STUB_FILE} "$@"\n'
    )
    tool.chmod(0o755)


def _plant_fake_tools(repo: GitRepo) -> None:
    tool = repo.write(f"{MODULE}/tools/bin/pytest", FAKE)
    tool.chmod(0o755)
    os.symlink("tools", repo.path / MODULE / ".venv")
    repo.write(f"{MODULE}/app/calc.py", CALC_BAD)
    repo.git("add", "--", MODULE)


def test_local_lookup_passes_over_tools_the_change_adds(gate_repo: GitRepo) -> None:
    _plant_fake_tools(gate_repo)
    proc = gate_repo.taskgate("check", "-m", CODER)
    found = text_findings(proc.stderr)
    assert ("TG605", f"{MODULE}/.venv") in found
    # The real pytest ran and failed on the broken code: the fake was passed over.
    assert ("TG401", MODULE) in found
    assert "fake pytest" not in proc.stderr
    # Through the hooks: refused.
    commit = gate_repo.commit(CODER)
    assert commit.returncode == 1
    assert ("TG605", f"{MODULE}/.venv") in text_findings(commit.stderr)


def test_local_untracked_venv_is_used(stub_gate_repo: GitRepo, tmp_path: Path) -> None:
    repo = stub_gate_repo
    set_policy(repo, '[gate]\ntimeout = 120\n[gate.python]\ncommands = ["api-check"]\n')
    log = tmp_path / "started.log"
    _logged_check(repo.path / MODULE / ".venv" / "bin" / "api-check", log)
    (repo.path / MODULE / ".venv" / ".gitignore").write_text("*\n")
    repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n")
    repo.add(f"{MODULE}/app/calc.py")
    proc = repo.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    assert "gate: python: api-check passed" in proc.stderr
    assert log.read_text().count("started") == 1


def _fresh_clone(repo: GitRepo, tmp_path: Path) -> GitRepo:
    clone = GitRepo(tmp_path / "clone")
    repo.git("clone", "-q", str(repo.path), str(clone.path))
    return clone


def test_ci_on_a_fresh_clone_never_takes_tools_from_the_tree(
    gate_repo: GitRepo, tmp_path: Path
) -> None:
    base = gate_repo.head()
    _plant_fake_tools(gate_repo)
    gate_repo.commit(CODER, "--no-verify", check=True)
    clone = _fresh_clone(gate_repo, tmp_path)
    assert (clone.path / MODULE / ".venv" / "bin" / "pytest").is_file()
    doc = ci_json(clone, "--range", f"{base}..HEAD")
    found = [(f["rule"], f["path"]) for f in doc["findings"]]
    assert ("TG605", f"{MODULE}/.venv") in found
    assert ("TG401", MODULE) in found


def test_ci_uses_a_venv_the_job_made_itself(stub_gate_repo: GitRepo, tmp_path: Path) -> None:
    repo = stub_gate_repo
    set_policy(repo, '[gate]\ntimeout = 120\n[gate.python]\ncommands = ["api-check"]\n')
    base = repo.head()
    repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n")
    repo.add()
    repo.commit(CODER, "--no-verify", check=True)
    clone = _fresh_clone(repo, tmp_path)
    log = tmp_path / "ci-started.log"
    _logged_check(clone.path / MODULE / ".venv" / "bin" / "api-check", log)
    doc = ci_json(clone, "--range", f"{base}..HEAD")
    assert doc["findings"] == []
    assert log.read_text().count("started") == 1


def test_a_tracked_venv_of_any_type_is_junk(repo: GitRepo) -> None:
    """A link, a plain file or a submodule named .venv: each is TG605."""
    repo.write("README.md", "x\n")
    repo.add()
    repo.commit_no_hooks("chore: init")
    (repo.path / "a").mkdir()
    os.symlink("/usr", repo.path / "a" / ".venv")
    repo.write("b/.venv", "not a folder\n")
    sub = repo.head()
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sub},c/.venv")
    repo.git("add", "a/.venv", "b/.venv")
    proc = repo.taskgate("check", "--format", "json")
    found = sorted((f["rule"], f["path"]) for f in json.loads(proc.stdout)["findings"])
    assert found == [("TG605", "a/.venv"), ("TG605", "b/.venv"), ("TG605", "c/.venv")]
