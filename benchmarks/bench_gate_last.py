"""Cheap first, the gate last (issue 14): a coder's commit with a bad message and a
failing test is rejected by the message rule in under 1 s, and the gate's tools never
start.

A real `git commit -m "Changed the calculator"` through the hooks `taskgate install`
writes (pre-commit, prepare-commit-msg, commit-msg), in a repository whose Python
module (`services/api`, the module of bench_gate) has a staged test that fails. The
gate's commands are the defaults (`ruff check .`, `mypy .`, `pytest -q`), each started
through a wrapper that logs its start: the log must stay empty after the timed runs
(tests/gate/test_gate_last.py proves the same in the suite), so the row cannot time a
rejection that ran the tools first. For comparison, the same commit with a good
message: the gate runs, last, and rejects the failing test (a cold run: its cache
is removed before each run).
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

from bench_gate import GATE_ON, MODULE, make_repo
from harness import (
    VENV_BIN,
    Row,
    bench_env,
    fresh_dir,
    git,
    median_ms,
    python_exe,
    run_process,
    time_commands,
)

BUDGET_MS = 1000.0
BAD_MESSAGE = "Changed the calculator"  # TG101: not a Conventional Commits header
GOOD_MESSAGE = "feat(python): a test of the users"
FAILING = "def test_users_fail() -> None:\n    assert 1 + 1 == 3\n"


def _wrapper(folder: Path, log: Path) -> Path:
    """A command that logs its start, then runs the tool it is given."""
    tool = folder / "logged"
    tool.write_text(
        f'#!/bin/sh\necho "$1" >> {shlex.quote(str(log))}\nexec "$@"\n', encoding="utf-8"
    )
    tool.chmod(0o755)
    return tool


def _policy(wrapper: Path) -> str:
    tools = [f"{VENV_BIN / 'ruff'} check .", f"{VENV_BIN / 'mypy'} .", f"{VENV_BIN / 'pytest'} -q"]
    commands = ", ".join(f'"{wrapper} {t}"' for t in tools)
    return f"{GATE_ON}\n[gate.python]\ncommands = [{commands}]\n"


def _commit(repo: Path, env: dict[str, str], message: str) -> Callable[[], int]:
    # Exit 1: rejected by a hook. Nothing is committed, so every run judges the same change.
    return run_process(["git", "commit", "-q", "-m", message], repo, env, check_returncode=1)


def _cold(repo: Path, commit: Callable[[], int]) -> Callable[[], object]:
    cache = repo / ".git" / "taskgate" / "gate-cache"

    def runner() -> object:
        shutil.rmtree(cache, ignore_errors=True)
        return commit()

    return runner


def run(workdir: Path, quick: bool) -> list[Row]:
    root = fresh_dir(workdir, "gate-last")
    log = root / "tools.log"
    wrapper = _wrapper(root, log)
    repo = root / "repo"
    repo.mkdir()
    config = root / "gitconfig"
    config.write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n", encoding="utf-8")
    env = bench_env({"HOME": str(root), "GIT_CONFIG_GLOBAL": str(config), "GIT_EDITOR": ":"})
    files = 10 if quick else 30
    make_repo(repo, env, _policy(wrapper), files)
    # Every hook (bench_gate installs pre-commit alone): the gate then runs at commit-msg,
    # after the message rules (taskgate.hookorder).
    if run_process([python_exe(), "-m", "taskgate", "install"], repo, env)() != 0:
        raise RuntimeError("taskgate install failed")
    (repo / MODULE / "tests" / "test_users_fail.py").write_text(FAILING, encoding="utf-8")
    git(repo, "add", MODULE, env=env)

    runs = 9 if quick else 31
    bad = _commit(repo, env, BAD_MESSAGE)
    timings = time_commands({"taskgate": bad}, runs=runs, warmup=1)
    started = log.read_text(encoding="utf-8").split() if log.exists() else []
    if started:
        raise RuntimeError(f"the gate's tools started on a bad message: {started}")
    name = "coder commit, bad message and a failing test: rejected, the gate never starts"
    rows = [
        Row(
            name,
            "taskgate",
            median_ms(timings["taskgate"]),
            BUDGET_MS,
            f"whole `git commit` through the installed hooks, rejected by TG101; module of "
            f"{2 * files + 2} files; the tools' start log stayed empty over {runs + 1} "
            f"commits; {runs} runs",
        )
    ]
    gate_runs = 1 if quick else 3
    good = _cold(repo, _commit(repo, env, GOOD_MESSAGE))
    seconds = time_commands({"gate": good}, runs=gate_runs, warmup=0)["gate"]
    ran = log.read_text(encoding="utf-8").split() if log.exists() else []
    if not ran:
        raise RuntimeError("the gate's tools never started on a good message")
    rows.append(
        Row(
            name,
            "same commit, good message: the gate runs and fails (information)",
            median_ms(seconds),
            None,
            f"the gate's cache removed before each run; the tools started {len(ran)} times "
            f"in {gate_runs} runs; {gate_runs} runs",
        )
    )
    return rows


if __name__ == "__main__":
    import sys

    from harness import WORK_ROOT, markdown_table

    print(markdown_table(run(WORK_ROOT, "--quick" in sys.argv)))
