"""Python sources re-encoded the ways an agent could hide code from a UTF-8 reader, and the
calculator test file the codec-dodge tests start from (tests/integrity/test_codec_dodges*)."""

from __future__ import annotations

import base64

TEST = "services/api/tests/test_calc.py"
TESTS = "import pytest\n\n\ndef test_add() -> None:\n    assert 1 + 1 == 2\n"


def utf7(code: str) -> bytes:
    """`code` under a UTF-7 declaration, every letter shifted (`+AGQ-` is `d`): no word
    of it is readable as UTF-8, and Python runs it all the same."""
    body = "".join(_shift(ch) if ch.isalpha() else "+-" if ch == "+" else ch for ch in code)
    return ("# coding: utf-7\n" + body).encode("ascii")


def _shift(ch: str) -> str:
    return "+" + base64.b64encode(ch.encode("utf-16-be")).decode().rstrip("=") + "-"


def escaped(code: str) -> bytes:
    """`code` under a `unicode_escape` declaration, every letter as `\\xNN`."""
    body = "".join(f"\\x{ord(ch):02x}" if ch.isalpha() else ch for ch in code)
    return ("# -*- coding: unicode_escape -*-\n" + body).encode("ascii")
