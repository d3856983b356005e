"""Precision of the agent-integrity detectors (TG601–TG605) on a real project's history.

Every non-merge commit reachable from REV is checked on its own, as `taskgate ci`
would, but as if a coder had made it (TG601–TG603 only judge coder commits) and
with the default policy. Findings go to a JSON-lines file; a seeded random sample
per rule is printed with its context, for a person to judge true or false.

    .venv/bin/python benchmarks/precision.py /tmp/requests --out /tmp/requests.jsonl
    .venv/bin/python benchmarks/precision.py /tmp/requests --sample 20 --seed 1 --show TG602

Nothing here is timed for a budget: the run time is printed for information.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parent.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from taskgate.change import Actor, Change, EmptySide, Role, Side, Stage  # noqa: E402
from taskgate.git import Repo  # noqa: E402
from taskgate.gitsides import TreeSide, file_changes  # noqa: E402
from taskgate.policy import Policy  # noqa: E402
from taskgate.rules import integrity  # noqa: E402

CHECKS = (
    ("TG601", integrity.deleted_tests),
    ("TG602", integrity.skipped_tests),
    ("TG603", integrity.suppressions_added),
    ("TG604", integrity.secrets_added),
    ("TG605", integrity.junk_added),
)
CODER = Actor(Role.CODER, None)
CHUNK = 200  # commits per batch; a fresh Repo per batch keeps cat-file's cache small


def findings(repo_path: Path, rev: str) -> Iterator[dict[str, Any]]:
    """Every TG6xx finding of every non-merge commit reachable from `rev`."""
    policy = Policy()
    with Repo(repo_path) as probe:
        shas = probe.rev_list("--no-merges", "--reverse", rev)
    for start in range(0, len(shas), CHUNK):
        with Repo(repo_path) as repo:
            infos = repo.read_commits(shas[start : start + CHUNK])
            pairs = [(i.parents[0] if i.parents else None, i.sha) for i in infos]
            for info, diff in zip(infos, repo.commit_diffs(pairs), strict=True):
                parent = info.parents[0] if info.parents else None
                before: Side = TreeSide(repo, parent) if parent else EmptySide()
                change = Change(
                    files=file_changes(diff),
                    before=before,
                    after=TreeSide(repo, info.sha),
                    stage=Stage.CI,
                    actor=CODER,
                    commit=info.sha,
                )
                for rule, fn in CHECKS:
                    for f in fn(change, policy):
                        yield {
                            "commit": info.sha,
                            "subject": info.subject,
                            "rule": rule,
                            "path": f.path,
                            "line": f.line,
                            "message": f.message,
                        }
    print(f"{len(shas)} non-merge commits checked", file=sys.stderr)


def context(repo_path: Path, item: dict[str, Any], width: int = 3) -> str:
    """The lines around a finding, from the commit (or its parent for a deletion)."""
    import subprocess

    rev = item["commit"]
    if item["rule"] == "TG601":
        rev += "^"
    proc = subprocess.run(
        ["git", "show", f"{rev}:{item['path']}"],
        cwd=repo_path,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0 or item["line"] is None:
        return "    (no line)"
    lines = proc.stdout.decode("utf-8", "replace").split("\n")
    n = item["line"]
    out = []
    for i in range(max(1, n - width), min(len(lines), n + width) + 1):
        mark = ">" if i == n else " "
        out.append(f"  {mark}{i:5} {lines[i - 1][:160]}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--out", type=Path, default=None, help="JSON lines (read back if present)")
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", action="append", default=None, help="rule ids to sample")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.out is not None and args.out.exists():
        items = [json.loads(line) for line in args.out.read_text().splitlines() if line]
    else:
        items = list(findings(args.repo, args.rev))
        if args.out is not None:
            args.out.write_text("".join(json.dumps(i) + "\n" for i in items))
        print(f"checked in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    per_rule = Counter(i["rule"] for i in items)
    commits = {rule: len({i["commit"] for i in items if i["rule"] == rule}) for rule in per_rule}
    print("| rule | findings | commits |")
    print("|---|---:|---:|")
    for rule, _fn in CHECKS:
        print(f"| {rule} | {per_rule.get(rule, 0)} | {commits.get(rule, 0)} |")

    for rule in args.show or []:
        pool = [i for i in items if i["rule"] == rule]
        sample = random.Random(args.seed).sample(pool, min(args.sample, len(pool)))
        print(f"\n## {rule}: {len(sample)} of {len(pool)} (seed {args.seed})")
        for n, item in enumerate(sample, 1):
            where = f"{item['path']}:{item['line']}"
            print(f"\n[{n}] {item['commit'][:10]} {item['subject'][:70]}")
            print(f"    {where}  {item['message']}")
            print(context(args.repo, item))
    return 0


if __name__ == "__main__":
    sys.exit(main())
