"""Shared fixtures: real git repositories in temporary folders, real taskgate processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from taskgate.scaffold import STRUCTURE as SCAFFOLD_STRUCTURE

PYTHON = sys.executable
SRC = Path(__file__).resolve().parent.parent / "src"


def pytest_configure(config: pytest.Config) -> None:
    """Byte-compile src/ once (`make test` does it too): with PYTHONDONTWRITEBYTECODE set,
    every taskgate process would otherwise compile the package again."""
    import compileall

    if (SRC / "taskgate").is_dir():
        compileall.compile_dir(SRC / "taskgate", quiet=2)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules holding a test marked slow run first, each module kept whole (its module
    fixtures are built once): with `-n`, the longest tests then start while the short
    ones are still queued, instead of one of them ending the run alone on one core."""
    heavy = {
        getattr(item, "module", None)
        for item in items
        if item.get_closest_marker("slow") is not None
    }
    items.sort(key=lambda item: getattr(item, "module", None) not in heavy)


# The module map `taskgate init` writes: tests and the scaffold agree on one example.
STRUCTURE = SCAFFOLD_STRUCTURE

BOARD = {
    "version": 1,
    "tasks": [
        {"id": "T1", "title": "User CRUD", "assignee": "python", "status": "todo",
         "depends_on": []},
        {"id": "T2", "title": "Users page", "assignee": "web", "status": "todo",
         "depends_on": ["T1"]},
    ],
}  # fmt: skip

PLAN = """# Plan

## Milestones

1. Users.

## Contracts

- GET /health

## Database

- users(id, name)
"""

