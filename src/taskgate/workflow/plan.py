"""`plan.md`: where its Contracts section is, and the endpoints it declares."""

from __future__ import annotations

import re
from typing import NamedTuple

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_ENDPOINT = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(/[^\s`'\"|,;)]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


class Section(NamedTuple):
    """Lines [start, end) (0-based) of the Contracts section, heading line included."""

    start: int
    end: int

    def contains(self, index: int) -> bool:
        return self.start < index < self.end


def contracts_section(lines: list[str]) -> Section | None:
    """The part under the first heading whose text contains 'contracts' (any case, any
    level), up to the next heading of the same or a higher level."""
    in_fence = False
    start: int | None = None
    level = 0
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        m = _HEADING.match(line)
        if not m:
            continue
        this_level = len(m.group(1))
        if start is None:
            if "contracts" in m.group(2).lower():
                start, level = i, this_level
        elif this_level <= level:
            return Section(start, i)
    if start is None:
        return None
    return Section(start, len(lines))


def declared_endpoints(text: str) -> list[tuple[str, str, int]]:
    """`(METHOD, /path, line)` for each endpoint line of the Contracts section."""
    lines = text.split("\n")
    section = contracts_section(lines)
    if section is None:
        return []
    out = []
    for i in range(section.start + 1, section.end):
        for m in _ENDPOINT.finditer(lines[i]):
            out.append((m.group(1), m.group(2), i + 1))
    return out
