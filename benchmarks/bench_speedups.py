"""Hand-written speed-ups against the plain alternative they replace (issue 11, part 2).

Each benchmark runs the shipped code and the plain alternative alternately (A B A B …,
after a warm-up round), in fresh processes, and reports medians:

1. *JSON-schema acceptor, 10,000-task board*: a fresh process loads the board (untimed),
   then imports an engine, builds it from `schemas/task_list.schema.json` and validates
   the board: taskgate's acceptor (`taskgate.workflow.acceptor`), fastjsonschema
   compiling the schema at run time, fastjsonschema's code generated ahead of time
   (`compile_to_code`, imported as a module), and jsonschema (taskgate's explainer,
   Draft 2020-12 with the ECMA pattern). The child times itself, so interpreter start-up
   and reading the board are left out; every engine must accept the board.
2. *`_sha1` import, gate cache hit*: the whole pre-commit hook on a gate cache hit
   (the tree of the module hashed, the cache key digested), as shipped and with
   `treehash._hasher` giving `hashlib.sha1` (`hashlib.new` for sha256) instead.
3. *validated-blobs key, commit-msg hook with the board staged*: the whole hook on a
   validated-blobs cache hit, as shipped (the context written into the key as JSON: a
   plain comparison, no digest), with the zlib crc32 + adler32 digest it had before
   issue 11, and with `hashlib.blake2b` (8 bytes).
4. *TOML-to-JSON policy cache, commit-msg hook*: the whole hook with nothing staged, as
   shipped (the policy table read from `policy-cache.json`) and with `parse_toml` given
   no cache (tomllib imported and run every time).
5. *…alone*: the cost of 2–4 by itself, in a fresh interpreter that has loaded json and
   re (as every hook has by then) and times the import and first use; less diluted by
   the rest of the hook than 2–4.

Rows 2–4 start the hook through one small launcher (`python -P launcher.py VARIANT hook
…`) that swaps in the alternative before `taskgate.launch.main` runs, so both sides pay
the same launcher. The figure is the CPU time (user + system) of the taskgate process
itself, start-up included, as `time.process_time()` gives it at exit: the cost of each
speed-up is an import or a parse in that process, and leaving out the git processes it
starts (the same for both sides) keeps their noise out; on a shared machine CPU time
moves far less than wall-clock time, which is in the note.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from harness import Row, bench_env, fresh_dir, git, hook_env, median_ms, python_exe

BOARD_TASKS = 10_000
BUDGET_MS = 1000.0  # SPEC §9: validation and transition checks of a 10,000-task board

# --- 1. the schema engines, each timed inside a fresh process ------------------------

_ENGINE_PRELUDE = """
import json, sys, time
data = json.loads(open(sys.argv[1], "rb").read())
cpu, wall = time.process_time(), time.perf_counter()
"""
_ENGINE_REPORT = """
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
if ok is not True:
    sys.exit(f"unexpected result: {ok!r}")
print(json.dumps([cpu, wall]))
"""
ENGINES = {
    "taskgate": "from taskgate.workflow.acceptor import acceptor\nok = acceptor('tasks')(data)",
    "fastjsonschema (compiled at run time)": (
        "import fastjsonschema\n"
        "from taskgate.workflow.schema import load_schema\n"
        "validate = fastjsonschema.compile(load_schema('tasks'))\n"
        "validate(data)\nok = True"
    ),
    "fastjsonschema (code generated ahead of time)": (
        "from task_list_validator import validate\nvalidate(data)\nok = True"
    ),
    "jsonschema (Draft 2020-12, as taskgate's explainer)": (
        "from taskgate.workflow.validation import _validator\n"
        "ok = _validator('tasks').is_valid(data)"
    ),
}
SLOW_ENGINES = ("jsonschema",)  # seconds per run: timed fewer times


def _child_runner(
    name: str, script: str, args: list[str], env: dict[str, str]
) -> Callable[[], tuple[float, float]]:
    """A fresh interpreter runs `script`, which prints its own [CPU, wall] seconds."""
    argv = [python_exe(), "-P", "-c", script, *args]

    def run() -> tuple[float, float]:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{name}: {proc.stderr.strip()[-2000:]}")
        cpu, wall = json.loads(proc.stdout)
        return float(cpu), float(wall)

    return run


def _board_file(workdir: Path) -> Path:
    """A 10,000-task board (the one of bench_precommit) as a JSON file."""
    from bench_precommit import board_repo

    repo = board_repo(workdir, BOARD_TASKS)
    board = workdir / "task_list.json"
    board.write_text(git(repo, "cat-file", "-p", "HEAD:shared/task_list.json"), encoding="utf-8")
    return board


def _generate_validator(workdir: Path) -> Path:
    """fastjsonschema's code for the task-list schema, written as an importable module."""
    import fastjsonschema

    from taskgate.workflow.schema import load_schema

    folder = fresh_dir(workdir, "generated")
    schema = json.loads(json.dumps(load_schema("tasks")))  # a copy: compiling adds keys
    code = fastjsonschema.compile_to_code(schema)
    # The generated module names its function after the schema's $id; give it one name.
    name = code.split("def validate_", 1)[1].split("(", 1)[0]
    code += f"\n\nvalidate = validate_{name}\n"
    (folder / "task_list_validator.py").write_text(code, encoding="utf-8")
    subprocess.run([python_exe(), "-m", "compileall", "-q", str(folder)], check=True)
    return folder


