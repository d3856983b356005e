"""Run every benchmark in one process run and write docs/benchmarks.md.

    .venv/bin/python benchmarks/run_all.py            # the full run (`make bench`)
    .venv/bin/python benchmarks/run_all.py --quick    # fewer runs, smaller inputs
    .venv/bin/python benchmarks/run_all.py --only commit_msg

Every ``benchmarks/bench_*.py`` module exposes ``run(workdir, quick) -> list[Row]``.
A module that raises is reported as failed in the document; the others still run.
A full run writes docs/benchmarks.md; ``--quick`` and ``--only`` write
benchmarks/.work/benchmarks.md instead (unless ``--output`` says otherwise), so
quick figures never replace the published ones by accident.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import shlex
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

BENCH_DIR = Path(__file__).resolve().parent
# Bench modules import `harness` (or `benchmarks.harness`): both resolve.
for _path in (BENCH_DIR, BENCH_DIR.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from harness import (  # noqa: E402  (the path above makes `harness` importable)
    REPO_ROOT,
    TASKGATE_TOOL,
    WORK_ROOT,
    Row,
    machine_description,
    markdown_table,
    python_exe,
)

DOC = REPO_ROOT / "docs" / "benchmarks.md"


class Budget(NamedTuple):
    """One speed budget of SPEC §9 and the bench module that measures it."""

    key: str
    text: str
    module: str  # bench module name without "bench_"
    faster_than: str | None  # a peer taskgate's median must beat, in the same benchmark


SPEC_BUDGETS = (
    Budget(
        "commit-msg",
        "commit-msg hook under 100 ms, faster than conventional-pre-commit",
        "commit_msg",
        "conventional-pre-commit",
    ),
    Budget(
        "pre-commit",
        "pre-commit hook without the gate, 50,000 files, 100 staged changes: under 150 ms",
        "precommit",
        None,
    ),
    Budget("gate", "gate on a cache hit: under 150 ms for the whole hook", "gate", None),
    Budget(
        "ci",
        "`ci` over a 3,500-commit history (no gate): under 3 s, faster than commitlint",
        "ci",
        "commitlint",
    ),
    Budget(
        "board",
        "10,000-task board: validation and transition checks under 1 s",
        "rules",
        None,
    ),
)


class Result(NamedTuple):
    """What one bench module gave: rows, or the error that stopped it."""

    module: str
    rows: list[Row]
    error: str | None
    seconds: float


def discover(only: Sequence[str]) -> list[str]:
    """Names of the bench modules (``bench_x``), filtered by ``--only``."""
    names = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if not only:
        return names
    wanted = {o.removeprefix("bench_").replace("-", "_") for o in only}
    picked = [n for n in names if n.removeprefix("bench_") in wanted]
    missing = wanted - {n.removeprefix("bench_") for n in picked}
    if missing:
        known = ", ".join(n.removeprefix("bench_") for n in names) or "none"
        raise SystemExit(f"run_all: no bench module {', '.join(sorted(missing))} (known: {known})")
    return picked


def compile_sources() -> str:
    """Byte-compile src/ so no timed run pays for compiling (PYTHONDONTWRITEBYTECODE is set)."""
    proc = subprocess.run(
        [python_exe(), "-m", "compileall", "-q", str(REPO_ROOT / "src")],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return f"compileall failed: {proc.stdout.strip()} {proc.stderr.strip()}"
    return "byte-compiled"


def run_module(name: str, quick: bool) -> Result:
    started = time.perf_counter()
    workdir = WORK_ROOT / name.removeprefix("bench_")
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        module = importlib.import_module(name)
        rows = list(module.run(workdir, quick))
    except Exception as exc:
        detail = "".join(traceback.format_exception(exc)[-3:]).strip()
        return Result(name, [], f"{type(exc).__name__}: {exc}\n\n{detail}", _since(started))
    return Result(name, rows, None, _since(started))


def _since(started: float) -> float:
    return time.perf_counter() - started


# --- the document ----------------------------------------------------------------


def _status(met: bool | None) -> str:
    return {True: "met ✓", False: "missed ✗", None: "not measured"}[met]


def budget_lines(results: Sequence[Result]) -> list[str]:
    """One line per SPEC §9 budget (met / missed / not measured), then any other budget."""
    by_module = {r.module.removeprefix("bench_"): r for r in results}
    lines = ["| SPEC §9 budget | measured | status |", "|---|---|---|"]
    claimed: set[str] = set()
    for budget in SPEC_BUDGETS:
        result = by_module.get(budget.module)
        claimed.add(budget.module)
        if result is None:
            lines.append(f"| {budget.text} | bench_{budget.module} not run | {_status(None)} |")
            continue
        if result.error is not None:
            lines.append(f"| {budget.text} | bench_{budget.module} failed | {_status(None)} |")
            continue
        verdicts: list[bool] = []
        measured: list[str] = []
        for row in result.rows:
            if row.tool == TASKGATE_TOOL and row.budget_ms is not None:
                ok = row.median_ms < row.budget_ms
                verdicts.append(ok)
                measured.append(
                    f"{row.benchmark}: {row.median_ms:.1f} ms < {row.budget_ms:.0f} ms "
                    f"{'✓' if ok else '✗'}"
                )
        if budget.faster_than is not None:
            for bench, ours, peer, peer_ms in _peer_pairs(result.rows, budget.faster_than):
                ok = ours < peer_ms
                verdicts.append(ok)
                measured.append(
                    f"{bench}: {ours:.1f} ms vs {peer} {peer_ms:.1f} ms {'✓' if ok else '✗'}"
                )
        met = all(verdicts) if verdicts else None
        lines.append(f"| {budget.text} | {'<br>'.join(measured) or '—'} | {_status(met)} |")
    for result in results:
        if result.module.removeprefix("bench_") in claimed or result.error is not None:
            continue
        for row in result.rows:
            if row.budget_ms is not None and row.tool == TASKGATE_TOOL:
                ok = row.median_ms < row.budget_ms
                lines.append(
                    f"| {row.benchmark} under {row.budget_ms:.0f} ms ({result.module}) "
                    f"| {row.median_ms:.1f} ms | {_status(ok)} |"
                )
    return lines


def _peer_pairs(rows: Sequence[Row], peer: str) -> list[tuple[str, float, str, float]]:
    """(benchmark, taskgate median, peer tool, peer median) for benchmarks with both."""
    ours = {}
    for row in rows:
        if row.tool == TASKGATE_TOOL:
            ours.setdefault(row.benchmark, row.median_ms)
    out = []
    for row in rows:
        if row.tool.startswith(peer) and row.benchmark in ours:
            out.append((row.benchmark, ours[row.benchmark], row.tool, row.median_ms))
    return out


def render(results: Sequence[Result], command: str, quick: bool, compiled: str) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/run_all.py`; do not edit by hand. How the harness works "
        "and how to add a benchmark: [benchmarks/README.md](../benchmarks/README.md).",
        "",
        f"- **Command:** `{command}`{' (quick mode: fewer runs, smaller inputs)' if quick else ''}",
        f"- **Date:** {now}",
        f"- **Machine:** {machine_description()}",
        "- **Method:** whole processes, started the way git starts a hook; the tools of one "
        "benchmark run alternately (A B C A B C …, after a warm-up round) so machine noise "
        "hits all of them alike; the figure is the median wall-clock time. *vs taskgate* is "
        "the tool's median over taskgate's (above ×1.00 the tool is slower).",
        f"- **Bytecode:** `python -m compileall -q src` ran before timing ({compiled}): "
        "`PYTHONDONTWRITEBYTECODE=1` is set in this environment, so without it every "
        "taskgate run would compile its modules from source, while the peers are installed "
        "packages that ship `.pyc` files.",
        "",
        "## Budgets (SPEC §9)",
        "",
        *budget_lines(results),
        "",
    ]
    for result in results:
        parts += [f"## {result.module}", ""]
        if result.error is not None:
            parts += [
                f"**FAILED** after {result.seconds:.1f} s — no figures from this module:",
                "",
                "```",
                result.error,
                "```",
                "",
            ]
            continue
        if not result.rows:
            parts += ["(no rows)", ""]
            continue
        benches: dict[str, list[Row]] = {}
        for row in result.rows:
            benches.setdefault(row.benchmark, []).append(row)
        for bench, rows in benches.items():
            parts += [f"### {bench}", "", markdown_table(rows)]
        parts += [f"*Module run time: {result.seconds:.1f} s.*", ""]
    return "\n".join(parts).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller inputs")
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="run bench_NAME only"
    )
    parser.add_argument("--output", type=Path, default=None, help="where to write the document")
    args = parser.parse_args(argv)

    names = discover(args.only)
    output = args.output or (WORK_ROOT / "benchmarks.md" if args.quick or args.only else DOC)
    given = list(sys.argv[1:] if argv is None else argv)
    command = shlex.join([".venv/bin/python", "benchmarks/run_all.py", *given])

    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    compiled = compile_sources()
    results = []
    for name in names:
        print(f"run_all: {name} ...", file=sys.stderr, flush=True)
        result = run_module(name, args.quick)
        state = "FAILED" if result.error else f"{len(result.rows)} rows"
        print(f"run_all: {name} {state} in {result.seconds:.1f} s", file=sys.stderr, flush=True)
        results.append(result)

    document = render(results, command, args.quick, compiled)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document, encoding="utf-8")
    print(document)
    print(f"run_all: wrote {output}", file=sys.stderr)
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
