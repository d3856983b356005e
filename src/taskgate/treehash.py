"""A git tree's id computed from index or tree entries, without writing it (the gate's
cache key, the rejection log's staged tree): light enough for any hook to import."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, partial
from importlib import import_module
from typing import Protocol, Union, cast

from taskgate.errors import TaskgateError
from taskgate.git import Entry

_Node = dict[str, Union["_Node", Entry]]


class _Hash(Protocol):
    def digest(self) -> bytes: ...


@cache
def _hasher(algo: str) -> Callable[[bytes], _Hash]:
    if algo == "sha1":
        # CPython's builtin `_sha1`: nothing else on a gate cache hit imports hashlib, whose
        # OpenSSL binding costs milliseconds to load. Measured (`make bench`, bench_speedups,
        # CPU medians, 2-core machine under load 6, 2026-12-03): import and first digest
        # 0.3 ms against hashlib.sha1's 4.2 ms; the whole cache-hit hook 71.7 ms against
        # 72.7 ms CPU (within that run's noise) and 137 ms against 146 ms wall.
        try:
            return cast(Callable[[bytes], _Hash], import_module("_sha1").sha1)
        except (ImportError, AttributeError):
            pass
    import hashlib

    return partial(hashlib.new, algo)


def digest(algo: str, data: bytes) -> bytes:
    """The binary digest of `data` with `algo` ("sha1" or "sha256")."""
    return _hasher(algo)(data).digest()


def tree_id(entries: Iterable[Entry], prefix: str) -> str:
    """The git tree id of the folder `prefix` holding `entries`, computed without writing it.

    `git write-tree --prefix` would write the index's cache-tree; hashing the listing
    gives the same id for a staged index and for a commit with the same content.
    """
    root: _Node = {}
    cut = len(prefix) + 1 if prefix else 0
    algo = "sha1"
    for entry in entries:
        if len(entry.oid) == 64:
            algo = "sha256"  # a repository with extensions.objectFormat = sha256
        parts = entry.path[cut:].split("/")
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise TaskgateError(f"{entry.path}: a file and a folder of the same name")
            node = child
        node[parts[-1]] = entry
    return _hash_tree(root, algo).hex()


def _hash_tree(node: _Node, algo: str) -> bytes:
    items: list[tuple[bytes, bytes]] = []
    for name, child in node.items():
        raw = name.encode("utf-8", "surrogateescape")
        if isinstance(child, dict):
            # git sorts a folder as if its name ended with "/".
            items.append((raw + b"/", b"40000 " + raw + b"\0" + _hash_tree(child, algo)))
        else:
            oid = bytes.fromhex(child.oid)
            items.append((raw, child.mode.encode() + b" " + raw + b"\0" + oid))
    items.sort(key=lambda item: item[0])
    body = b"".join(record for _, record in items)
    return digest(algo, b"tree %d\0" % len(body) + body)