def _time_alternately(
    commands: Mapping[str, Callable[[], tuple[float, float]]], runs: int, warmup: int = 1
) -> dict[str, list[tuple[float, float]]]:
    """(CPU seconds, wall seconds) of every run, commands alternating A B C A B C …"""
    for _ in range(warmup):
        for command in commands.values():
            command()
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            out[name].append(command())
    return out


def _schema_rows(workdir: Path, quick: bool) -> list[Row]:
    board = _board_file(workdir)
    generated = _generate_validator(workdir)
    runs = 5 if quick else 15
    env = bench_env({"PYTHONPATH": str(generated)})
    runners = {
        e: _child_runner(e, _ENGINE_PRELUDE + body + "\n" + _ENGINE_REPORT, [str(board)], env)
        for e, body in ENGINES.items()
    }
    fast = {e: r for e, r in runners.items() if not e.startswith(SLOW_ENGINES)}
    slow = {e: r for e, r in runners.items() if e.startswith(SLOW_ENGINES)}
    timings = _time_alternately(fast, runs)
    slow_runs = 1 if quick else 3
    timings.update(_time_alternately(slow, slow_runs, warmup=0))
    size = board.stat().st_size / 1e6
    bench = f"JSON-schema acceptor: {BOARD_TASKS:,}-task board ({size:.1f} MB), one cold process"
    rows = []
    for engine, pairs in timings.items():
        cpu = median_ms([c for c, _ in pairs])
        wall = median_ms([w for _, w in pairs])
        note = (
            f"CPU time in the child: import + build + validate (wall {wall:.0f} ms); "
            f"{len(pairs)} runs"
            + (
                f"; SPEC §9 gives the whole board check {BUDGET_MS / 1000:.0f} s"
                if engine == "taskgate"
                else ""
            )
        )
        rows.append(Row(bench, engine, cpu, None, note))
    return rows


# --- 2–4. whole hooks, shipped against the plain alternative ---------------------------

LAUNCHER = '''"""taskgate with one speed-up swapped for its plain alternative (bench_speedups)."""
import atexit
import os
import sys
import time

variant, report = sys.argv[1], sys.argv[2]


def _report():  # this process's own CPU time (user + sys), start-up included
    with open(report, "w") as fh:
        fh.write(repr(time.process_time()))


atexit.register(_report)
# The commit hooks end with os._exit (taskgate.launch), which runs no atexit handler.
_exit = os._exit


def _report_and_exit(status):
    _report()
    _exit(status)


os._exit = _report_and_exit
# Every variant imports the module it may patch, so the import order is the same for all.
import taskgate.treehash as treehash
import taskgate.policytoml as policytoml
import taskgate.workflow.blobcache as blobcache

if variant == "hashlib.sha1":
    def _plain_hasher(algo):
        import hashlib

        return hashlib.sha1 if algo == "sha1" else (lambda data: hashlib.new(algo, data))

    treehash._hasher = _plain_hasher
elif variant in ("zlib", "blake2b"):
    def _digest_key(oid, kind, context=()):
        data = "\\0".join(context).encode("utf-8", "surrogateescape")
        if variant == "zlib":
            import zlib

            digest = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
        else:
            import hashlib

            digest = hashlib.blake2b(data, digest_size=8).hexdigest()
        return f"{oid} {kind} r{blobcache.REVISION}{variant[0]} {digest}"

    blobcache.blob_key = _digest_key
elif variant == "tomllib":
    _parse = policytoml.parse_toml

    def _uncached(data, source, cache=None):
        return _parse(data, source, None)

    policytoml.parse_toml = _uncached
elif variant != "shipped":
    sys.exit(f"unknown variant {variant}")

sys.argv = ["taskgate", *sys.argv[3:]]
from taskgate.launch import main

sys.exit(main())
'''


