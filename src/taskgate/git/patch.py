"""The lines a staged change adds and removes, from git's own diff (`git diff-index -p`).

The integrity rules first look for a sign of what they hunt (a `noqa`, a skip marker, a
removed `def test_`, a route) in the lines a file gains or loses, and read a file only
when its lines show one. Working those lines out in Python means reading both sides of
every file; a hook has git compute them while Python starts up instead.

A hint may only let a rule skip a file, never report one: by content, git's added lines
include every line `line_delta` calls added. A line whose copies grew from `b` to `a`
leaves at least `a - b` of them unmatched in any alignment, so a sign absent from git's
added lines is absent from the exact ones too (and likewise for removed lines).
"""

# No `from __future__ import annotations`: this module is on the hook's path (NamedTuple).

from typing import NamedTuple


class LineHint(NamedTuple):
    """What one modified file gains and loses, line by line (decoded as the rules do)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    added_text: str  # the added lines joined by newlines, where most first looks search


NO_LINES = LineHint((), (), "")

Hints = dict[tuple[str, str], LineHint]


def parse_patch(data: bytes) -> Hints:
    """`diff -p -U0 --full-index` output → (old blob id, new blob id) → its lines.

    Keyed by blob ids, not paths: no quoting to undo, and a hint is right for any file
    pair with those contents, whatever pairing rename detection chose. Binary files
    (git's own guess or a `-diff` attribute) get no hint: the rules read those."""
    out: Hints = {}
    for section in data.split(b"\ndiff --git "):
        header, sep, body = section.partition(b"\n@@ ")
        key = _blob_pair(header)
        if key is None or not key[0].strip("0") or not key[1].strip("0"):
            continue  # a new or a deleted file: all its lines are new or gone anyway
        if b"\nBinary files " in header or b"\nGIT binary patch" in header:
            continue
        if not sep:
            out[key] = NO_LINES  # a mode change or a pure rename: no line changed
            continue
        added: list[bytes] = []
        removed: list[bytes] = []
        # After the rest of the first hunk header, every line is a hunk header ("@@"),
        # "+text", "-text" or "\ No newline": only a file header can start with
        # "diff --git", so the split above is exact.
        for line in body.partition(b"\n")[2].split(b"\n"):
            if line[:1] == b"+":
                added.append(line[1:])
            elif line[:1] == b"-":
                removed.append(line[1:])
        text = b"\n".join(added).decode("utf-8", "replace")
        out[key] = LineHint(_lines(text, added), _lines(_decode(removed), removed), text)
    return out


def _blob_pair(header: bytes) -> tuple[str, str] | None:
    start = header.find(b"\nindex ")
    if start < 0:
        return None
    end = header.find(b"\n", start + 1)
    ids = header[start + 7 : end if end >= 0 else len(header)].split(b" ", 1)[0]
    old, sep, new = ids.partition(b"..")
    if not sep or not old or not new:
        return None
    return old.decode("ascii", "replace"), new.decode("ascii", "replace")


def _decode(lines: list[bytes]) -> str:
    return b"\n".join(lines).decode("utf-8", "replace")


def _lines(text: str, raw: list[bytes]) -> tuple[str, ...]:
    return tuple(text.split("\n")) if raw else ()
