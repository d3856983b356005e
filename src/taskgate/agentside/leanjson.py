"""`json.loads` without importing `json` (and `re`, which it loads): the guard's event.

The guard reads one small JSON document on every tool call; the `json` package costs a
few milliseconds to import, most of it `re` compiling the decoder's patterns. CPython's
own C scanner (`_json.make_scanner`, which `json` itself uses) decodes the same way with
the same defaults; where it is missing, or on any error, `json` itself answers (so a bad
document raises `json.JSONDecodeError`, a ValueError, with json's own message).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_WHITESPACE = " \t\n\r"
_CONSTANTS = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}


class _Context:
    """The attributes `_json.make_scanner` reads: json.JSONDecoder's defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__


def loads(text: str) -> Any:
    """What `json.loads(text)` returns for a str; its ValueError otherwise."""
    try:
        from _json import make_scanner
    except ImportError:  # another Python: the package itself
        scanner = None
    else:
        scanner = make_scanner(_Context())  # type: ignore[arg-type]
    if scanner is not None:
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            value, end = scanner(text, start)
        except (StopIteration, ValueError, RecursionError):
            pass  # json raises the error with its own message below
        else:
            if not text[end:].strip(_WHITESPACE):
                return value
    import json

    return json.loads(text)
