"""Policy TOML text → its table, through a cache of texts already parsed.

Importing tomllib costs the commit-msg hook ~4 ms on every commit; the policy text
rarely changes, so its parsed table is kept as JSON (json is loaded anyway for the
module map) in `<git dir>/taskgate/policy-cache.json`. Keyed by the exact text; only
the table is cached, the Policy is still built and checked from it every run.

Kept because a benchmark row earns it (`make bench`, bench_speedups, "TOML-to-JSON
policy cache"; CPU medians, 2-core machine under load 6, 2026-12-03): importing this
module and reading a 20-line policy through the cache 9.6 ms against 15.3 ms with tomllib
(json and re loaded beforehand, as in a hook); the whole commit-msg hook 71.5 ms against
74.5 ms CPU and 145 ms against 158 ms wall.
"""

# No `from __future__ import annotations`: on the hook's path, nothing to defer.

from pathlib import Path
from typing import Any

from taskgate.errors import ConfigError

_Table = dict[str, Any]


def parse_toml(data: bytes, source: str, cache: Path | None = None) -> _Table:
    """The table of a TOML text (`source` names it in errors); `cache` None parses afresh."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    cached = _cached_tables(cache)
    if text in cached:
        return cached[text]
    import tomllib

    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from exc
    _store_table(cache, cached, text, table)
    return table


_CACHE_REVISION = 1
_CACHE_ENTRIES = 8


def _cached_tables(cache: Path | None) -> dict[str, _Table]:
    if cache is None:
        return {}
    import json

    try:
        doc = json.loads(cache.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("revision") != _CACHE_REVISION:
        return {}
    entries = doc.get("entries")
    if not isinstance(entries, list):
        return {}
    return {
        e[0]: e[1]
        for e in entries
        if isinstance(e, list) and len(e) == 2 and isinstance(e[0], str) and isinstance(e[1], dict)
    }


def _store_table(cache: Path | None, cached: dict[str, _Table], text: str, table: _Table) -> None:
    if cache is None:
        return
    import json

    from taskgate.atomic import atomic_write

    entries = [[t, v] for t, v in cached.items() if t != text][-(_CACHE_ENTRIES - 1) :]
    entries.append([text, table])
    try:
        # Dates and times have no JSON form; such a table is simply not cached.
        body = json.dumps({"revision": _CACHE_REVISION, "entries": entries}, allow_nan=False)
    except (TypeError, ValueError):
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cache, body.encode("utf-8"))
    except OSError:
        pass  # a cache that cannot be written only costs time (no temporary file left)
