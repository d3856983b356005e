"""A Python file's bytes → the text Python runs (PEP 263): what the rules must judge.

The rules read files as UTF-8. Python does not always: a UTF-8 byte-order mark is
dropped, and a coding declaration in the first two lines (`# coding: utf-7`,
`# -*- coding: unicode_escape -*-`) names the codec of the rest. Read as UTF-8, such
a file can hide what it holds (`+AGQ-ef f(x):` is `def f(x):` in UTF-7), so a
Python file is decoded as Python decodes it. `taskgate.reading` calls `python_text`
only when the first lines show a BOM or the word `coding`.
"""

import codecs
import re

BOM = b"\xef\xbb\xbf"
# The tokenizer's own patterns (Lib/tokenize.py): a cookie, and a line that lets the
# second line hold it (blank, or only a comment).
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
_BLANK = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)", re.ASCII)


def source_codec(data: bytes) -> str | None:
    """The codec Python decodes these bytes with when it is not plain UTF-8 (None: UTF-8,
    or a declaration Python itself refuses, so the file never runs)."""
    if data.startswith(BOM):
        return None
    lines = data.split(b"\n", 2)
    match = _COOKIE.match(lines[0])
    if match is None and len(lines) > 1 and _BLANK.match(lines[0]):
        match = _COOKIE.match(lines[1])
    if match is None:
        return None
    try:
        info = codecs.lookup(match[1].decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return None  # Python refuses it: the file is a syntax error
    name = info.name
    if name == "utf-8" or not getattr(info, "_is_text_encoding", True):
        return None  # `rot13` and the like: Python refuses them too
    return name


def python_text(data: bytes) -> str:
    """The text Python reads from a source file's bytes (undecodable bytes replaced)."""
    if data.startswith(BOM):
        return data[len(BOM) :].decode("utf-8", "replace")
    codec = source_codec(data)
    if codec is not None:
        try:
            return data.decode(codec, "replace")
        except (UnicodeError, LookupError, TypeError, ValueError):
            pass  # a codec that cannot replace: read it as UTF-8 as before
    return data.decode("utf-8", "replace")
