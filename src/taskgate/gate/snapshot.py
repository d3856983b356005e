"""The staged (or committed) files of the gated modules, listed, identified and exported.

The listing comes from the side being checked: the index git is about to commit
(`ls-files`, so GIT_INDEX_FILE is honoured) or a commit's tree (`ls-tree`). The
export goes through a private index file in the snapshot's own folder, so the
repository's index and working tree are never read for content nor written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from taskgate.errors import TaskgateError
from taskgate.git import Entry, Repo
from taskgate.treehash import digest as digest
from taskgate.treehash import tree_id as tree_id

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
