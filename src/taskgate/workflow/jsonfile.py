"""Strict JSON loading: exact locations, duplicate keys are errors, no tracebacks."""

from __future__ import annotations

import json
from typing import Any


class JsonProblem(Exception):
    """Why a JSON document cannot be used, with a 1-based line and column when known."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line is not None else ""
        return where + self.reason


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        # The standard module silently keeps the last value; a board must not.
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


class _NotJson(ValueError):
    """A token Python's json accepts but JSON does not (NaN, Infinity), or an absurd one."""


def _reject_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value (write a number or null)")


def _bounded_int(digits: str) -> int:
    # int() of more than 4300 digits raises a bare ValueError in Python 3.11+.
    if len(digits.lstrip("-")) > 100:
        raise _NotJson(f"a number with {len(digits)} digits is not a workflow value")
    return int(digits)


def _locate_duplicate(text: str, key: str) -> tuple[int | None, int | None]:
    """Line and column of the second occurrence of `"key":` (best effort)."""
    needle = json.dumps(key)
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    if second < 0:
        return None, None
    line = text.count("\n", 0, second) + 1
    column = second - (text.rfind("\n", 0, second) + 1) + 1
    return line, column


def load_json(data: bytes) -> Any:
    """Parse bytes as one JSON document or raise JsonProblem."""
    if not data.strip():
        raise JsonProblem("the file is empty (expected a JSON object)", 1, 1)
    if data.startswith(b"\xef\xbb\xbf"):
        raise JsonProblem("starts with a UTF-8 byte order mark; save it without the BOM", 1, 1)
    if b"\0" in data[:8000]:
        raise JsonProblem("binary content, not JSON text", 1, 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        bad_col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise JsonProblem(f"not valid UTF-8 ({exc.reason})", bad_line, bad_col) from exc
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_reject_constant,
            parse_int=_bounded_int,
        )
    except _DuplicateKey as exc:
        line, column = _locate_duplicate(text, str(exc))
        raise JsonProblem(f"duplicate key {json.dumps(str(exc))}", line, column) from exc
    except _NotJson as exc:
        raise JsonProblem(str(exc)) from exc
    except json.JSONDecodeError as exc:
        raise JsonProblem(exc.msg, exc.lineno, exc.colno) from exc
    except RecursionError as exc:
        raise JsonProblem("nested too deeply to be a workflow file", 1, 1) from exc
