"""A merge's own content: what its tree holds beyond git's automatic merge of its parents.

`git merge-tree --write-tree P1 P2` (git >= 2.38) writes the tree git's own merge of
the two parents produces, conflict markers and all. A merge commit's tree against that
tree is exactly what the merger added: edits made during `git merge --no-commit`, an
"evil" tree made with `git commit-tree`, the resolution of each conflict. That
difference is judged by every rule as a change by the merge's actor; a clean merge
nobody touched differs in nothing and costs one merge-tree process.
"""

from __future__ import annotations

from collections.abc import Sequence

from taskgate.git import CommitInfo, RawDiff, Repo


def merge_contents(repo: Repo, infos: Sequence[CommitInfo]) -> dict[str, tuple[str, list[RawDiff]]]:
    """For each two-parent merge: (tree of git's automatic merge, the merge's own diff)."""
    merges = [info for info in infos if len(info.parents) == 2]
    if not merges:
        return {}
    trees = repo.merge_trees([(m.parents[0], m.parents[1]) for m in merges])
    diffs = repo.tree_diffs(
        [(tree, m.tree) for m, (tree, _clean) in zip(merges, trees, strict=True)]
    )
    return {m.sha: (tree, diff) for m, (tree, _), diff in zip(merges, trees, diffs, strict=True)}
