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
import os
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
    """One speed budget of SPEC §9 and where its figures come from."""

    text: str
    modules: tuple[str, ...]  # bench modules (without "bench_") expected to measure it
    keywords: tuple[str, ...]  # its rows: benchmark names containing one of these
    faster_than: str | None  # a peer taskgate's median must beat, in the same benchmark
    # Benchmarks (name fragments) where the peer is shown for information only.
    compare_only: tuple[str, ...] = ()


SPEC_BUDGETS = (
    Budget(
        "commit-msg hook under 100 ms, faster than conventional-pre-commit",
        ("commit_msg",),
        ("commit-msg",),
        "conventional-pre-commit",
        # SPEC §9 lets a commit that changes a workflow file do more (schema checks).
        ("board staged",),
    ),
    Budget(
        "pre-commit hook without the gate, 50,000 files, 100 staged changes: under 150 ms",
        ("precommit",),
        ("50,0", "50k", "gate off"),
        None,
    ),
    Budget(
        "gate on a cache hit: under 150 ms for the whole hook",
        ("gate",),
        ("cache hit",),
        None,
    ),
    Budget(
        "`ci` over a 3,500-commit history (no gate): under 3 s, faster than commitlint",
        ("ci",),
        ("3,500", "3500", "3,463"),
        "commitlint",
    ),
    Budget(
        "`ci` over 500 merge commits (20 with content of their own): under 3 s",
        ("merges",),
        ("500 merges",),
        None,
    ),
    Budget(
        "signed mode: `ci` over 3,463 signed commits under 3 s (≤1.5× claimed mode, see note)",
        ("identity",),
        ("signed commits",),
        None,
    ),
    Budget(
        "signed mode: commit-msg hook under 100 ms",
        ("identity",),
        ("commit-msg, signed",),
        None,
    ),
    Budget(
        "10,000-task board: validation and transition checks under 1 s",
        ("precommit", "board"),
        ("10,000", "10000", "10k"),
        None,
    ),
)


class Result(NamedTuple):
    """What one bench module gave: rows, or the error that stopped it."""

    module: str
    rows: list[Row]
    error: str | None
    seconds: float
    load: float | None = None  # 1-minute load average when the module started


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


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def run_module(name: str, quick: bool) -> Result:
    load = _load()
    started = time.perf_counter()
    workdir = WORK_ROOT / name.removeprefix("bench_")
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        module = importlib.import_module(name)
        rows = list(module.run(workdir, quick))
    except Exception as exc:
        detail = "".join(traceback.format_exception(exc)[-3:]).strip()
        error = f"{type(exc).__name__}: {exc}\n\n{detail}"
        return Result(name, [], error, _since(started), load)
    return Result(name, rows, None, _since(started), load)


def _since(started: float) -> float:
    return time.perf_counter() - started


# --- the document ----------------------------------------------------------------


def _status(met: bool | None) -> str:
    return {True: "met ✓", False: "missed ✗", None: "not measured"}[met]


def _budget_for(module: str, row: Row) -> Budget | None:
    """The §9 budget a row measures: its module is one that measures the budget, and its
    benchmark name has one of the budget's words (a module may measure several)."""
    short = module.removeprefix("bench_")
    name = row.benchmark.lower()
    for budget in SPEC_BUDGETS:
        if short in budget.modules and any(k in name for k in budget.keywords):
            return budget
    return None


