"""Contracts and integrity rules (TG501, TG601–TG605): what they add to a hook.

In-process, on a Change built from a real repository's index: 100 Python files
of real code (taken from the running Python's standard library: 80 modules and 20
test modules) committed by the lead, then edited by a coder and staged. Each run
opens the repository afresh and builds the Change for one hook (`staged_change`,
not timed), then times `run_checks` on it: with every rule family, without
`contracts` and `integrity`, and with those two alone, alternating run by run.
Pre-commit runs TG604/TG605; commit-msg runs TG501/TG601–TG603 (the message names
the coder's module). The difference of the medians is what these families add to
that hook. Budget: under 20 ms for a 100-file change.

Two changes: the 100 files edited (a comment in the middle, a function at the
end: what a commit usually is), and the 100 files new (every line is an added
line: the secrets scan reads everything, every test module is parsed).
"""

from __future__ import annotations

import json
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

from harness import REPO_ROOT, Row, bench_env, fresh_dir, git, median_ms

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


def timed_checks(repo: Path, families: str, stage_name: str) -> Callable[[], float]:
    """One run: open the repository and build the staged Change for one hook (not timed),
    then time `run_checks` on it: every family ("with"), all but contracts and integrity
    ("without"), or those two alone ("only").
    A fresh repository object each run: no blob is in memory before the rules ask."""
    from taskgate.change import Stage
    from taskgate.git import Repo
    from taskgate.message import message_from_bytes
    from taskgate.rules import registry
    from taskgate.rules.registry import registered_checks, run_checks
    from taskgate.sources import staged_change

    registered_checks()  # import every family before timing
    stage = Stage(stage_name)

    def go() -> float:
        with Repo(repo) as r:
            message = None
            if stage is not Stage.PRE_COMMIT:
                message = message_from_bytes(MESSAGE, "#", "strip")
            built = staged_change(r, stage, message)
            saved = list(registry._CHECKS)
            if families == "without":
                registry._CHECKS[:] = [c for c in saved if c.fn.__module__ not in MINE]
            elif families == "only":
                registry._CHECKS[:] = [c for c in saved if c.fn.__module__ in MINE]
            try:
                start = time.perf_counter()
                run_checks(built.change, built.policy)
                return time.perf_counter() - start
            finally:
                registry._CHECKS[:] = saved

    return go


def findings_of_mine(repo: Path) -> int:
    from taskgate.change import Stage
    from taskgate.git import Repo
    from taskgate.message import message_from_bytes
    from taskgate.rules.registry import run_checks
    from taskgate.sources import staged_change

    with Repo(repo) as r:
        built = staged_change(r, Stage.CHECK, message_from_bytes(MESSAGE, "#", "strip"))
        found = run_checks(built.change, built.policy)
    return sum(1 for f in found if f.rule.startswith(("TG5", "TG6")))


def alternate(commands: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Run the commands in turn, run by run (as harness.time_commands does), after two
    warm-up rounds; each returns the seconds of its own timed part."""
    for _ in range(2):
        for command in commands.values():
            command()
    timings: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            timings[name].append(command())
    return timings


HOOKS = (
    ("pre-commit", "pre-commit", "TG604, TG605"),
    ("commit-msg", "commit-msg", "TG501, TG601–TG603"),
)


def run(workdir: Path, quick: bool) -> list[Row]:
    runs = 9 if quick else 41
    files = real_python_files()
    size = sum(len(text) for _, text in files) // len(files) // 1024
    rows: list[Row] = []
    for label, new_files in (("100 Python files edited", False), ("100 Python files added", True)):
        root = fresh_dir(workdir, "rules-" + ("added" if new_files else "edited"))
        repo = make_repo(root, files, new_files)
        mine = findings_of_mine(repo)
        for hook, stage, ids in HOOKS:
            timings = alternate(
                {kind: timed_checks(repo, kind, stage) for kind in ("with", "without", "only")},
                runs,
            )
            with_ms, without_ms = median_ms(timings["with"]), median_ms(timings["without"])
            name = f"integrity rules in the {hook} hook: {label}"
            note = f"run_checks on a Change built from the index (not timed), {runs} runs"
            rows.append(Row(name, "taskgate", with_ms, None, f"every rule family; {note}"))
            rows.append(Row(name, "taskgate without contracts/integrity", without_ms, None, note))
            rows.append(
                Row(
                    name,
                    f"added by {ids}",
                    with_ms - without_ms,
                    BUDGET_MS,
                    f"difference of the medians; files of {size} KiB on average; "
                    f"{mine} TG5xx/TG6xx findings on this change",
                )
            )
            rows.append(
                Row(
                    name,
                    f"{ids} alone",
                    median_ms(timings["only"]),
                    None,
                    "contracts and integrity only: their cost with no blob read by another "
                    "family first (an upper bound, steadier than the difference)",
                )
            )
    return rows


if __name__ == "__main__":
    from harness import WORK_ROOT, markdown_table

    print(markdown_table(run(WORK_ROOT, "--quick" in sys.argv)))
