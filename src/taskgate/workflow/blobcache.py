"""The cache of workflow-file blobs already validated, kept under the git common dir.

Light on purpose (it is imported by the entry points on every hook run); the
validation itself lives in `taskgate.workflow.validation`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# Part of every cache key: bump it when a schema or a structural rule changes meaning.
REVISION = "2"  # 2: the context spelled out in the key, not digested

_MAX_ENTRIES = 4096


class ValidatedBlobs:
    """Keys of workflow-file blobs that passed every workflow check, kept between runs.

    A key is `<blob id> <kind> <context>`: the context holds what else the verdict
    depended on (the module names an assignee must be one of). The workflow checks
    only ask and add in memory, through `Change.validated_blobs`; the entry points load
    and `save()` the file (`<git common dir>/taskgate/validated-blobs`): rules stay pure.
    Without a path (the default) it lives in memory only.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._known: set[str] | None = None
        self._new: dict[str, None] = {}

    @classmethod
    def for_common_dir(cls, common_dir: Path) -> ValidatedBlobs:
        return cls(common_dir / "taskgate" / "validated-blobs")

    def _load(self) -> set[str]:
        if self._known is None:
            self._known = set(self._read_lines())
        return self._known

    def _read_lines(self) -> list[str]:
        if self.path is None:
            return []
        try:
            text = self.path.read_text(encoding="ascii", errors="replace")
        except OSError:
            return []
        return [line for line in text.split("\n") if line]

    def __contains__(self, key: object) -> bool:
        return key in self._new or key in self._load()

    def add(self, key: str) -> None:
        self._new[key] = None

    def save(self) -> None:
        """Write the new keys (atomically: a temporary file renamed over the old one)."""
        from taskgate.atomic import atomic_write  # only when there is something to write

        if self.path is None or not self._new:
            return
        lines = dict.fromkeys(self._read_lines())
        lines.update(self._new)
        kept = list(lines)[-_MAX_ENTRIES:]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, ("\n".join(kept) + "\n").encode("ascii"))
        except OSError:
            return  # a cache that cannot be written only costs time (no temporary file left)
        self._new.clear()


def blob_key(oid: str, kind: str, context: Iterable[str] = ()) -> str:
    """`<blob id> <kind> r<revision> <the context as a JSON list>`: one ASCII line.

    The context is written out, not digested: a lookup is a plain comparison of the whole
    key, so two contexts never share a key. It replaced a zlib crc32 + adler32 digest that
    did not earn its place (`make bench`, bench_speedups, "validated-blobs key"; CPU
    medians, 2-core machine under load 6, 2026-12-03): import and first key 0.0 ms spelled
    out, 0.5 ms with zlib (nothing else on the commit-msg path loads it), 3.8 ms with
    hashlib's blake2b (OpenSSL); the whole commit-msg hook with the board staged 72.9 ms,
    73.5 ms and 81.1 ms. json is loaded already (the workflow files are JSON). A key grows
    with the module names, a few bytes each.
    """
    import json  # loaded already on every path that reads a workflow file

    spelled = json.dumps(list(context), ensure_ascii=True, separators=(",", ":"))
    return f"{oid} {kind} r{REVISION} {spelled}"