def _verdict(row: Row) -> tuple[bool | None, str]:
    """Whether the row is under its budget (None: no figure), and the line saying so."""
    assert row.budget_ms is not None
    tool = "" if row.tool == TASKGATE_TOOL else f" ({row.tool})"
    if row.median_ms != row.median_ms:  # NaN: the module could not time it
        return None, f"{row.benchmark}{tool}: not measured ({row.note})"
    ok = row.median_ms < row.budget_ms
    mark = "✓" if ok else "✗"
    return ok, f"{row.benchmark}{tool}: {_ms(row.median_ms)} (budget {_ms(row.budget_ms)}) {mark}"


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def budget_lines(results: Sequence[Result]) -> list[str]:
    """One line per SPEC §9 budget (met / missed / not measured), then any other budget."""
    lines = ["| SPEC §9 budget | measured | status |", "|---|---|---|"]
    assigned: dict[Budget, list[Row]] = {b: [] for b in SPEC_BUDGETS}
    others: list[tuple[str, Row]] = []
    for result in results:
        for row in result.rows:
            budget = _budget_for(result.module, row)
            if budget is not None:
                assigned[budget].append(row)
            elif row.budget_ms is not None:
                others.append((result.module, row))
    for budget in SPEC_BUDGETS:
        rows = assigned[budget]
        verdicts: list[bool | None] = []
        measured: list[str] = []
        for row in rows:
            if row.budget_ms is not None:
                ok, text = _verdict(row)
                verdicts.append(ok)
                measured.append(text)
        if budget.faster_than is not None:
            pairs = _peer_pairs(rows, budget.faster_than)
            if not pairs and rows:
                verdicts.append(None)
                measured.append(f"{budget.faster_than}: no figure to compare with")
            for bench, ours, peer, peer_ms in pairs:
                if peer_ms != peer_ms:  # NaN: the peer could not run here
                    verdicts.append(None)
                    measured.append(f"{bench}: {peer} not measured")
                    continue
                ok = ours < peer_ms
                if any(k in bench.lower() for k in budget.compare_only):
                    measured.append(
                        f"{bench}: {_ms(ours)} vs {peer} {_ms(peer_ms)} (for information)"
                    )
                    continue
                verdicts.append(ok)
                measured.append(
                    f"{bench}: {_ms(ours)} vs {peer} {_ms(peer_ms)} {'✓' if ok else '✗'}"
                )
        failed = [
            r.module
            for r in results
            if r.error is not None and r.module.removeprefix("bench_") in budget.modules
        ]
        measured += [f"{m} FAILED" for m in failed]
        if not measured:
            present = [m for m in budget.modules if (BENCH_DIR / f"bench_{m}.py").exists()]
            measured.append(
                f"bench_{present[0]} not in this run"
                if present
                else "no benchmark measures it yet ("
                + ", ".join(f"bench_{m}" for m in budget.modules)
                + ")"
            )
        if False in verdicts:
            status = _status(False)
        elif True in verdicts and (failed or None in verdicts):
            status = "met ✓ where measured; part not measured"
        else:
            status = _status(True if verdicts and not failed else None)
        lines.append(f"| {budget.text} | {'<br>'.join(measured)} | {status} |")
    for module, row in others:
        ok, text = _verdict(row)
        lines.append(f"| {row.benchmark} ({module}) | {text} | {_status(ok)} |")
    return lines


def _peer_pairs(rows: Sequence[Row], peer: str) -> list[tuple[str, float, str, float]]:
    """(benchmark, taskgate median, peer tool, peer median) for benchmarks with both."""
    ours: dict[str, float] = {}
    for row in rows:
        if row.tool == TASKGATE_TOOL:
            ours.setdefault(row.benchmark, row.median_ms)
    out = []
    for row in rows:
        if row.tool.startswith(peer) and row.benchmark in ours:
            out.append((row.benchmark, ours[row.benchmark], row.tool, row.median_ms))
    return out


def _load_text(results: Sequence[Result]) -> str:
    loads = [r.load for r in results if r.load is not None]
    now = _load()
    if not loads or now is None:
        return "load average not available"
    return (
        f"1-minute load average {min(loads):.2f}–{max([*loads, now]):.2f} during the run "
        f"({os.cpu_count() or '?'} cores)"
    )


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
        "- **Method:** whole processes started the way git starts a hook, unless a note says "
        "*in process*; the tools of one benchmark run alternately (A B C A B C …, after a "
        "warm-up round) so machine noise hits all of them alike; the figure is the median "
        "wall-clock time. *vs taskgate* is the tool's median over taskgate's (above ×1.00 "
        "the tool is slower).",
        f"- **Load:** {_load_text(results)}. Other jobs on the machine inflate every median "
        "and favour single-process tools over ones that start git; compare ratios from a "
        "quiet run.",
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
        load = f"; load average at its start: {result.load:.2f}" if result.load is not None else ""
        parts += [f"*Module run time: {result.seconds:.1f} s{load}.*", ""]
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
