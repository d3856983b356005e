"""The wheel carries schemas/ and hooks/; a fresh venv runs taskgate from it; editable works too.

hatchling's force-include puts the top-level folders inside the package for a wheel,
but not for an editable install: taskgate.resources must find them in both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PYTHON, GitRepo, finding_ids
from tests.support.packaging import PIP_CACHE, copy_package_tree

ROOT = Path(__file__).resolve().parent.parent
WHERE = """
import json, taskgate
from taskgate.resources import data_dir
print(json.dumps({"package": taskgate.__file__, "schemas": str(data_dir("schemas")),
                  "hooks": str(data_dir("hooks"))}))
"""


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_CACHE_DIR"] = PIP_CACHE
    env.update(extra)
    return env


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True,
        env=env or clean_env(), check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = copy_package_tree(tmp_path_factory.mktemp("build") / "taskgate")
    out = tree / "dist"
    # hatchling is in the development venv: build without fetching a build environment.
    run(PYTHON, "-m", "build", "--wheel", "--no-isolation", "--outdir", out, cwd=tree)
    (found,) = out.glob("taskgate-*.whl")
    return found


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    # No pip of its own (ensurepip: ~5 s of CPU): this environment's pip installs into it.
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q",
        wheel, cwd=venv.parent)  # fmt: skip
    assert not (venv / "bin" / "pip").exists()
    return venv


def source_files(folder: str) -> list[str]:
    return sorted(p.name for p in (ROOT / folder).iterdir() if p.is_file())


@pytest.mark.slow
def test_wheel_contains_hooks_and_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "taskgate/hooks/shim.sh" in names
    assert "taskgate/cli.py" in names
    for schema in source_files("schemas"):
        assert f"taskgate/schemas/{schema}" in names
    assert not any(n.startswith(("tests/", "src/")) for n in names)


@pytest.mark.slow
def test_fresh_venv_finds_its_data_inside_the_package(fresh_venv: Path, tmp_path: Path) -> None:
    where = json.loads(run(fresh_venv / "bin" / "python", "-P", "-c", WHERE, cwd=tmp_path))
    package = Path(where["package"]).parent
    assert package.is_relative_to(fresh_venv)
    assert Path(where["schemas"]) == package / "schemas"
    assert Path(where["hooks"]) == package / "hooks"
    assert (package / "hooks" / "shim.sh").is_file()
    assert sorted(p.name for p in (package / "schemas").iterdir()) == source_files("schemas")


@pytest.mark.slow
def test_fresh_venv_runs_rules_and_installs_working_hooks(fresh_venv: Path, repo: GitRepo) -> None:
    taskgate = fresh_venv / "bin" / "taskgate"
    rules = run(taskgate, "rules", cwd=repo.path)
    assert "TG101" in rules
    assert "TG201" in rules
    # The references ship inside the package.
    assert "# taskgate.toml reference" in run(taskgate, "explain", "policy", cwd=repo.path)
    assert "review_comments" in run(taskgate, "explain", "board", cwd=repo.path)
    run(taskgate, "install", cwd=repo.path)
    shim = (repo.path / ".git" / "hooks" / "commit-msg").read_text()
    assert f"python={fresh_venv}/bin/python" in shim
    repo.write("README.md", "# hi\n")
    repo.add()
    env = clean_env()
    bad = repo.git("commit", "-m", "Added readme", check=False, env=env)
    assert bad.returncode == 1
    assert finding_ids(bad) == ["TG101"]
    assert "COMMIT_EDITMSG:1:" in bad.stderr
    good = repo.git("commit", "-m", "docs(readme): add it", check=False, env=env)
    assert good.returncode == 0, good.stderr


def test_editable_install_finds_the_top_level_folders(tmp_path: Path) -> None:
    where = json.loads(run(PYTHON, "-P", "-c", WHERE, cwd=tmp_path))
    # The development venv installs this tree in editable mode: the package is src/taskgate.
    assert Path(where["package"]).resolve() == ROOT / "src" / "taskgate" / "__init__.py"
    assert Path(where["schemas"]).resolve() == ROOT / "schemas"
    assert Path(where["hooks"]).resolve() == ROOT / "hooks"
