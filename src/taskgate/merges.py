"""A merge's own content: what its tree holds beyond git's automatic merge of its parents.

`git merge-tree --write-tree P1 P2` (git >= 2.38) writes the tree git's own merge of
the two parents produces, conflict markers and all. A merge commit's tree against that
tree is exactly what the merger added: edits made during `git merge --no-commit`, an
"evil" tree made with `git commit-tree`, the resolution of each conflict. That
difference is judged by every rule as a change by the merge's actor.

Cost: one tree diff per merge, all in one `diff-tree --stdin` process. Where one parent
is an ancestor of the other (a `--no-ff` merge of a branch started from the current tip),
git's merge is the descendant's tree, known without running anything; only the other
merges pay for a merge-tree process, several at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from taskgate.git import CommitInfo, RawDiff, Repo

# How far back the in-memory ancestry check walks before leaving it to merge-tree.
_WALK = 256


def _reaches(start: str, target: str, parents: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether `target` is an ancestor of `start`, walking only commits of the range."""
    todo, seen = [start], {start}
    while todo and len(seen) <= _WALK:
        sha = todo.pop()
        for parent in parents.get(sha, ()):
            if parent == target:
                return True
            if parent not in seen and parent in parents:
                seen.add(parent)
                todo.append(parent)
    return False


def merge_contents(repo: Repo, infos: Sequence[CommitInfo]) -> dict[str, tuple[str, list[RawDiff]]]:
    """For each two-parent merge: (tree of git's automatic merge, the merge's own diff)."""
    merges = [info for info in infos if len(info.parents) == 2]
    if not merges:
        return {}
    parents = {info.sha: info.parents for info in infos}
    trees = {info.sha: info.tree for info in infos}
    auto: dict[str, str] = {}  # merge -> the parent whose tree is git's merge
    hard: list[CommitInfo] = []
    for m in merges:
        first, second = m.parents
        if _reaches(second, first, parents):
            auto[m.sha] = second
        elif _reaches(first, second, parents):
            auto[m.sha] = first
        else:
            hard.append(m)
    outside = [p for p in dict.fromkeys(auto.values()) if p not in trees]
    trees.update((c.sha, c.tree) for c in repo.read_commits(outside))
    result = {sha: trees[parent] for sha, parent in auto.items()}
    merged = repo.merge_trees([(m.parents[0], m.parents[1]) for m in hard])
    result.update((m.sha, tree) for m, (tree, _clean) in zip(hard, merged, strict=True))
    diffs = repo.tree_diffs([(result[m.sha], m.tree) for m in merges])
    return {m.sha: (result[m.sha], diff) for m, diff in zip(merges, diffs, strict=True)}
