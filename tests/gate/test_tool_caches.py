"""Persistent tool caches (issue 14, F): local hooks give each module's tools caches
under the git common dir, per module and tool versions; `ci` never does."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.ci.support import ci_json
from tests.conftest import GitRepo
from tests.gate.support import CALC_OK, CODER, MODULE, set_policy

STUB = """#!{python}
import json, os, sys
with open({log!r}, "a") as fh:
    fh.write(json.dumps({{k: os.environ.get(k) for k in
                         ("MYPY_CACHE_DIR", "RUFF_CACHE_DIR", "PYTEST_ADDOPTS")}}) + "\\n")
"""


def _stub(folder: Path, log: Path) -> Path:
    tool = folder / "bin" / "mypy"
    tool.parent.mkdir(parents=True)
    tool.write_text(STUB.format(python=sys.executable, log=str(log)))
    tool.chmod(0o755)
    return tool


def _seen(log: Path) -> list[dict[str, str | None]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_local_runs_keep_caches_under_the_common_dir(gate_repo: GitRepo, tmp_path: Path) -> None:
    log = tmp_path / "env.log"
    tool = _stub(tmp_path / "tools", log)
    set_policy(gate_repo, f'[gate]\n[gate.python]\ncommands = ["{tool} app"]\n')
    gate_repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n")
    gate_repo.add(f"{MODULE}/app/calc.py")
    proc = gate_repo.commit(CODER)
    assert proc.returncode == 0, proc.stderr
    (env,) = _seen(log)
    root = gate_repo.path / ".git" / "taskgate" / "tool-cache" / "python"
    mypy = Path(env["MYPY_CACHE_DIR"] or "")
    assert mypy.parent.parent == root
    assert mypy.name == "mypy"
    assert Path(env["RUFF_CACHE_DIR"] or "").parent == mypy.parent
    assert f"cache_dir={mypy.parent / 'pytest'}" in (env["PYTEST_ADDOPTS"] or "")


def test_ci_runs_with_fresh_caches(gate_repo: GitRepo, tmp_path: Path) -> None:
    log = tmp_path / "env.log"
    tool = _stub(tmp_path / "tools", log)
    set_policy(gate_repo, f'[gate]\n[gate.python]\ncommands = ["{tool} app"]\n')
    base = gate_repo.head()
    gate_repo.write(f"{MODULE}/app/calc.py", CALC_OK + "\n")
    gate_repo.add(f"{MODULE}/app/calc.py")
    gate_repo.commit(CODER, "--no-verify", check=True)
    doc = ci_json(gate_repo, "--range", f"{base}..HEAD")
    assert doc["findings"] == []
    (env,) = _seen(log)
    assert env == {"MYPY_CACHE_DIR": None, "RUFF_CACHE_DIR": None, "PYTEST_ADDOPTS": None}
