"""The gate: a cache hit inside the whole pre-commit hook, and a cold run against doing it by hand.

Both on a repository whose Python module (`services/api`) has a small real code
base (typed functions, dataclasses) and a test suite, with the three default
commands (`ruff check .`, `mypy .`, `pytest -q`) resolved from this venv.

- *gate cache hit*: the installed pre-commit shim, run as git runs it, on a
  staged change whose module tree already passed. Budget (SPEC §9): under 150 ms.
  The same hook in a twin repository with the gate disabled shows what the gate
  itself costs on a hit; a 2,000-file module shows how the tree hashing scales.
- *gate cold run*: the same hook with the cache removed before each run (export,
  three commands concurrently, cleanup), side by side with the three commands run
  one after another by hand in the module folder. Budget: no longer than by hand
  (ratio ≤ 1.0). By hand runs with the tools' caches removed first, as the gate's
  fresh snapshot has none; the warm-cache figure is shown for information.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from harness import (
    VENV_BIN,
    Row,
    fresh_dir,
    git,
    hook_env,
    median_ms,
    python_exe,
    run_process,
    time_commands,
)

HIT_BUDGET_MS = 150.0
MODULE = "services/api"

STRUCTURE = {
    "version": 1,
    "modules": {
        "python": {"path": MODULE, "agent": "python-coder", "language": "python"},
        "web": {"path": "web", "agent": "frontend-coder"},
    },
    "roles": {"lead": "lead", "reviewer": "review"},
}
BOARD = {
    "version": 1,
    "tasks": [
        {"id": "T1", "title": "Users", "assignee": "python", "status": "in_progress",
         "depends_on": []},
    ],
}  # fmt: skip
PLAN = "# Plan\n\n## Contracts\n\n- GET /health\n"
GATE_ON = "[gate]\ntimeout = 600\n"  # the default commands: ruff check ., mypy ., pytest -q
GATE_OFF = "[gate]\nenabled = false\n"
PYPROJECT = (
    '[project]\nname = "api"\nversion = "0"\n\n'
    '[tool.pytest.ini_options]\npythonpath = ["."]\n'  # so `pytest` by hand finds `app`
)

SOURCE = '''"""Users, part {i}."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class User{i}:
    id: int
    name: str
    tags: list[str] = field(default_factory=list)

    def label(self) -> str:
        return f"{{self.id}}: {{self.name}}"

    def tagged(self, tag: str) -> User{i}:
        return User{i}(self.id, self.name, [*self.tags, tag])


def find{i}(users: list[User{i}], name: str) -> User{i} | None:
    for user in users:
        if user.name == name:
            return user
    return None


def total{i}(values: list[int], factor: int = {i}) -> int:
    return sum(v * factor for v in values)
