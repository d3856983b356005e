"""Shared benchmark harness: timing, whole-process runners, machine, tables.

Every bench module (``benchmarks/bench_*.py``) exposes
``run(workdir: pathlib.Path, quick: bool) -> list[Row]`` and times its commands
with :func:`time_commands`, which alternates the commands run by run so that
machine noise (a background job, a CPU frequency change) hits every tool alike.
``benchmarks/run_all.py`` collects the rows into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = REPO_ROOT / ".venv" / "bin"
WORK_ROOT = REPO_ROOT / "benchmarks" / ".work"
TASKGATE_TOOL = "taskgate"


class Row(NamedTuple):
    """One line of a benchmark table: a tool's median on one benchmark."""

    benchmark: str
    tool: str
    median_ms: float
    budget_ms: float | None
    note: str


def time_commands(
    commands: Mapping[str, Callable[[], object]], runs: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Run every command ``runs`` times, alternating A B C A B C, after ``warmup`` rounds.

    Returns the wall-clock seconds of every timed run, per command name.
    """
    names = list(commands)
    for _ in range(warmup):
        for name in names:
            commands[name]()
    timings: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(runs):
        for name in names:
            start = time.perf_counter()
            commands[name]()
            timings[name].append(time.perf_counter() - start)
    return timings


def median_ms(seconds: Sequence[float]) -> float:
    """Median of timings given in seconds, in milliseconds."""
    return statistics.median(seconds) * 1000.0 if seconds else float("nan")


def bench_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment for child processes: no GIT_* leaking in, fixed identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "GIT_AUTHOR_NAME": "Bench",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "Bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C.UTF-8",
        }
    )
    # The venv's tools first, so "taskgate", "gitlint"... resolve to the ones under test.
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    if extra:
        env.update(extra)
    return env


def run_process(
    argv: Sequence[str | os.PathLike[str]],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin_bytes: bytes | None = None,
    stdout_file: Path | None = None,
    check_returncode: int | None = None,
) -> Callable[[], int]:
    """Make a runner for one whole process; output is discarded (or written to a file).

    The runner returns the exit status. With ``check_returncode`` set, a different
    status raises ``RuntimeError`` so a broken setup is not timed as a fast failure.
    """
    args = [os.fspath(a) for a in argv]
    environment = dict(env) if env is not None else bench_env()

    def runner() -> int:
        if stdout_file is not None:
            with stdout_file.open("wb") as out:
                proc = subprocess.run(
                    args,
                    cwd=cwd,
                    env=environment,
                    input=stdin_bytes,
                    stdout=out,
                    stderr=subprocess.DEVNULL,
                    check=False,
                )
        else:
            proc = subprocess.run(
                args,
                cwd=cwd,
                env=environment,
                input=stdin_bytes,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        if check_returncode is not None and proc.returncode != check_returncode:
            # Run it once more, untimed, to show why.
            again = subprocess.run(
                args, cwd=cwd, env=environment, input=stdin_bytes, capture_output=True, check=False
            )
            output = (again.stdout + again.stderr).decode("utf-8", "replace").strip()
            raise RuntimeError(
                f"{' '.join(args)} exited {proc.returncode}, expected {check_returncode}:\n"
                f"{output[-2000:]}"
            )
        return proc.returncode

    return runner


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run git for benchmark setup (not timed); raise with stderr on failure."""
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=dict(env) if env is not None else bench_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def hook_env(workdir: Path, repo: Path) -> dict[str, str]:
    """What git gives a hook for `git commit -m`: the index file, no editor, a clean config."""
    config = workdir / "gitconfig"
    config.write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n", encoding="utf-8")
    return bench_env(
        {
            "HOME": str(workdir),
            "GIT_CONFIG_GLOBAL": str(config),
            "GIT_INDEX_FILE": str(repo / ".git" / "index"),
            "GIT_EDITOR": ":",
        }
    )


def fresh_dir(workdir: Path, name: str) -> Path:
    """An empty directory ``workdir/name`` (removed and recreated)."""
    import shutil

    path = workdir / name
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.lower().startswith(("model name", "hardware", "cpu model")):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def _ram() -> str:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            kib = int(line.split()[1])
            return f"{kib / 1024 / 1024:.1f} GiB RAM"
    return "RAM unknown"


def _os() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return f"{line.split('=', 1)[1].strip(chr(34))} (Linux {platform.release()})"
    return f"{platform.system()} {platform.release()}"


def _git_version() -> str:
    try:
        out = subprocess.run(
            ["git", "--version"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return "git not found"
    return out.strip() or "git unknown"


def machine_description() -> str:
    """One line naming CPU model, cores, RAM, OS, Python and git versions."""
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = cores
    core_text = f"{cores} cores" if usable == cores else f"{cores} cores ({usable} usable)"
    python = f"Python {platform.python_version()} ({platform.python_implementation()})"
    return "; ".join([_cpu_model(), core_text, _ram(), _os(), python, _git_version()])


def _fmt_ms(value: float) -> str:
    if value != value:  # NaN: no timing
        return "—"
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    return f"{value:.1f} ms"


def _budget_mark(row: Row) -> str:
    if row.budget_ms is None:
        return ""
    return "✓" if row.median_ms < row.budget_ms else "✗"


def markdown_table(rows: Iterable[Row]) -> str:
    """A Markdown table of rows: median, ratio against taskgate's row, budget, ✓/✗.

    The ratio is the tool's median divided by taskgate's median in the same
    benchmark (``×1.00`` for taskgate; above 1 the peer is slower).
    """
    rows = list(rows)
    reference: dict[str, float] = {}
    for row in rows:
        if row.tool == TASKGATE_TOOL and row.benchmark not in reference:
            reference[row.benchmark] = row.median_ms
    lines = [
        "| benchmark | tool | median | vs taskgate | budget | met | note |",
        "|---|---|---:|---:|---:|:-:|---|",
    ]
    for row in rows:
        base = reference.get(row.benchmark)
        ratio = f"×{row.median_ms / base:.2f}" if base and base == base and base > 0 else ""
        budget = _fmt_ms(row.budget_ms) if row.budget_ms is not None else ""
        note = row.note.replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {row.benchmark} | {row.tool} | {_fmt_ms(row.median_ms)} | {ratio} "
            f"| {budget} | {_budget_mark(row)} | {note} |"
        )
    return "\n".join(lines) + "\n"


def python_exe() -> str:
    """The interpreter of the benchmark venv (falls back to the running one)."""
    venv_python = VENV_BIN / "python"
    return str(venv_python) if venv_python.exists() else sys.executable
