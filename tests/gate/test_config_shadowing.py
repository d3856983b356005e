"""Config shadowing (issue 14, B): a coder cannot reduce what the tools check.

Tool configuration inside a module is the lead's (taskgate.rules.toolconfig): each
attack is refused through the local hooks and through `ci` on a fresh clone; the
honest twins (the lead's own change, a coder's dependency in [project]) pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.support import ci_json
from tests.conftest import POLICY_NO_GATE, GitRepo
from tests.gate.support import CALC_OK, CODER, MODULE, set_up, text_findings
from tests.support.templates import build_template, copy_template

# Slow: every attack through the hooks and through ci on a fresh clone.
pytestmark = pytest.mark.slow

PYPROJECT = '[project]\nname = "api"\nversion = "0"\n\n[tool.mypy]\nstrict = true\n'

# (file, content, line of the finding or None)
ATTACKS = {
    "empty mypy.ini": ("mypy.ini", "", None),
    "ruff.toml": ("ruff.toml", 'select = ["E"]\n', None),
    "pytest.ini --co": ("pytest.ini", "[pytest]\naddopts = --co\n", None),
    "ruff .ignore": (".ignore", "*.py\n", None),
    "sitecustomize": ("sitecustomize.py", "import sys\n", None),
    "a package named like a tool": ("mypy/__init__.py", "import sys\n", None),
    "a src module named like a tool": ("src/pytest.py", "import sys\n", None),
    "narrowed python_files": (
        "pyproject.toml",
        PYPROJECT + '\n[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n',
        8,
    ),
    "inline mypy flag": (
        "app/calc.py",
        "# mypy: allow-any-generics\n" + CALC_OK,
        1,
    ),
    "no_type_check": (
        "app/calc.py",
        "from typing import no_type_check\n\n\n@no_type_check\n" + CALC_OK,
        4,
    ),
}


def _settings(repo: GitRepo) -> None:
    set_up(repo, POLICY_NO_GATE)
    repo.write(f"{MODULE}/pyproject.toml", PYPROJECT)
    repo.add()
    repo.commit_no_hooks("chore(lead): module settings")


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory, workflow_template: Path) -> Path:
    return build_template(tmp_path_factory, "team-template", workflow_template, _settings)


@pytest.fixture
def team(team_template: Path, tmp_path: Path) -> GitRepo:
    return copy_template(team_template, tmp_path)


def _stage(repo: GitRepo, name: str, content: str) -> str:
    path = f"{MODULE}/{name}"
    repo.write(path, content)
    repo.add(path)
    return path


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_coder_cannot_shadow_tool_configuration(team: GitRepo, tmp_path: Path, attack: str) -> None:
    name, content, line = ATTACKS[attack]
    base = team.head()
    path = _stage(team, name, content)
    proc = team.commit(CODER)
    assert proc.returncode == 1
    assert ("TG603", path) in text_findings(proc.stderr)
    # Through ci on a fresh clone: the same finding on the same line.
    team.commit(CODER, "--no-verify", check=True)
    clone = GitRepo(tmp_path / "clone")
    team.git("clone", "-q", str(team.path), str(clone.path))
    doc = ci_json(clone, "--range", f"{base}..HEAD")
    found = [(f["rule"], f["path"], f["line"]) for f in doc["findings"]]
    assert ("TG603", path, line) in found


def test_the_lead_may_change_tool_configuration(team: GitRepo) -> None:
    _stage(team, "mypy.ini", "[mypy]\nstrict = True\n")
    _stage(team, "pyproject.toml", PYPROJECT + "warn_unreachable = true\n")
    proc = team.commit("chore(lead): stricter mypy")
    assert proc.returncode == 0, proc.stderr


def test_a_coder_may_add_a_dependency_and_a_conftest_fixture(team: GitRepo) -> None:
    deps = PYPROJECT.replace('version = "0"\n', 'version = "0"\ndependencies = ["httpx"]\n')
    _stage(team, "pyproject.toml", deps)
    _stage(
        team,
        "tests/conftest.py",
        "import pytest\n\n\n@pytest.fixture\ndef two() -> int:\n    return 2\n",
    )
    proc = team.commit(CODER)
    assert proc.returncode == 0, proc.stderr
