"""Contracts and integrity rules (TG501, TG601–TG605): what they add to a hook.

In-process, on a Change built from a real repository's index: 100 Python files
of real code (taken from the running Python's standard library: 80 modules and
20 test modules) committed by the lead, then edited by a coder and staged. Each
run opens the repository afresh, builds the Change for one hook (`staged_change`)
and runs `run_checks`, once with every rule family and once without `contracts`
and `integrity`: pre-commit runs TG604/TG605, commit-msg runs TG501/TG601–TG603
(for a coder: the message names the module). The difference of the medians is
what these families add to that hook. Budget: under 20 ms for a 100-file change.

Two changes: the 100 files edited (a comment in the middle, a function at the
end: what a commit usually is), and the 100 files new (every line is an added
line: the secrets scan reads everything, every test module is parsed).
"""

from __future__ import annotations

import json
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import REPO_ROOT, Row, bench_env, fresh_dir, git, median_ms, time_commands

SRC = REPO_ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

BUDGET_MS = 20.0
MINE = frozenset({"taskgate.rules.contracts", "taskgate.rules.integrity"})
STRUCTURE = {
    "version": 1,
    "modules": {"python": {"path": "services/api", "agent": "python-coder", "language": "python"}},
    "roles": {"lead": "lead", "reviewer": "review"},
}
BOARD = {
    "version": 1,
    "tasks": [{"id": "T1", "title": "Work", "assignee": "python", "status": "in_progress"}],
}
PLAN = "# Plan\n\n## Contracts\n\n- GET /health\n"
MESSAGE = b"feat(python): edit a hundred files\n"


def real_python_files(sources: int = 80, tests: int = 20) -> list[tuple[str, str]]:
    """(repository path, text) of standard-library modules of 2–40 KB, and test modules."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])

    def pick(folder: Path, pattern: str, count: int) -> list[Path]:
        found = [p for p in sorted(folder.glob(pattern)) if 2_000 < p.stat().st_size < 40_000]
        return found[:count]

    out = [(f"services/api/app/{p.name}", p) for p in pick(stdlib, "*.py", sources)]
    out += [(f"services/api/tests/{p.name}", p) for p in pick(stdlib / "test", "test_*.py", tests)]
    if len(out) < sources + tests:
        raise RuntimeError(f"only {len(out)} standard-library files found under {stdlib}")
    return [(rel, p.read_text(encoding="utf-8", errors="replace")) for rel, p in out]


def edited(text: str, i: int) -> str:
    lines = text.split("\n")
    lines.insert(len(lines) // 2, f"# edited for change {i}")
    return "\n".join(lines) + f"\n\ndef added_{i}(x: int) -> int:\n    return x + {i}\n"


def make_repo(root: Path, files: list[tuple[str, str]], new_files: bool) -> Path:
    env = bench_env({"HOME": str(root)})
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main", env=env)
    base = {
        "shared/project_structure.json": json.dumps(STRUCTURE, indent=2) + "\n",
        "shared/task_list.json": json.dumps(BOARD, indent=2) + "\n",
        "shared/plan.md": PLAN,
        "taskgate.toml": "[gate]\nenabled = false\n",
        "services/api/pyproject.toml": '[project]\nname = "api"\nversion = "0"\n',
    }
    if not new_files:
        base.update(files)
    for rel, text in base.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    git(repo, "add", ".", env=env)
    git(repo, "commit", "-q", "--no-verify", "-m", "chore(lead): set up", env=env)
    for i, (rel, text) in enumerate(files):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text if new_files else edited(text, i), encoding="utf-8")
    git(repo, "add", ".", env=env)
    return repo


def check_run(repo: Path, with_families: bool, stage_name: str) -> Callable[[], list[Any]]:
    """Open the repository, build the staged Change for one hook, run its rules."""
    from taskgate.change import Stage
    from taskgate.git import Repo
    from taskgate.message import message_from_bytes
    from taskgate.rules import registry
    from taskgate.rules.registry import registered_checks, run_checks
    from taskgate.sources import staged_change

    registered_checks()  # import every family before timing
    stage = Stage(stage_name)

    def go() -> list[Any]:
        saved = list(registry._CHECKS)
        if not with_families:
            registry._CHECKS[:] = [c for c in saved if c.fn.__module__ not in MINE]
        try:
            with Repo(repo) as r:
                message = None
                if stage is not Stage.PRE_COMMIT:
                    message = message_from_bytes(MESSAGE, "#", "strip")
                built = staged_change(r, stage, message)
                return run_checks(built.change, built.policy)
        finally:
            registry._CHECKS[:] = saved

    return go


HOOKS = (
    ("pre-commit", "pre-commit", "TG604, TG605"),
    ("commit-msg", "commit-msg", "TG501, TG601–TG603"),
)


def run(workdir: Path, quick: bool) -> list[Row]:
    runs = 9 if quick else 41
    files = real_python_files()
    rows: list[Row] = []
    for label, new_files in (("100 Python files edited", False), ("100 Python files added", True)):
        root = fresh_dir(workdir, "rules-" + ("added" if new_files else "edited"))
        repo = make_repo(root, files, new_files)
        mine = [f for f in check_run(repo, True, "check")() if f.rule.startswith(("TG5", "TG6"))]
        for hook, stage, ids in HOOKS:
            timings = time_commands(
                {"with": check_run(repo, True, stage), "without": check_run(repo, False, stage)},
                runs=runs,
                warmup=2,
            )
            with_ms, without_ms = median_ms(timings["with"]), median_ms(timings["without"])
            name = f"{hook} rules, {label}"
            note = f"Change built + run_checks in process, {runs} runs"
            rows.append(Row(name, "taskgate", with_ms, None, f"every rule family; {note}"))
            rows.append(Row(name, "taskgate without contracts/integrity", without_ms, None, note))
            rows.append(
                Row(
                    name,
                    f"added by {ids}",
                    with_ms - without_ms,
                    BUDGET_MS,
                    f"difference of the medians; {len(mine)} TG5xx/TG6xx findings on this change",
                )
            )
    return rows


if __name__ == "__main__":
    from harness import WORK_ROOT, markdown_table

    print(markdown_table(run(WORK_ROOT, "--quick" in sys.argv)))