'''

TEST = """from app.users{i} import User{i}, find{i}, total{i}


def test_label() -> None:
    assert User{i}(1, "ann").label() == "1: ann"


def test_tagged() -> None:
    assert User{i}(1, "ann").tagged("x").tags == ["x"]


def test_find() -> None:
    users = [User{i}(1, "ann"), User{i}(2, "bob")]
    assert find{i}(users, "bob") == users[1]
    assert find{i}(users, "eve") is None


def test_total() -> None:
    assert total{i}([1, 2, 3], 2) == 12
"""


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_repo(root: Path, env: dict[str, str], policy: str, files: int, extra: int = 0) -> Path:
    """Workflow files, the policy and a module of `files` source+test pairs; hooks installed."""
    git(root, "init", "-q", "-b", "main", env=env)
    _write(root, "shared/project_structure.json", json.dumps(STRUCTURE, indent=2) + "\n")
    _write(root, "shared/task_list.json", json.dumps(BOARD, indent=2) + "\n")
    _write(root, "shared/plan.md", PLAN)
    _write(root, "taskgate.toml", policy)
    _write(root, f"{MODULE}/pyproject.toml", PYPROJECT)
    _write(root, f"{MODULE}/app/__init__.py", "")
    for i in range(files):
        _write(root, f"{MODULE}/app/users{i}.py", SOURCE.format(i=i))
        _write(root, f"{MODULE}/tests/test_users{i}.py", TEST.format(i=i))
    for i in range(extra):
        _write(root, f"{MODULE}/data/d{i // 100}/f{i}.txt", f"{i}\n")
    _write(root, "web/index.html", "<p>hi</p>\n")
    git(root, "add", ".", env=env)
    git(root, "commit", "-q", "--no-verify", "-m", "chore(lead): set up", env=env)
    # Only pre-commit: with taskgate's commit-msg hook installed too, the gate would wait
    # for the message (taskgate.hookorder) and this hook would not run it.
    argv = [python_exe(), "-m", "taskgate", "install", "-t", "pre-commit"]
    install = run_process(argv, root, env)
    if install() != 0:
        raise RuntimeError("taskgate install failed")
    # The staged change the hook judges: one source file of the module edited.
    _write(root, f"{MODULE}/app/users0.py", SOURCE.format(i=0) + "\n\nVERSION = 2\n")
    git(root, "add", MODULE, env=env)
    return root


def _hook(repo: Path, env: dict[str, str]) -> Callable[[], int]:
    return run_process([repo / ".git" / "hooks" / "pre-commit"], repo, env, check_returncode=0)


def _cold(repo: Path, env: dict[str, str]) -> Callable[[], object]:
    hook = _hook(repo, env)
    cache = repo / ".git" / "taskgate" / "gate-cache"

    def runner() -> object:
        shutil.rmtree(cache, ignore_errors=True)
        return hook()

    return runner


def _by_hand(module: Path, env: dict[str, str], *, clear: bool) -> Callable[[], object]:
    tools = [
        [VENV_BIN / "ruff", "check", "."],
        [VENV_BIN / "mypy", "."],
        [VENV_BIN / "pytest", "-q"],
    ]
    by_hand_env = {k: v for k, v in env.items() if not k.startswith("GIT_")}
    runners = [run_process(argv, module, by_hand_env, check_returncode=0) for argv in tools]

    def runner() -> object:
        if clear:
            for name in (".mypy_cache", ".ruff_cache", ".pytest_cache"):
                shutil.rmtree(module / name, ignore_errors=True)
        for run_one in runners:
            run_one()
        return None

    return runner


def run(workdir: Path, quick: bool) -> list[Row]:
    rows: list[Row] = []
    files = 10 if quick else 30

    # --- cache hit ------------------------------------------------------------
    runs = 9 if quick else 41
    root = fresh_dir(workdir, "hit")
    repos: dict[str, Path] = {}
    envs: dict[str, dict[str, str]] = {}
    for name, policy, extra in (
        ("on", GATE_ON, 0),
        ("off", GATE_OFF, 0),
        ("big", GATE_ON, 2000),
    ):
        (root / name).mkdir()
        repo = root / name / "repo"
        repo.mkdir()
        envs[name] = hook_env(root / name, repo)
        repos[name] = make_repo(repo, envs[name], policy, files, extra)
        if policy is GATE_ON:
            _hook(repos[name], envs[name])()  # the cold run that fills the cache
    commands = {
        "taskgate": _hook(repos["on"], envs["on"]),
        "taskgate, gate disabled (reference)": _hook(repos["off"], envs["off"]),
        "taskgate, 2,000 more files in the module": _hook(repos["big"], envs["big"]),
    }
    timings = time_commands(commands, runs=runs, warmup=2)
    notes = {
        "taskgate": f"whole pre-commit hook (shim), gate cache hit; module of {2 * files + 2} "
        f"files; {runs} runs",
        "taskgate, gate disabled (reference)": "same repository and change, `[gate] enabled = "
        "false`: the rules without the gate",
        "taskgate, 2,000 more files in the module": "cache hit; the module tree hashed from "
        f"{2 * files + 2002} index entries",
    }
    for tool, seconds in timings.items():
        budget = None if tool.endswith("(reference)") else HIT_BUDGET_MS
        rows.append(Row("gate cache hit (pre-commit hook)", tool, median_ms(seconds), budget,
                        notes[tool]))  # fmt: skip

    # --- cold run against by hand -------------------------------------------------
    runs = 3 if quick else 9
    root = fresh_dir(workdir, "cold")
    repo = root / "repo"
    repo.mkdir()
    env = hook_env(root, repo)
    make_repo(repo, env, GATE_ON, files)
    module = repo / MODULE
    cold = {
        "taskgate": _cold(repo, env),
        "by hand: ruff, mypy, pytest one after another (no tool caches)": _by_hand(
            module, env, clear=True
        ),
        "by hand, warm tool caches (information)": _by_hand(module, env, clear=False),
    }
    timings = time_commands(cold, runs=runs, warmup=1)
    gate_ms = median_ms(timings["taskgate"])
    hand_ms = median_ms(timings["by hand: ruff, mypy, pytest one after another (no tool caches)"])
    for tool, seconds in timings.items():
        if tool == "taskgate":
            note = (
                f"whole pre-commit hook, gate cache removed before each run; ratio to by hand "
                f"{gate_ms / hand_ms:.2f} (budget ≤ 1.00); {runs} runs"
            )
            rows.append(Row("gate cold run vs by hand", tool, gate_ms, hand_ms, note))
        else:
            rows.append(Row("gate cold run vs by hand", tool, median_ms(seconds), None,
                            f"in {MODULE}/ of the working tree; {runs} runs"))  # fmt: skip
    return rows
