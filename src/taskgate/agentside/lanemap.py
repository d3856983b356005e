"""The guard's lane map: what the lane rules need of the policy and module map at HEAD,
kept between tool calls so that the quick path (`agentside.quick`) reads one small file
instead of starting git, reading TOML and JSON and importing the rules.

The full path writes it (`save`, after judging a call with the real rules); the quick path
reads it (`load`) for the commit HEAD names. It lives in `<common dir>/taskgate/guard-map`
beside the policy cache, written whole or not at all, and it is never required: a missing,
stale, truncated or otherwise damaged file (its CRC, its shape, its commit, its format or
taskgate's version) is ignored and the full path judges. Nothing read from it allows a call
that the full path would block: tests/agentside/test_guard_quick.py compares the two.
"""

from __future__ import annotations

import os

from taskgate import __version__
from taskgate.agentside.leanjson import loads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from taskgate.builders import Base

FORMAT = 1
FILE_NAME = "guard-map"
_MAGIC = "taskgate guard map"
_KEEP = 8  # commits remembered (worktrees of one repository share the file)


class LaneMap:
    """One commit's policy paths, rule settings and module map (None: no module map)."""

    __slots__ = (
        "ignore",
        "lead",
        "mode",
        "modules",
        "paths",
        "pyproject_policy",
        "reviewer",
        "warn",
    )

    def __init__(self, entry: dict[str, Any]) -> None:
        self.paths: dict[str, str] = entry["paths"]  # structure, tasks, plan, api, signers
        self.pyproject_policy: bool = entry["pyproject_policy"]
        self.ignore = frozenset(entry["ignore"])
        self.warn = frozenset(entry["warn"])
        self.mode: str = entry["mode"]
        modules = entry["modules"]
        # name → (path, agent), in the module map's order (the first match wins, as there).
        self.modules: dict[str, tuple[str, str]] | None = (
            None if modules is None else {name: (path, agent) for name, path, agent in modules}
        )
        self.lead: str = entry["lead"]
        self.reviewer: str = entry["reviewer"]


def entry_of(base: Base, pyproject_policy: bool) -> dict[str, Any]:
    """The map of a policy and module map read by the full path (no problems in them)."""
    policy, structure = base.policy, base.structure
    paths = policy.paths
    return {
        "paths": {
            "structure": paths.structure,
            "tasks": paths.tasks,
            "plan": paths.plan,
            "api": paths.api,
            "signers": policy.identity.allowed_signers,
        },
        "pyproject_policy": pyproject_policy,
        "ignore": sorted(policy.rules.ignore),
        "warn": sorted(policy.rules.warn),
        "mode": policy.identity.mode,
        "modules": None
        if structure is None
        else [[m.name, m.path, m.agent] for m in structure.modules.values()],
        "lead": structure.lead if structure is not None else "",
        "reviewer": structure.reviewer if structure is not None else "",
    }


def path_of(common_dir: str) -> str:
    return os.path.join(common_dir, "taskgate", FILE_NAME)


def _entries(raw: bytes) -> dict[str, Any] | None:
    """The file's entries by commit, or None when it is not an intact map file."""
    import zlib

    head, newline, payload = raw.partition(b"\n")
    parts = head.decode("ascii", "replace").rsplit(" ", 3)
    if not newline or len(parts) != 4 or parts[0] != _MAGIC:
        return None
    if parts[1] != str(FORMAT) or parts[2] != __version__:
        return None
    if parts[3] != f"{zlib.crc32(payload):08x}":
        return None
    try:
        data = loads(payload.decode("utf-8"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _valid(entry: object) -> bool:
    """The shape `LaneMap` reads, to the last field: anything else is ignored."""
    if not isinstance(entry, dict):
        return False
    paths = entry.get("paths")
    if not isinstance(paths, dict) or sorted(paths) != sorted(
        ("structure", "tasks", "plan", "api", "signers")
    ):
        return False
    if not all(isinstance(v, str) and v for v in paths.values()):
        return False
    modules = entry.get("modules")
    if modules is not None and not (
        isinstance(modules, list)
        and all(isinstance(m, list) and len(m) == 3 and _strings(m[:2]) for m in modules)
        and all(isinstance(m[2], str) for m in modules)
    ):
        return False
    return (
        entry.get("pyproject_policy") in (True, False)
        and _strings(entry.get("ignore"))
        and _strings(entry.get("warn"))
        and entry.get("mode") in ("claimed", "signed")
        and isinstance(entry.get("lead"), str)
        and isinstance(entry.get("reviewer"), str)
    )


def load(common_dir: str, commit: str) -> LaneMap | None:
    """The map for `commit`, or None (no file, another commit, a damaged file)."""
    try:
        with open(path_of(common_dir), "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    entries = _entries(raw)
    entry = entries.get(commit) if entries is not None else None
    return LaneMap(entry) if _valid(entry) else None  # type: ignore[arg-type]


def save(common_dir: str, commit: str, entry: dict[str, Any]) -> None:
    """Remember `entry` for `commit` (best effort: a map that cannot be written is skipped)."""
    import json
    import zlib
    from pathlib import Path

    from taskgate.atomic import atomic_write

    target = path_of(common_dir)
    try:
        with open(target, "rb") as handle:
            entries = _entries(handle.read()) or {}
    except OSError:
        entries = {}
    entries.pop(commit, None)
    kept = dict(list(entries.items())[-(_KEEP - 1) :])
    kept[commit] = entry
    payload = json.dumps(kept, sort_keys=False, separators=(",", ":")).encode()
    head = f"{_MAGIC} {FORMAT} {__version__} {zlib.crc32(payload):08x}\n".encode()
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        atomic_write(Path(target), head + payload)
    except OSError:
        pass  # a read-only repository: every call takes the full path
