"""The gate as a new user meets it (issue 14): a cache miss after a one-line edit.

- *gate miss after a one-line edit*: a module of 40 source files and 200 tests (the
  bench_gate module, 10 more test files); each run changes one line of one source
  file and stages it, then runs the installed pre-commit hook (only that hook is
  installed, so it runs the gate itself: taskgate.hookorder). The gate's tool
  caches persist between runs (taskgate keeps them under the git common dir), so
  this is compared with the same three commands run by hand in the module with
  warm caches, on the same edit. Budget: ratio at most 1.3.
- *two touched modules*: the same edit in two such modules, gated concurrently, next
  to one module.
- *test accounting on a cache hit*: in-process, the gate on a staged change whose
  tree already passed, with and without the comparison of test records (the lead's
  change skips it); the difference is what the accounting costs. Budget: 10 ms.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from bench_gate import BOARD, GATE_ON, MODULE, PLAN, PYPROJECT, SOURCE, TEST, _by_hand, _write
from harness import Row, fresh_dir, git, hook_env, median_ms, python_exe, run_process, time_commands

RATIO_BUDGET = 1.3
ACCOUNTING_BUDGET_MS = 10.0
SOURCES = 40
EXTRA_TESTS = 10  # 50 test files of 4 tests: 200 tests
_EDITS = itertools.count(1)  # shared by every runner: no edit repeats a tree (a cache hit)


def _structure(modules: int) -> dict[str, object]:
    mods: dict[str, object] = {
        "python": {"path": MODULE, "agent": "python-coder", "language": "python"}
    }
    for n in range(2, modules + 1):
        mods[f"python{n}"] = {"path": f"{MODULE}{n}", "agent": f"coder{n}", "language": "python"}
    return {"version": 1, "modules": mods, "roles": {"lead": "lead", "reviewer": "review"}}


def make_repo(root: Path, env: dict[str, str], modules: int = 1) -> list[Path]:
    git(root, "init", "-q", "-b", "main", env=env)
    _write(root, "shared/project_structure.json", json.dumps(_structure(modules), indent=2))
    _write(root, "shared/task_list.json", json.dumps(BOARD, indent=2) + "\n")
    _write(root, "shared/plan.md", PLAN)
    _write(root, "taskgate.toml", GATE_ON)
    paths = [MODULE] + [f"{MODULE}{n}" for n in range(2, modules + 1)]
    for path in paths:
        _write(root, f"{path}/pyproject.toml", PYPROJECT)
        _write(root, f"{path}/app/__init__.py", "")
        for i in range(SOURCES):
            _write(root, f"{path}/app/users{i}.py", SOURCE.format(i=i))
            _write(root, f"{path}/tests/test_users{i}.py", TEST.format(i=i))
        for j in range(EXTRA_TESTS):
            _write(root, f"{path}/tests/test_more{j}.py", TEST.format(i=j))
    git(root, "add", ".", env=env)
    git(root, "commit", "-q", "--no-verify", "-m", "chore(lead): set up", env=env)
    install = run_process(
        [python_exe(), "-m", "taskgate", "install", "-t", "pre-commit"], root, env
    )
    if install() != 0:
        raise RuntimeError("taskgate install failed")
    return [root / p for p in paths]


def _editor(repo: Path, modules: list[Path], env: dict[str, str]) -> Callable[[], None]:
    """Change one line of users0.py in each module (a value never used before) and stage it."""

    def edit() -> None:
        value = next(_EDITS)
        for module in modules:
            text = SOURCE.format(i=0) + f"\n\nVERSION = {value}\n"
            (module / "app" / "users0.py").write_text(text, encoding="utf-8")
        git(repo, "add", *(str(m.relative_to(repo)) for m in modules), env=env)

    return edit


def _miss(repo: Path, modules: list[Path], env: dict[str, str]) -> Callable[[], object]:
    edit = _editor(repo, modules, env)
    hook = run_process([repo / ".git" / "hooks" / "pre-commit"], repo, env, check_returncode=0)

    def runner() -> object:
        edit()
        return hook()

    return runner


def _hand(repo: Path, module: Path, env: dict[str, str]) -> Callable[[], object]:
    edit = _editor(repo, [module], env)
    tools = _by_hand(module, env, clear=False)

    def runner() -> object:
        edit()
        return tools()

    return runner


def _accounting(repo: Path, env: dict[str, str], runs: int) -> tuple[float, float]:
    """Medians (ms) of the gate on a cache hit with and without the test accounting."""
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        from taskgate.builders import staged_change
        from taskgate.change import Stage
        from taskgate.gate import run_gate
        from taskgate.git import Repo

        repo_ = Repo(repo)
        built = staged_change(repo_, Stage.PRE_COMMIT, None)
        with_: list[float] = []
        without: list[float] = []
        everything = frozenset(built.change.structure.modules) if built.change.structure else None
        for _ in range(runs):
            for excused, out in ((frozenset(), with_), (everything or frozenset(), without)):
                start = time.perf_counter()
                result = run_gate(repo_, built.change, built.policy, excused=excused)
                out.append(time.perf_counter() - start)
                if any(f.severity == "error" for f in result.findings):
                    raise RuntimeError(f"the gate failed: {result.findings}")
        repo_.close()
        return median_ms(with_), median_ms(without)
    finally:
        os.environ.clear()
        os.environ.update(old)


def run(workdir: Path, quick: bool) -> list[Row]:
    rows: list[Row] = []
    runs = 3 if quick else 9

    root = fresh_dir(workdir, "miss")
    repo = root / "repo"
    repo.mkdir()
    env = hook_env(root, repo)
    (module,) = make_repo(repo, env)
    commands = {"taskgate": _miss(repo, [module], env), "by hand": _hand(repo, module, env)}
    timings = time_commands(commands, runs=runs, warmup=2)
    gate_ms, hand_ms = median_ms(timings["taskgate"]), median_ms(timings["by hand"])
    bench = "gate miss after a one-line edit (40 sources, 200 tests)"
    rows.append(Row(bench, "taskgate", gate_ms, RATIO_BUDGET * hand_ms,
                    f"whole pre-commit hook; ratio to by hand {gate_ms / hand_ms:.2f} (budget "
                    f"≤ {RATIO_BUDGET}); persistent tool caches; {runs} runs"))  # fmt: skip
    rows.append(Row(bench, "by hand: ruff, mypy, pytest, warm caches", hand_ms, None,
                    f"in {MODULE}/ after the same edit; {runs} runs"))  # fmt: skip

    # The record of the staged tree is now cached: the accounting on a hit.
    _miss(repo, [module], env)()
    with_ms, without_ms = _accounting(repo, env, 21 if not quick else 5)
    rows.append(Row("test accounting on a cache hit", "taskgate", with_ms - without_ms,
                    ACCOUNTING_BUDGET_MS, f"gate on a cache hit in-process: {with_ms:.1f} ms "
                    f"with the accounting, {without_ms:.1f} ms without"))  # fmt: skip

    root = fresh_dir(workdir, "two")
    repo2 = root / "repo"
    repo2.mkdir()
    env2 = hook_env(root, repo2)
    modules = make_repo(repo2, env2, modules=2)
    two = {
        "taskgate, two modules": _miss(repo2, modules, env2),
        "taskgate, one module": _miss(repo2, modules[:1], env2),
    }
    timings = time_commands(two, runs=runs, warmup=2)
    for tool, seconds in timings.items():
        note = f"whole pre-commit hook after a one-line edit; {runs} runs"
        rows.append(Row("two touched modules, gated concurrently", tool, median_ms(seconds),
                        None, note))  # fmt: skip
    return rows