# Lane and board tests do not want the gate; the gate tests turn it on themselves.
POLICY_NO_GATE = """[gate]
enabled = false
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test sees the same git: no user or system config, no agent claim."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test\n\temail = test@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n"
        '[protocol "file"]\n\tallow = always\n'
        # No `git maintenance run --auto` process after every commit a test makes, no
        # `git gc --auto` after every push a server receives.
        "[maintenance]\n\tauto = false\n[gc]\n\tauto = 0\n[receive]\n\tautogc = false\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var in ("TASKGATE_AGENT", "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "NO_COLOR",
                "GITHUB_ACTIONS", "GITHUB_BASE_REF", "GITHUB_STEP_SUMMARY",
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "TASKGATE_DEBUG",
                # pytest-xdist workers inherit the controller's terminal width.
                "COLUMNS", "LINES"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GIT_EDITOR", ":")
    # Every `python -m taskgate` a test starts (directly or through a hook) reads the
    # bytecode compiled at session start instead of compiling src/ again (~70 ms each).
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    # The pytest a gate starts in a test's repository loads its recorder with `-p`; the
    # plugins of this environment (xdist, hypothesis, pytest-cov) would only cost each of
    # those runs about 0.3 s of start-up.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    # The processes a test starts (hooks, the gate, the pytest a gate runs) get a TMPDIR of
    # their own, removed with the test's other folders: a gate's pytest would otherwise
    # sweep the shared /tmp/pytest-of-<user>, gigabytes after a few runs of this suite.
    monkeypatch.setenv("TMPDIR", str(tmp_path_factory.mktemp("tmp")))


class GitRepo:
    """A repository in a temporary folder, driven by real git commands."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None,
        input: bytes | None = None, cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:  # fmt: skip
        full_env = {**os.environ, **(env or {})}
        proc = subprocess.run(
            ["git", *args], cwd=cwd or self.path, capture_output=True, env=full_env,
            input=input, check=False,
        )  # fmt: skip
        result = subprocess.CompletedProcess(
            proc.args, proc.returncode,
            proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
        )  # fmt: skip
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def write_json(self, rel: str, data: object) -> Path:
        return self.write(rel, json.dumps(data, indent=2) + "\n")

    def add(self, *paths: str) -> None:
        self.git("add", "--", *(paths or (".",)))

    def commit(
        self, message: str, *extra: str, env: dict[str, str] | None = None, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """`git commit -m message` through whatever hooks are installed."""
        return self.git("commit", "-m", message, *extra, env=env, check=check)

    def commit_no_hooks(self, message: str) -> str:
        """Commit the index with no hook at all; the new HEAD. The commit `git commit
        --no-verify -m message` records, for scenes a test starts from: --no-verify still
        runs the prepare-commit-msg hook (a taskgate process per set-up commit), and a
        scene is not what the test is about, so the hooks folder is pointed at nothing.
        The message is kept verbatim (empty too) and an empty change still commits, as
        `git commit-tree` would. Not for merges (no second parent)."""
        git_dir = self.path / ".git"
        assert not (git_dir / "MERGE_HEAD").exists(), "commit_no_hooks does not conclude merges"
        self.git(
            "-c", f"core.hooksPath={os.devnull}", "commit", "-q", "--no-verify",
            "--allow-empty", "--allow-empty-message", "--cleanup=verbatim", "-m", message,
        )  # fmt: skip
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").stdout.strip()

    def taskgate(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:  # fmt: skip
        return run_taskgate(*args, cwd=cwd or self.path, input=input, env=env)

    def install(self, *args: str) -> None:
        proc = self.taskgate("install", *args)
        assert proc.returncode == 0, proc.stderr


def run_taskgate(
    *args: str, cwd: Path, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m taskgate` as a real process."""
    return subprocess.run(
        [PYTHON, "-m", "taskgate", *args], cwd=cwd, capture_output=True, text=True,
        input=input, env={**os.environ, **(env or {})}, check=False,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty repository (no commits yet)."""
    path = tmp_path / "repo"
    path.mkdir()
    r = GitRepo(path)
    r.git("init", "-q", "-b", "main")
    return r


# The identity and git configuration the shared template repository is built with (the
# per-test environment of `_clean_env` does not exist yet at session scope).
_TEMPLATE_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(scope="session")
def workflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `workflow_repo` state, built once per session (per xdist worker): copied per
    test, since a copied repository is a complete repository and copying is ten times
    faster than building one (git init, add, commit and a `taskgate install` process)."""
    path = tmp_path_factory.mktemp("workflow-template") / "repo"
    path.mkdir()
    home = path.parent / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    env = {**os.environ, **_TEMPLATE_IDENTITY, "HOME": str(home),
           "GIT_CONFIG_GLOBAL": str(home / ".gitconfig")}  # fmt: skip
    for var in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "TASKGATE_AGENT"):
        env.pop(var, None)
    repo = GitRepo(path)
    repo.write_json("shared/project_structure.json", STRUCTURE)
    repo.write_json("shared/task_list.json", BOARD)
    repo.write("shared/plan.md", PLAN)
    repo.write("taskgate.toml", POLICY_NO_GATE)
    repo.write("services/api/app/__init__.py", "")
    repo.write("services/api/pyproject.toml", '[project]\nname = "api"\nversion = "0"\n')
    repo.write("web/index.html", "<p>hi</p>\n")
    setup = "chore(lead): set up the workflow"
    for args in (("init", "-q", "-b", "main"), ("add", "."),
                 ("commit", "-q", "--no-verify", "-m", setup)):  # fmt: skip
        subprocess.run(["git", *args], cwd=path, env=env, check=True, capture_output=True)
    proc = run_taskgate("install", cwd=path, env=env)
    assert proc.returncode == 0, proc.stderr
    return path


@pytest.fixture
def workflow_repo(tmp_path: Path, workflow_template: Path) -> GitRepo:
    """A repository with the workflow files committed by the lead and the hooks installed.

    Modules: python (services/api, language python) and web (web). Board: T1 (python,
    todo) and T2 (web, todo, depends on T1). The gate is off (taskgate.toml). A fresh copy
    of `workflow_template`, at the path of the `repo` fixture (which it replaces when a
    test asks for both; it does not start from `repo`, whose `git init` would be wasted).
    """
    path = tmp_path / "repo"
    if path.exists():
        shutil.rmtree(path)
    shutil.copytree(workflow_template, path, symlinks=True)
    return GitRepo(path)


def finding_ids(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """Rule ids at the start of text-format finding lines on stderr."""
    out = []
    for line in proc.stderr.splitlines():
        word = line.split(" ", 1)[0]
        if len(word) == 5 and word.startswith("TG") and word[2:].isdigit():
            out.append(word)
    return out


def json_findings(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, str | None]]:
    """(rule, path) pairs from `--format json` output."""
    doc = json.loads(proc.stdout)
    return [(f["rule"], f["path"]) for f in doc["findings"]]
