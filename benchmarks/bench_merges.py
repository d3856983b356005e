"""`taskgate ci --no-gate` over a history of 500 merge commits, 20 of them with content of
their own, beside the same range with the merge checks left out.

The history (built with `git fast-import` under benchmarks/.work/merges/): a module map of
five modules, a board with one task in progress per module, then 500 times a topic commit
in one module (`feat(mK): change i`) and its `--no-ff` merge into main. Twenty merges
carry an extra file in the merged module (`chore(mK): merge topic i`), so they are judged
on that content; the others are clean (`Merge branch 'topic-i'`). Half the topics start from main's
tip (git's merge is then the topic's tree, found without running git); the other half
start one merge back, so main has moved on and each costs one `git merge-tree
--write-tree` process.

- taskgate: `python -m taskgate ci --no-gate --range ROOT..HEAD --format json`, as a process.
- the same range without the merge checks: `taskgate.ci.check_commits` in process, once as
  it is and once with `taskgate.merges.merge_contents` answering "nothing of their own"
  for every merge (no merge-tree, no tree diff): the difference is what the merge checks
  cost. That switch exists only here, in the benchmark; taskgate has none.

Budget (issue 12): the whole `ci` process under 3 s.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from harness import (
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
MERGES = 500
WITH_CONTENT = 20
MODULES = 5


def build_history(repo: Path) -> str:
    """Root, then MERGES × (topic commit, merge); returns the root's id."""
    git(repo, "init", "-q", "-b", "main")
    structure = {
        "version": 1,
        "modules": {f"m{k}": {"path": f"mods/m{k}", "agent": f"agent-{k}"} for k in range(MODULES)},
        "roles": {"lead": "lead", "reviewer": "review"},
    }
    board = {
        "version": 1,
        "tasks": [
            {"id": f"T{k}", "title": f"work {k}", "assignee": f"m{k}", "status": "in_progress",
             "depends_on": []}
            for k in range(MODULES)
        ],
    }  # fmt: skip
    stream = bytearray()
    stamp = 1_600_000_000

    def data(payload: bytes) -> None:
        stream.extend(b"data %d\n" % len(payload) + payload + b"\n")

    def commit(
        ref: bytes, mark: int, message: bytes, parents: list[int], files: dict[str, bytes]
    ) -> None:
        stream.extend(b"commit " + ref + b"\nmark :%d\n" % mark)
        who = b"Bench <bench@example.com> %d +0000\n" % (stamp + mark)
        stream.extend(b"author " + who + b"committer " + who)
        data(message)
        if parents:
            stream.extend(b"from :%d\n" % parents[0])
        for parent in parents[1:]:
            stream.extend(b"merge :%d\n" % parent)
        for path, content in files.items():
            stream.extend(b"M 100644 inline " + path.encode() + b"\n")
            data(content)

    root_files = {
        "taskgate.toml": b"[gate]\nenabled = false\n",
        "shared/project_structure.json": json.dumps(structure, indent=2).encode() + b"\n",
        "shared/task_list.json": json.dumps(board, indent=2).encode() + b"\n",
        **{f"mods/m{k}/README.md": b"module\n" for k in range(MODULES)},
    }
    commit(b"refs/heads/main", 1, b"chore(lead): set up\n", [], root_files)
    main = previous = mark = 1
    every = MERGES // WITH_CONTENT
    for i in range(MERGES):
        module = f"m{i % MODULES}"
        topic_file = f"mods/{module}/topic{i}.txt"
        mark += 1
        topic = mark
        # Every other topic starts one merge back: main has moved on, so git's merge is a
        # real three-way merge (a merge-tree process), not the topic's own tree.
        fork = previous if i % 2 else main
        commit(b"refs/heads/topic", topic, b"feat(%s): change %d\n" % (module.encode(), i),
               [fork], {topic_file: b"change %d\n" % i})  # fmt: skip
        mark += 1
        files = {topic_file: b"change %d\n" % i}
        if i % every == every - 1:
            files[f"mods/{module}/extra{i}.txt"] = b"added while merging %d\n" % i
            message = b"chore(%s): merge topic %d\n" % (module.encode(), i)
        else:
            message = b"Merge branch 'topic-%d'\n" % i
        commit(b"refs/heads/main", mark, message, [main, topic], files)
        previous, main = main, mark
    proc = subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, input=bytes(stream), env=bench_env(),
        capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"git fast-import failed: {proc.stderr.decode(errors='replace')}")
    git(repo, "reset", "-q", "--hard", "main")
    return git(repo, "rev-list", "--max-parents=0", "HEAD").strip()


def _in_process(repo: Path, root: str, merge_checks: bool) -> float:
    """Seconds for check_commits over the range, in this process (imports excluded)."""
    import taskgate.merges as merges
    from taskgate.ci import check_commits, range_commits, resolve_range
    from taskgate.git import Repo

    original = merges.merge_contents
    if not merge_checks:

        def nothing_of_their_own(repo_: Repo, infos: object) -> dict[str, tuple[str, list[object]]]:
            return {i.sha: ("", []) for i in infos if len(i.parents) == 2}  # type: ignore[attr-defined]

        merges.merge_contents = nothing_of_their_own  # type: ignore[assignment]
    try:
        with Repo(repo) as r:
            started = time.perf_counter()
            rng = resolve_range(r, f"{root}..HEAD")
            checked = check_commits(r, range_commits(r, rng), range_base=rng.base,
                                    history_before=True)  # fmt: skip
            elapsed = time.perf_counter() - started
        if merge_checks and checked.judged_merges != WITH_CONTENT:
            raise RuntimeError(
                f"expected {WITH_CONTENT} judged merges, got {checked.judged_merges}"
            )
        if checked.findings:
            raise RuntimeError(f"the synthetic history should pass: {checked.findings[:3]}")
        return elapsed
    finally:
        merges.merge_contents = original


def run(workdir: Path, quick: bool) -> list[Row]:
    repo = fresh_dir(workdir, "history")
    root = build_history(repo)
    runs = 3 if quick else 7
    env = bench_env()
    out = workdir / "taskgate.json"
    cmd = [python_exe(), "-m", "taskgate", "ci", "--no-gate", "--range", f"{root}..HEAD",
           "--format", "json"]  # fmt: skip
    runner = run_process(cmd, repo, env, stdout_file=out)
    code = runner()
    if code != 0:
        raise RuntimeError(
            f"taskgate ci exited {code} on the merge history: {out.read_text()[:400]}"
        )
    timings = time_commands({"taskgate": runner}, runs=runs)
    bench = f"ci, {MERGES} merges ({WITH_CONTENT} with content of their own), no gate"
    with_checks = [_in_process(repo, root, True) for _ in range(runs)]
    without = [_in_process(repo, root, False) for _ in range(runs)]
    return [
        Row(bench, "taskgate", median_ms(timings["taskgate"]), BUDGET_MS,
            f"whole process; {runs} runs; {2 * MERGES + 1} commits"),
        Row(bench, "check_commits, merge checks on", median_ms(with_checks), None,
            f"in process, imports excluded; {runs} runs"),
        Row(bench, "check_commits, merge checks off", median_ms(without), None,
            f"the same range, every merge taken as clean (benchmark-only switch); {runs} runs"),
    ]  # fmt: skip
