"""Passing gate results, remembered under the git common directory.

One file per passing result, named by its key: the module's tree id, the root
configuration files' ids, the commands and the executables they resolved to
(with their modification times and their environment's site-packages). Written
to a unique temporary name and renamed into place, so two commits running at
once never see half a file and a crash leaves no lock behind. Linked worktrees
share the common directory, and so the cache.
"""

# No `from __future__ import annotations`: NamedTuple would compile each string
# annotation into a ForwardRef at import, on the hook's path.

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from taskgate.atomic import TEMP_PREFIX, atomic_write
from taskgate.gate.snapshot import digest
from taskgate.git import Entry

FORMAT = 1
KEEP = 400  # entries kept after a prune
PRUNE_AT = 500
STALE_TEMP_SECONDS = 3600


class Tool(NamedTuple):
    """A command and the executable it resolved to, as the cache key sees it."""

    command: str
    executable: str
    stamp: tuple[int, ...]


def executable_stamp(path: Path) -> tuple[int, ...]:
    """mtime and size of the executable, plus its venv's site-packages folders' mtimes.

    Installing or removing a package changes site-packages, not the executable.
    """
    try:
        st = path.stat()
    except OSError:
        return ()
    out = [st.st_mtime_ns, st.st_size]
    venv = path.parent.parent
    if (venv / "pyvenv.cfg").is_file():
        for site in sorted(venv.glob("lib/python*/site-packages")):
            try:
                out.append(site.stat().st_mtime_ns)
            except OSError:
                continue
    return tuple(out)


def cache_key(module_path: str, tree: str, config: Sequence[Entry], tools: Sequence[Tool]) -> str:
    doc = {
        "format": FORMAT,
        "module": module_path,
        "tree": tree,
        "config": [[e.path, e.mode, e.oid] for e in config],
        "tools": [[t.command, t.executable, list(t.stamp)] for t in tools],
    }
    # Not a security boundary (anyone who can write here can write the hooks): SHA-1 is fine.
    return digest("sha1", json.dumps(doc, sort_keys=True).encode()).hex()


def tool_cache_dir(common_dir: Path, module: str, tools: Sequence[Tool]) -> Path:
    """`<common>/taskgate/tool-cache/<module>/<tools id>`: one folder per module and tool
    versions (an upgraded tool starts afresh). Created when the tools first write to it."""
    doc = [[t.command, t.executable, list(t.stamp)] for t in tools]
    tools_id = digest("sha1", json.dumps(doc, sort_keys=True).encode()).hex()[:16]
    return common_dir / "taskgate" / "tool-cache" / module / tools_id


class GateCache:
    """The folder `<common dir>/taskgate/gate-cache`, one file per passing key."""

    def __init__(self, common_dir: Path, name: str = "gate-cache") -> None:
        self.folder = common_dir / "taskgate" / name

    def hit(self, key: str) -> bool:
        return self.read(key) is not None

    def read(self, key: str) -> dict[str, Any] | None:
        """The stored record of `key`, or None (a miss, or a damaged file)."""
        try:
            data = json.loads((self.folder / key).read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("key") == key else None

    def store(self, key: str, record: dict[str, object]) -> None:
        """Remember a pass; a cache that cannot be written only costs the next run."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            body = json.dumps({**record, "key": key}).encode()
            atomic_write(self.folder / key, body, mode=0o600)
            self._prune()
        except OSError:
            return

    def _prune(self) -> None:
        names = os.listdir(self.folder)
        now = time.time()
        dated: list[tuple[float, str]] = []
        for name in names:
            try:
                mtime = os.stat(self.folder / name).st_mtime
            except OSError:
                continue
            if name.startswith(TEMP_PREFIX):
                # Left by a run killed between write and rename.
                if now - mtime > STALE_TEMP_SECONDS:
                    (self.folder / name).unlink(missing_ok=True)
                continue
            dated.append((mtime, name))
        if len(dated) > PRUNE_AT:
            dated.sort()
            for _, name in dated[: len(dated) - KEEP]:
                (self.folder / name).unlink(missing_ok=True)