def _hook_runner(
    launcher: Path, variant: str, argv: list[str], repo: Path, env: dict[str, str]
) -> Callable[[], tuple[float, float]]:
    report = launcher.parent / f"cpu-{variant.replace(' ', '-')}"
    command = [python_exe(), "-P", str(launcher), variant, str(report), *argv]

    def run() -> tuple[float, float]:
        report.unlink(missing_ok=True)
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=repo, env=env, capture_output=True, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0 or not report.exists():
            out = (proc.stdout + proc.stderr).decode("utf-8", "replace").strip()
            raise RuntimeError(f"{variant}: {' '.join(argv)} exited {proc.returncode}:\n{out}")
        return float(report.read_text(encoding="ascii")), wall

    return run


def _hook_rows(
    bench: str,
    variants: Mapping[str, str],
    argv: list[str],
    repo: Path,
    env: dict[str, str],
    launcher: Path,
    runs: int,
    what: str,
) -> list[Row]:
    commands = {tool: _hook_runner(launcher, v, argv, repo, env) for tool, v in variants.items()}
    timings = _time_alternately(commands, runs, warmup=2)
    base = statistics.median(c for c, _ in timings["taskgate"])
    rows = []
    for tool, pairs in timings.items():
        cpu = median_ms([c for c, _ in pairs])
        wall = median_ms([w for _, w in pairs])
        diff = cpu - base * 1000.0
        note = (
            f"{what}; CPU time of the taskgate process; wall {wall:.1f} ms; {runs} runs"
            if tool == "taskgate"
            else f"{diff:+.1f} ms CPU against the shipped code; wall {wall:.1f} ms; {runs} runs"
        )
        rows.append(Row(bench, tool, cpu, None, note))
    return rows


# --- the same three costs alone: a fresh interpreter, import and first use ---------------

# What every hook has loaded before these run (json and re: the policy, the module map).
_ALONE_PRELUDE = """
import json, re, sys, time
arg = sys.argv[1]
cpu, wall = time.process_time(), time.perf_counter()
"""
_CONTEXT = "[" + ",".join(f'"module{i}"' for i in range(10)) + "]"
ALONE = {
    "`_sha1` import": {
        "taskgate": "import _sha1\nok = len(_sha1.sha1(arg.encode()).digest()) == 20",
        "hashlib.sha1": "import hashlib\nok = len(hashlib.sha1(arg.encode()).digest()) == 20",
    },
    "validated-blobs key": {
        "taskgate": f"ok = len(json.dumps(json.loads({_CONTEXT!r}), separators=(',', ':'))) > 0",
        "zlib crc32 + adler32 digest (before issue 11)": (
            f"import zlib\nd = '\\0'.join(json.loads({_CONTEXT!r})).encode()\n"
            "ok = len(f'{zlib.crc32(d):08x}{zlib.adler32(d):08x}') == 16"
        ),
        "hashlib.blake2b digest, 8 bytes": (
            f"import hashlib\nd = '\\0'.join(json.loads({_CONTEXT!r})).encode()\n"
            "ok = len(hashlib.blake2b(d, digest_size=8).hexdigest()) == 16"
        ),
    },
    "TOML-to-JSON policy cache": {
        "taskgate": (
            "from pathlib import Path\nfrom taskgate.policytoml import parse_toml\n"
            "data = Path(arg).read_bytes()\n"
            "ok = bool(parse_toml(data, 'taskgate.toml', Path(arg + '.cache.json')))"
        ),
        "tomllib each run": (
            "from pathlib import Path\nfrom taskgate.policytoml import parse_toml\n"
            "data = Path(arg).read_bytes()\nok = bool(parse_toml(data, 'taskgate.toml'))"
        ),
    },
}
POLICY = """[commit]
types = ["feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore"]
max_header_length = 72

[gate]
timeout = 600
commands = ["ruff check .", "mypy .", "pytest -q"]

[gate.modules.python]
commands = ["ruff check .", "mypy --strict .", "pytest -q -x"]

[rules]
disable = ["TG605"]
warn = ["TG404"]

[paths]
structure = "shared/project_structure.json"
tasks = "shared/task_list.json"
plan = "shared/plan.md"
"""


