"""The staged (or committed) files of the gated modules, listed, identified and exported.

The listing comes from the side being checked: the index git is about to commit
(`ls-files`, so GIT_INDEX_FILE is honoured) or a commit's tree (`ls-tree`). The
export goes through a private index file in the snapshot's own folder, so the
repository's index and working tree are never read for content nor written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache, partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Union, cast

from taskgate.errors import TaskgateError
from taskgate.git import Entry, Repo

if TYPE_CHECKING:
    from taskgate.change import Side

# Root configuration the module's tools read when they walk up from the module folder.
ROOT_CONFIG = (
    "pyproject.toml", "setup.cfg", "ruff.toml", ".ruff.toml", "mypy.ini", ".mypy.ini",
    "pytest.ini", ".pytest.ini", "tox.ini", "conftest.py",
)  # fmt: skip

SNAPSHOT_PREFIX = "taskgate-gate-"


def list_entries(side: Side, paths: Sequence[str]) -> dict[str, Entry]:
    """Entries under `paths` on `side`: the staged index or a commit's tree."""
    listed = side.entries(paths)
    if listed is None:
        raise TaskgateError("the gate needs a staged index or a commit to run on")
    return listed


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


def temp_root() -> str | None:
    """Where snapshots go: TMPDIR when the user set it, else /dev/shm (memory), else the default."""
    if os.environ.get("TMPDIR"):
        return None  # tempfile honours TMPDIR
    shm = "/dev/shm"  # noqa: S108 -- a private mkdtemp folder inside it, mode 0700
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None


# A snapshot folder whose lock is free and that has not changed for this long belongs to
# a run killed outright (SIGKILL, a crash): no live run leaves its folder unlocked longer
# than the instant between creating it and locking it.
ORPHAN_AFTER = 10.0  # seconds


class Snapshot:
    """A private temporary folder: `tree/` holds the exported files, `logs/` command output.

    The folder is locked (flock) for the life of the run; a run killed outright cannot
    remove its folder, but the lock goes with it, so the next run removes the folder."""

    def __init__(self) -> None:
        import fcntl
        import tempfile

        root = temp_root()
        sweep_orphans(Path(root or tempfile.gettempdir()))
        self.base = Path(tempfile.mkdtemp(prefix=SNAPSHOT_PREFIX, dir=root))
        self._lock: int | None = os.open(self.base, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.tree = self.base / "tree"
        self.logs = self.base / "logs"
        self.logs.mkdir()

    def export(self, repo: Repo, entries: Mapping[str, Entry]) -> None:
        """Write `entries` (paths relative to the repository root) under `tree/`."""
        self.tree.mkdir(exist_ok=True)
        # Submodules have no content in this repository; their folder is enough.
        files = [e for e in entries.values() if not e.is_gitlink]
        for e in entries.values():
            if e.is_gitlink:
                (self.tree / e.path).mkdir(parents=True, exist_ok=True)
        if files:
            repo.export_entries(files, self.tree, self.base / "index")

    def remove(self) -> None:
        remove_tree(self.base)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def sweep_orphans(root: Path) -> None:
    """Remove the snapshot folders (of this user, under `root`) that runs killed outright
    left behind. Best effort: anything unexpected leaves a folder where it is."""
    import fcntl
    import time

    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(SNAPSHOT_PREFIX):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
                continue
            if now - st.st_mtime < ORPHAN_AFTER:
                continue  # it may be a run's folder in the instant before its lock
            fd = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # locked: a live run's folder
        else:
            remove_tree(Path(entry.path))
        finally:
            os.close(fd)


def remove_tree(path: Path) -> None:
    """Remove `path` even when a test left read-only folders in it."""
    import shutil

    def retry(func: object, failed: str, _exc: object) -> None:
        parent = os.path.dirname(failed)
        try:
            os.chmod(parent, stat.S_IRWXU)
            if os.path.isdir(failed) and not os.path.islink(failed):
                os.chmod(failed, stat.S_IRWXU)
                shutil.rmtree(failed, ignore_errors=True)
            else:
                os.unlink(failed)
        except OSError:
            pass  # gone already, or truly stuck: nothing better to do while cleaning up

    if path.exists():
        shutil.rmtree(path, onerror=retry)
