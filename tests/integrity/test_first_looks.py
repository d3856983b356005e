"""First looks rewritten for speed find exactly what their plain forms find: TG604's
grouped signs, TG602's search for markers imported under another name."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.rules.secrets import _SIGNS, has_sign, has_sign_bytes
from taskgate.rules.skips import marker_aliases

# Pieces of every sign, near-misses and filler, so that random joins often make a sign,
# break one, or put a key name's head right before "key".
PIECES = sorted(
    {*_SIGNS, *(s[: len(s) // 2] for s in _SIGNS), *(s[len(s) // 2 :] for s in _SIGNS)}
    | {"KEY", "Api", "ACCESS", "Private ", "GH", "P_", "monkey", "apikeys", "x", " ", "\n", "é"}
)
TEXTS = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


def plain(text: str) -> bool:
    low = text.lower()
    return any(sign in low for sign in _SIGNS)


@pytest.mark.slow
@settings(max_examples=3000)
@given(TEXTS)
def test_grouped_look_agrees_with_the_list(text: str) -> None:
    assert has_sign(text) == plain(text)
    raw = text.encode()
    assert has_sign_bytes(raw) == any(s.encode() in raw.lower() for s in _SIGNS)


def test_every_sign_alone_and_in_capitals() -> None:
    for sign in _SIGNS:
        for text in (sign, sign.upper(), f"x = '{sign}'\n"):
            assert has_sign(text), text
            assert has_sign_bytes(text.encode()), text
    assert not has_sign("monkey keys and a turkey")
    assert not has_sign_bytes(b"monkey keys and a turkey")


# --- TG602's search for markers imported under another name ---------------------------

ALIAS_PIECES = ["skip", "skipIf", "xfail", "SkipTest", "importorskip", "expectedFailure", "my",
                "_x", " ", "\n", "\t", "as", " as ", "(", ",", "later", "é", "class"]  # fmt: skip
# Every `<marker> as <name>`, overlapping ones too (`skip as skip as x` has two).
ORACLE = re.compile(r"(?=\b(?:skip\w*|xfail|SkipTest|expectedFailure|importorskip)\s+as\s+(\w+))")


@pytest.mark.slow
@settings(max_examples=3000)
@given(st.lists(st.sampled_from(ALIAS_PIECES), max_size=10).map("".join))
def test_alias_search_agrees_with_one_pattern(text: str) -> None:
    assert marker_aliases(text) == ORACLE.findall(text)