def _alone_rows(workdir: Path, quick: bool) -> list[Row]:
    from taskgate.policytoml import parse_toml

    policy = workdir / "taskgate.toml"
    policy.write_text(POLICY, encoding="utf-8")
    cache = Path(f"{policy}.cache.json")
    cache.unlink(missing_ok=True)
    parse_toml(policy.read_bytes(), "taskgate.toml", cache)  # the first run fills the cache
    if not cache.exists():
        raise RuntimeError("the policy cache was not written")
    env = bench_env()
    runs = 9 if quick else 31
    rows = []
    for what, bodies in ALONE.items():
        commands = {
            tool: _child_runner(tool, _ALONE_PRELUDE + body + "\n" + _ENGINE_REPORT,
                                [str(policy)], env)
            for tool, body in bodies.items()
        }  # fmt: skip
        timings = _time_alternately(commands, runs)
        base = median_ms([c for c, _ in timings["taskgate"]])
        for tool, pairs in timings.items():
            cpu = median_ms([c for c, _ in pairs])
            wall = median_ms([w for _, w in pairs])
            diff = "" if tool == "taskgate" else f"{cpu - base:+.2f} ms CPU against taskgate; "
            note = f"{diff}CPU time of import + first use (wall {wall:.2f} ms); {runs} runs"
            rows.append(Row(f"{what} alone: fresh interpreter", tool, cpu, None, note))
    return rows


def _gate_hit_repo(workdir: Path) -> tuple[Path, dict[str, str]]:
    from bench_gate import GATE_ON, make_repo

    root = fresh_dir(workdir, "gate-hit")
    repo = root / "repo"
    repo.mkdir()
    env = hook_env(root, repo)
    make_repo(repo, env, GATE_ON, 10)
    fill = subprocess.run(
        [python_exe(), "-P", "-m", "taskgate", "hook", "pre-commit"],
        cwd=repo, env=env, capture_output=True, check=False,
    )  # fmt: skip
    if fill.returncode != 0:
        raise RuntimeError(f"the gate's first run failed: {fill.stdout[-2000:]!r}")
    return repo, env


def _commit_msg_repo(workdir: Path, name: str, board: bool) -> tuple[Path, dict[str, str], Path]:
    from bench_commit_msg import MESSAGE, make_repo, stage_board_move, stage_module_files

    root = fresh_dir(workdir, name)
    repo = root / "repo"
    repo.mkdir()
    env = hook_env(root, repo)
    make_repo(repo, env, "todo" if board else "in_progress")
    if board:
        stage_module_files(repo, env)
        stage_board_move(repo, env)
    message = root / "COMMIT_EDITMSG"
    message.write_text(MESSAGE, encoding="utf-8")
    return repo, env, message


def run(workdir: Path, quick: bool) -> list[Row]:
    rows = _schema_rows(workdir, quick)
    rows += _alone_rows(workdir, quick)
    launcher = fresh_dir(workdir, "launcher") / "launcher.py"
    launcher.write_text(LAUNCHER, encoding="utf-8")
    runs = 9 if quick else 31

    repo, env = _gate_hit_repo(workdir)
    rows += _hook_rows(
        "`_sha1` import: gate cache hit, whole pre-commit hook",
        {"taskgate": "shipped", "hashlib.sha1": "hashlib.sha1"},
        ["hook", "pre-commit"],
        repo,
        env,
        launcher,
        runs,
        "`_sha1` from CPython's builtin module",
    )

    repo, env, message = _commit_msg_repo(workdir, "board-staged", board=True)
    rows += _hook_rows(
        "validated-blobs key: commit-msg hook, board staged (cache hit)",
        {
            "taskgate": "shipped",
            "zlib crc32 + adler32 digest (before issue 11)": "zlib",
            "hashlib.blake2b digest, 8 bytes": "blake2b",
        },
        ["hook", "commit-msg", str(message)],
        repo,
        env,
        launcher,
        runs,
        "the context written into the key as JSON (no digest)",
    )

    repo, env, message = _commit_msg_repo(workdir, "nothing-staged", board=False)
    rows += _hook_rows(
        "TOML-to-JSON policy cache: commit-msg hook, nothing staged",
        {"taskgate": "shipped", "tomllib each run": "tomllib"},
        ["hook", "commit-msg", str(message)],
        repo,
        env,
        launcher,
        runs,
        "policy table from `policy-cache.json`",
    )
    return rows


if __name__ == "__main__":  # a quick look: .venv/bin/python benchmarks/bench_speedups.py
    from harness import WORK_ROOT, markdown_table

    work = WORK_ROOT / "speedups"
    work.mkdir(parents=True, exist_ok=True)
    print(markdown_table(run(work, quick=True)))
