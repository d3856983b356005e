"""`taskgate ci --no-gate` over commitlint's own history, beside commitlint and gitlint.

The history is real: every non-merge commit message of conventional-changelog/
commitlint (3,463 of them when measured), replayed oldest first into a scratch
repository with `git fast-import`, each commit changing one small file. Nothing of
it is committed here: the messages are read from a local clone of commitlint
(`TASKGATE_BENCH_HISTORY`, default the mirror under /work/.mirror) and the
repository is built under benchmarks/.work/ci/. Without a clone, a synthetic
history of Conventional Commits messages of the same length stands in (the note
says so).

- taskgate: `python -m taskgate ci --no-gate --range ROOT..HEAD --format json`, the
  root commit holding a policy that, like config-conventional, does not require a
  scope.
- commitlint: `commitlint --from ROOT --to HEAD` with @commitlint/config-conventional,
  installed with npm into benchmarks/.work/ci/node. Its output goes to a file:
  piped, it loses everything past 64 KiB (it exits before the pipe drains).
- gitlint: `gitlint --commits ROOT..HEAD`, one process per commit under the hood
  (~80 s for the whole range), so it runs once; in quick mode on the last 300
  commits only, with taskgate timed on the same 300 beside it.

Budget (SPEC §9): taskgate under 3 s on the 3,500-commit range, faster than commitlint.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

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

BUDGET_MS = 3000.0
DEFAULT_HISTORY = Path("/work/.mirror/conventional-changelog+commitlint/repo")
GITLINT_QUICK_COMMITS = 300
POLICY = b"[commit]\nrequire_scope = false\n\n[gate]\nenabled = false\n"
COMMITLINT_CONFIG = '{"extends": ["@commitlint/config-conventional"]}\n'


def real_messages(source: Path) -> list[bytes]:
    """Every non-merge commit message of `source`, oldest first, as git stores it."""
    out = subprocess.run(
        ["git", "log", "--reverse", "--no-merges", "--format=%B%x00", "HEAD"],
        cwd=source,
        env=bench_env(),
        capture_output=True,
        check=True,
    ).stdout
    messages = [m.strip(b"\n") + b"\n" for m in out.split(b"\0")]
    return [m for m in messages if m.strip()]


def synthetic_messages(count: int) -> list[bytes]:
    """A stand-in history: Conventional Commits messages with bodies, some of them bad."""
    types = ["feat", "fix", "chore", "docs", "refactor", "test", "ci", "build", "perf"]
    scopes = ["cli", "core", "config", "load", "lint", "parse", "rules", ""]
    out = []
    for i in range(count):
        kind, scope = types[i % len(types)], scopes[(i // 3) % len(scopes)]
        head = f"{kind}({scope}): change {i}" if scope else f"{kind}: change {i}"
        if i % 97 == 0:
            head = f"Update things {i}"
        body = f"\n\nExplain change {i} in a little more detail.\n" if i % 4 == 0 else "\n"
        out.append((head + body).encode())
    return out


def build_history(
    repo: Path, messages: list[bytes], root_files: dict[str, bytes] | None = None
) -> str:
    """A linear repository: a root commit (policy, README), then one commit per message.

    `root_files` replaces the root commit's files (bench_identity: a signed-mode policy).
    Returns the root commit's id: the range ROOT..HEAD holds exactly `messages`.
    """
    git(repo, "init", "-q", "-b", "main")
    stream = bytearray()
    stamp = 1_500_000_000

    def data(payload: bytes) -> None:
        stream.extend(b"data %d\n" % len(payload) + payload + b"\n")

    def commit(mark: int, message: bytes, files: dict[str, bytes]) -> None:
        stream.extend(b"commit refs/heads/main\nmark :%d\n" % mark)
        who = b"Bench <bench@example.com> %d +0000\n" % (stamp + mark)
        stream.extend(b"author " + who + b"committer " + who)
        data(message)
        if mark > 1:
            stream.extend(b"from :%d\n" % (mark - 1))
        for path, content in files.items():
            stream.extend(b"M 100644 inline " + path.encode() + b"\n")
            data(content)

    root = root_files or {"taskgate.toml": POLICY, "README.md": b"replayed history\n"}
    commit(1, b"chore: start the replayed history\n", root)
    for i, message in enumerate(messages, start=2):
        commit(i, message, {f"src/file{i % 50}.txt": b"change %d\n" % i})
    proc = subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=repo,
        input=bytes(stream),
        env=bench_env(),
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git fast-import failed: {proc.stderr.decode(errors='replace')}")
    git(repo, "reset", "-q", "--hard", "main")
    return git(repo, "rev-list", "--max-parents=0", "HEAD").strip()


def commitlint_bin(node_dir: Path) -> Path | None:
    """commitlint installed with npm under `node_dir` (installed on first use)."""
    binary = node_dir / "node_modules" / ".bin" / "commitlint"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        return None
    node_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [npm, "install", "--prefix", str(node_dir), "--no-audit", "--no-fund", "--silent",
         "@commitlint/cli", "@commitlint/config-conventional"],
        capture_output=True,
        check=False,
    )  # fmt: skip
    return binary if proc.returncode == 0 and binary.exists() else None


def _count_commits_with_errors(report: Path) -> int:
    doc = json.loads(report.read_text(encoding="utf-8"))
    return len({f["commit"] for f in doc["findings"] if f["severity"] == "error"})


def history_messages() -> tuple[list[bytes], str]:
    """commitlint's own messages when a clone is at hand, else a synthetic 3,463; and a
    phrase saying which."""
    source = Path(os.environ.get("TASKGATE_BENCH_HISTORY", DEFAULT_HISTORY))
    if (source / "HEAD").exists() or (source / ".git").exists():
        messages = real_messages(source)
        origin = f"commitlint's own history ({len(messages)} non-merge commits)"
    else:
        messages = synthetic_messages(3463)
        origin = f"a synthetic history ({len(messages)} commits: no commitlint clone found)"
    return messages, origin


def run(workdir: Path, quick: bool) -> list[Row]:
    messages, origin = history_messages()
    node_dir = workdir / "node"
    # Inside the npm prefix, so commitlint resolves config-conventional from node_modules.
    repo = fresh_dir(node_dir, "history")
    root = build_history(repo, messages)
    env = bench_env()
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    runs = 3 if quick else 7

    taskgate_report = out / "taskgate.json"
    taskgate_cmd = [python_exe(), "-m", "taskgate", "ci", "--no-gate", "--range",
                    f"{root}..HEAD", "--format", "json"]  # fmt: skip
    tools: dict[str, Callable[[], object]] = {
        "taskgate": run_process(taskgate_cmd, repo, env, stdout_file=taskgate_report),
    }
    commitlint = commitlint_bin(node_dir)
    if commitlint is not None:
        (repo / ".commitlintrc.json").write_text(COMMITLINT_CONFIG)
        tools["commitlint"] = run_process(
            [commitlint, "--from", root, "--to", "HEAD"],
            repo,
            env,
            stdout_file=out / "commitlint.txt",
        )
    # Make sure neither is timed as a fast failure (exit 2, a missing module...).
    for name, runner in tools.items():
        code = runner()
        if code not in (0, 1):
            raise RuntimeError(f"{name} exited {code} on the replayed history")
    timings = time_commands(tools, runs=runs)
    bad = _count_commits_with_errors(taskgate_report)
    bench = f"ci, {len(messages):,} commits (no gate)"
    rows = []
    for tool, seconds in timings.items():
        note = f"{origin}; {runs} runs"
        if tool == "taskgate":
            note += f"; {bad} commits with errors (scopes optional, as in config-conventional)"
        else:
            note += "; @commitlint/config-conventional; report written to a file"
        rows.append(
            Row(bench, tool, median_ms(seconds), BUDGET_MS if tool == "taskgate" else None, note)
        )
    if commitlint is None:
        rows.append(Row(bench, "commitlint", float("nan"), None, "not measured: npm not found"))

    gitlint = VENV_BIN / "gitlint"
    if gitlint.exists():
        count = GITLINT_QUICK_COMMITS if quick else len(messages)
        base = root if count == len(messages) else git(repo, "rev-parse", f"HEAD~{count}").strip()
        gl_bench = bench if count == len(messages) else f"ci, last {count} commits (no gate)"
        gl_tools: dict[str, Callable[[], object]] = {
            "gitlint": run_process([gitlint, "--commits", f"{base}..HEAD"], repo, env),
        }
        if count != len(messages):
            same = [*taskgate_cmd[:6], f"{base}..HEAD", "--format", "json"]
            if run_process(same, repo, env)() not in (0, 1):
                raise RuntimeError(f"taskgate failed on {base}..HEAD")
            gl_tools["taskgate"] = run_process(same, repo, env)
        # gitlint starts a git process per commit: one timed run is all a run can afford.
        gl_timings = time_commands(gl_tools, runs=1, warmup=0)
        for tool, seconds in gl_timings.items():
            note = "1 run" + ("" if count == len(messages) else " (quick mode: fewer commits)")
            rows.append(Row(gl_bench, tool, median_ms(seconds), None, note))
    return rows
