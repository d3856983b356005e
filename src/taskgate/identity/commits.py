"""Signed mode for a range of commits (`ci`, pre-push, pre-receive): the identity verdict
of each commit, with what the range's builder (`taskgate.builders.CommitChanges`) knows.

- The signatures are verified ahead, in the background (`taskgate.identity.ahead`), from
  the moment the range's commits are known.
- The allowed-signers file at each commit is carried along the range's diffs: a commit
  that does not touch it has its parent's, read by blob id. Only the commits the range
  starts from are asked for by path (`rev:path`, a tree walk in git each).
"""

# No `from __future__ import annotations`: see taskgate.identity.sshsig.

from collections.abc import Iterable, Sequence

from taskgate.change import Actor
from taskgate.git import CommitInfo, RawDiff, Repo
from taskgate.identity import ahead
from taskgate.identity.verdict import Verdict, judge_commit
from taskgate.policy import Policy
from taskgate.workflow.structure import Structure


class SignedRange:
    """Per builder: signers paths in use, signature checks started, signers blob ids."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        # Allowed-signers files of signed-mode bases seen so far: prefetched with the rest.
        self.paths: dict[str, None] = {}
        # commit id → the (id, raw object) pairs from it to the end of the range (`expect`).
        self._upcoming: dict[str, list[tuple[str, bytes]]] = {}
        self._in_range: set[str] = set()
        # (commit, path) → the file's blob id in that commit (None: no such file).
        self._blobs: dict[tuple[str, str], str | None] = {}

    def expect(self, infos: Sequence[CommitInfo], signed_path: str | None) -> None:
        """The commits to come, in order; `signed_path`: signed from the first one on."""
        pairs = [(info.sha, info.raw) for info in infos]
        # Their signers come along the diffs; a merge's own content is no parent's diff.
        self._in_range = {info.sha for info in infos if len(info.parents) == 1}
        # Only the first commit's entry matters until signed mode shows up; a handful of
        # checkpoints keeps this small and still starts soon after a mid-range switch.
        step = max(1, len(pairs) // 16)
        self._upcoming = {pairs[i][0]: pairs[i:] for i in range(0, len(pairs), step)}
        if signed_path is not None:
            self.paths.setdefault(signed_path, None)
            ahead.VERIFIER.ahead(pairs)  # while the diffs are read and the rules run

    def prefetch_names(self, revs: Iterable[str]) -> list[str]:
        """`rev:path` of the signers files a batch will need that the diffs will not give."""
        return [f"{rev}:{path}" for rev in revs if rev not in self._in_range
                for path in self.paths]  # fmt: skip

    def read(self, rev: str, path: str) -> bytes | None:
        """The file at `rev`: by blob id when carried along, else by path (and remembered)."""
        key = (rev, path)
        if key in self._blobs:
            oid = self._blobs[key]
            return self.repo.objects.read(oid, "blob") if oid else None
        from taskgate.gitsides import TreeSide

        data = TreeSide(self.repo, rev).read(path)
        if data is None:
            self._blobs[key] = None  # absent (or a name git cannot store): asked once
        elif "\n" not in path:  # read as `rev:path`, so its id is known without a read
            self._blobs[key] = self.repo.objects.object_id(f"{rev}:{path}", "blob")
        return data

    def carry(self, info: CommitInfo, parent: str, diff: Sequence[RawDiff]) -> None:
        """After `info` was built from its parent's full diff: its signers files' blob ids."""
        for path in self.paths:
            found, touched = self._blobs.get((parent, path)), False
            for d in diff:
                if d.new_path == path:
                    gone = d.status == "D" or d.new_mode == "160000"
                    found, touched = (None if gone else d.new_oid), True
                elif d.old_path == path and d.status == "R":
                    found, touched = None, True
            if touched or (parent, path) in self._blobs:
                self._blobs[(info.sha, path)] = found

    def verdict(
        self, info: CommitInfo, rev: str, policy: Policy, structure: Structure | None,
        claimed: Actor | None,
    ) -> Verdict:  # fmt: skip
        """The signer of `info`, against the allowed signers at `rev` under `policy`."""
        path = policy.identity.allowed_signers
        self.paths.setdefault(path, None)
        raw = info.raw or self.repo.objects.read(info.sha, "commit") or b""
        upcoming = self._upcoming.pop(info.sha, None) if self._upcoming else None
        if upcoming:
            # Signed mode from here on, most likely: check the signatures still to come
            # in the background while the rules run on this thread.
            ahead.VERIFIER.ahead(upcoming)
        return judge_commit(
            raw, lambda name: self.read(rev, name), policy, structure, f"commit {rev[:12]}",
            claimed, info.sha,
        )  # fmt: skip
