"""Deterministic random-looking text for the secret-scanning tests: the fake secrets are
assembled at run time, so no test file holds one a scanner (TG604 included) would find."""

from __future__ import annotations

import random
import string


def fake(n: int, alphabet: str = string.ascii_letters + string.digits, seed: int = 7) -> str:
    """A random-looking string of `n` characters (deterministic)."""
    return "".join(random.Random(seed * 1000 + n).choices(alphabet, k=n))
