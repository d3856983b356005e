"""Findings on lines: the `file:line` places a failed command's output names.

The tools' standard output already carries them, in forms that have been stable
for years: mypy's `app/calc.py:2: error: ...`, ruff's `app/calc.py:1:8: F401 ...`
(concise) or ` --> app/calc.py:1:8` under the message (full), pytest's
`tests/test_calc.py:5: AssertionError` in a traceback. Reading them from the log
leaves the lead's commands exactly as written (no output format forced on them).
Only files of the snapshot's module count: a path into site-packages or the
standard library is not the coder's line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

_PLACE = re.compile(
    r"(?:^|(?<=\s))(?:-->\s*)?(?P<path>[^\s:\"'()]+\.pyi?):(?P<line>\d+)(?::\d+)?(?::|$|\s)\s*(?P<rest>.*)$"
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
MAX_PLACES = 20
READ_BYTES = 256 * 1024


class Place(NamedTuple):
    path: str  # relative to the module folder
    line: int
    text: str


def places(log: Path, cwd: Path, limit: int = MAX_PLACES) -> list[Place]:
    """Distinct (file, line) places of the module that the log names, in order."""
    try:
        with log.open("rb") as fh:
            data = fh.read(READ_BYTES)
    except OSError:
        return []
    out: list[Place] = []
    seen: set[tuple[str, int]] = set()
    previous = ""
    root = cwd.resolve()
    for raw in data.decode("utf-8", "replace").split("\n"):
        line = _ANSI.sub("", raw).rstrip("\r")
        match = _PLACE.search(line)
        if match is None:
            if line.strip():
                previous = line.strip()
            continue
        rel = _inside(match.group("path"), root)
        if rel is None:
            continue
        key = (rel, int(match.group("line")))
        if key in seen:
            continue
        seen.add(key)
        rest = match.group("rest").strip()
        arrow = line.lstrip().startswith("-->")
        text = previous if arrow or not rest else rest
        out.append(Place(rel, key[1], text[:200]))
        if len(out) >= limit:
            break
        previous = line.strip()
    return out


def _inside(path: str, root: Path) -> str | None:
    candidate = Path(path)
    full = candidate if candidate.is_absolute() else root / candidate
    try:
        resolved = full.resolve()
        rel = resolved.relative_to(root)
    except (OSError, ValueError):
        return None
    if not resolved.is_file() or ".venv" in rel.parts or "site-packages" in rel.parts:
        return None
    return rel.as_posix()
