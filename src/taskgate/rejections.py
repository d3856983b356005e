"""`taskgate log`: every rejection a hook made, kept in a bounded log in the git common dir.

One JSON line per rejection: when, which hook, the rule ids, the actor (the scope
the commit names, or the claimed agent), the tree that was judged (the staged tree,
or each rejected commit's tree) and the commit ids where there are commits. Writing
never stands in the way of a commit: any failure to write is ignored. The log keeps
its newest half once it passes `LIMIT` bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskgate.finding import Finding, Severity

if TYPE_CHECKING:
    from taskgate.git import Repo
    from taskgate.outcome import Outcome

LIMIT = 256 * 1024
# The stage each hook judges at (pre-push and pre-receive re-check commits as `ci` does).
STAGES = {"pre-commit": "pre-commit", "pre-merge-commit": "pre-commit",
          "commit-msg": "commit-msg", "pre-push": "ci", "pre-receive": "ci"}  # fmt: skip
FILE = ("taskgate", "rejections.jsonl")


def log_path(common_dir: Path) -> Path:
    return common_dir.joinpath(*FILE)


def _scope(subject: str) -> str | None:
    head = subject.split(":", 1)[0]
    if "(" in head and head.endswith((")", ")!")):
        return head.split("(", 1)[1].split(")", 1)[0].strip().lower() or None
    return None


def _staged_tree(repo: Repo) -> str | None:
    from taskgate.treehash import tree_id  # not through taskgate.gate: a lighter import

    entries = repo.index_entries()
    return tree_id(entries.values(), "") if entries else None


def record(repo: Repo, hook: str, outcome: Outcome) -> None:
    """Append the rejection to the log; never raises."""
    with contextlib.suppress(Exception):
        _record(repo, hook, outcome)


def _record(repo: Repo, hook: str, outcome: Outcome) -> None:
    errors = [f for f in outcome.findings if f.severity is Severity.ERROR]
    if not errors:
        return
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    agent = os.environ.get("TASKGATE_AGENT") or repo.config("taskgate.agent")
    by_commit: dict[str | None, list[Finding]] = {}
    for f in errors:
        by_commit.setdefault(f.commit, []).append(f)
    trees: dict[str, str] = {}
    commits = [c for c in by_commit if c]
    if commits:
        trees = {info.sha: info.tree for info in repo.read_commits(commits)}
    lines = []
    for commit, found in by_commit.items():
        subject = next((f.subject for f in found if f.subject), "") or ""
        actor = getattr(outcome, "actor", None) if commit is None else _scope(subject)
        tree = trees.get(commit) if commit else _staged_tree(repo)
        entry: dict[str, Any] = {
            "time": now,
            "hook": hook,
            "stage": STAGES.get(hook, hook),
            "rules": sorted({f.rule for f in found}),
            "actor": actor,
            "agent": agent,
            "tree": tree,
            "commit": commit,
            "subject": subject or getattr(outcome, "subject", None),
        }
        lines.append(json.dumps(entry, ensure_ascii=False))
    path = log_path(repo.common_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    if path.stat().st_size > LIMIT:
        _trim(path)


def _trim(path: Path) -> None:
    data = path.read_bytes()
    keep = data[len(data) - LIMIT // 2 :]
    keep = keep[keep.find(b"\n") + 1 :]  # whole lines only
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(keep)
    os.replace(tmp, path)


def read_log(common_dir: Path) -> list[dict[str, Any]]:
    try:
        text = log_path(common_dir).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut by a crash: skip it
        if isinstance(entry, dict):
            out.append(entry)
    return out


def show(common_dir: Path, *, count: int, stats: bool, fmt: str) -> str:
    entries = read_log(common_dir)
    if stats:
        return _stats(entries, fmt)
    last = entries[-count:] if count > 0 else entries
    if fmt == "json":
        return json.dumps(last, indent=2, ensure_ascii=False) + "\n"
    if not last:
        return "no rejections recorded\n"
    rows = []
    for e in last:
        who = e.get("actor") or e.get("agent") or "?"
        where = f"commit {str(e['commit'])[:10]}" if e.get("commit") else "staged"
        tree = str(e.get("tree") or "")[:10]
        rows.append(
            f"{e.get('time', '?')}  {e.get('hook', '?'):<16} {who:<12} "
            f"{','.join(e.get('rules', [])):<18} {where} tree {tree or '?'}"
            + (f"  {e['subject']}" if e.get("subject") else "")
        )
    return "\n".join(rows) + "\n"


def _stats(entries: list[dict[str, Any]], fmt: str) -> str:
    pairs: Counter[tuple[str, str]] = Counter()
    for e in entries:
        who = str(e.get("actor") or e.get("agent") or "?")
        for rule in e.get("rules", []):
            pairs[(who, str(rule))] += 1
    if fmt == "json":
        doc = [{"actor": a, "rule": r, "count": n} for (a, r), n in pairs.most_common()]
        return json.dumps(doc, indent=2) + "\n"
    if not pairs:
        return "no rejections recorded\n"
    lines = [f"{'actor':<14} {'rule':<6} count", *(
        f"{a:<14} {r:<6} {n}" for (a, r), n in pairs.most_common()
    )]  # fmt: skip
    lines.append(f"{len(entries)} rejection{'s' * (len(entries) != 1)} recorded")
    return "\n".join(lines) + "\n"
