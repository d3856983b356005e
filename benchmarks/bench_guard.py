"""`taskgate guard`: one agent tool call judged, whole process, on a 50,000-file repository.

The repository is bench_precommit's (50,000 files, the workflow files at HEAD, 100
staged changes). Each guard run reads one Claude Code PreToolUse event on stdin, as the
runtime sends it, and answers with its exit status: an edit inside the python module
(allowed), an edit in another module (blocked, TG201), a shell command that skips the
hooks (blocked, TG801), an ordinary one (allowed) and one that deletes files (allowed,
after asking git where the hooks folder is). The commit-msg hook runs in the
same alternating rounds on the same repository, for comparison: the guard runs on every
tool call an agent makes, the hook once per commit.

The guard runs as the runtimes run it: the `taskgate` console script, which is what
`taskgate agent hooks` writes into their hook files (`taskgate guard --runtime R`); one
more row runs the same call as `python -m taskgate`, for comparison with earlier figures.

The guard answers most calls on its quick path, from the lane map the first call after
HEAD moved left in `.git/taskgate/guard-map` (agentside.quick): the rows above time that
case, as an agent meets it call after call. One more row removes the map before every run:
the full path (the lane rules, git's cat-file), which the first call after each commit
takes.

Budget (issue 16): under 50 ms per call, whole process.
"""

from __future__ import annotations

import json
import resource
import statistics
from collections.abc import Callable
from pathlib import Path

from bench_precommit import big_repo
from harness import VENV_BIN, Row, bench_env, median_ms, python_exe, run_process, time_commands

BUDGET_MS = 50.0


def _event(repo: Path, tool: str, tool_input: dict[str, str]) -> bytes:
    return json.dumps(
        {
            "session_id": "bench",
            "transcript_path": "/home/dev/.claude/projects/bench/bench.jsonl",
            "cwd": str(repo),
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
        }
    ).encode()


def _cpu_ms(command: Callable[[], object], runs: int) -> float:
    """Median CPU milliseconds of one run, children included (getrusage deltas)."""
    samples = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        command()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append(
            (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000.0
        )
    return statistics.median(samples)


def run(workdir: Path, quick: bool) -> list[Row]:
    runs = 5 if quick else 21
    python = python_exe()
    repo = big_repo(workdir)
    env = bench_env({"TASKGATE_AGENT": "python-coder"})
    script = VENV_BIN / "taskgate"
    entry = [str(script)] if script.exists() else [python, "-m", "taskgate"]
    guard = [*entry, "guard", "--runtime", "claude-code"]
    calls = {
        "guard: Write inside the lane (allowed)": (
            _event(repo, "Write", {"file_path": str(repo / "services/api/app/x.py"),
                                   "content": "X = 1\n"}), 0),
        "guard: Write in another module (TG201)": (
            _event(repo, "Write", {"file_path": str(repo / "web/src/x.ts"), "content": ""}), 2),
        "guard: Bash git commit --no-verify (TG801)": (
            _event(repo, "Bash", {"command": "git commit --no-verify -m 'feat(python): x'"}), 2),
        "guard: Bash pytest && git commit (allowed)": (
            _event(repo, "Bash", {"command": "pytest -q && git commit -m 'feat(python): x'"}), 0),
        "guard: Bash rm -rf build (allowed; git says where the hooks are)": (
            _event(repo, "Bash", {"command": "rm -rf build"}), 0),
    }  # fmt: skip
    commands = {
        name: run_process(guard, repo, env, stdin_bytes=event, check_returncode=status)
        for name, (event, status) in calls.items()
    }
    inside, _ = calls["guard: Write inside the lane (allowed)"]
    commands["guard: Write inside the lane, python -m taskgate"] = run_process(
        [python, "-m", "taskgate", "guard", "--runtime", "claude-code"], repo, env,
        stdin_bytes=inside, check_returncode=0,
    )  # fmt: skip
    outside, _ = calls["guard: Write in another module (TG201)"]
    full_path = run_process(guard, repo, env, stdin_bytes=outside, check_returncode=2)
    lane_map = repo / ".git" / "taskgate" / "guard-map"

    def first_after_commit() -> int:
        lane_map.unlink(missing_ok=True)  # as after a commit: no map for HEAD yet
        return full_path()

    commands["guard: Write in another module, no lane map (full path)"] = first_after_commit
    message = workdir / "guard-commit-msg.txt"
    message.write_text("feat(python): a change\n")
    commands["commit-msg hook, same repository"] = run_process(
        [python, "-m", "taskgate", "hook", "commit-msg", str(message)], repo, env
    )
    commands["python -c pass (interpreter start, floor)"] = run_process(
        [python, "-c", "pass"], repo, env, check_returncode=0
    )
    timings = time_commands(commands, runs)
    bench = "guard: one Claude Code tool call, 50,000-file repository"
    rows = [
        Row(bench, name.removeprefix("guard: "), median_ms(timings[name]), BUDGET_MS,
            "whole process, event on stdin, exit status read")
        for name in calls
    ]  # fmt: skip
    rows.append(
        Row(bench, "Write inside the lane, as python -m taskgate",
            median_ms(timings["guard: Write inside the lane, python -m taskgate"]), None,
            "the same call through runpy (not what the hook files run), for comparison")
    )  # fmt: skip
    rows.append(
        Row(bench, "Write in another module, no lane map (full path)",
            median_ms(timings["guard: Write in another module, no lane map (full path)"]), None,
            "the first call after HEAD moves: the rules judge and leave the lane map")
    )  # fmt: skip
    rows.append(
        Row(bench, "commit-msg hook (for comparison)",
            median_ms(timings["commit-msg hook, same repository"]), None,
            "the same repository and agent; 100 staged changes judged")
    )  # fmt: skip
    # CPU time (user + system, the process and the git processes it waits for) is what a
    # loaded machine inflates least: the wall-clock medians above queue behind other jobs.
    for name in (*calls, "guard: Write in another module, no lane map (full path)",
                 "commit-msg hook, same repository"):  # fmt: skip
        rows.append(Row(f"{bench}, CPU time", name.removeprefix("guard: "),
                        _cpu_ms(commands[name], runs), None,
                        "user + system time of the process and its git children"))  # fmt: skip
    rows.append(
        Row(bench, "python -c pass (floor)",
            median_ms(timings["python -c pass (interpreter start, floor)"]), None,
            "what any Python hook pays before its first line")
    )  # fmt: skip
    return rows


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for row in run(Path(tmp), quick="--quick" in sys.argv):
            print(f"{row.tool:<45} {row.median_ms:8.1f} ms")
