"""The specific shapes of secrets TG604 looks for: keys and tokens with a known form."""

# No `from __future__ import annotations`: on the hook's path, where NamedTuple would
# compile each string annotation at import (see taskgate.finding).

import re
from typing import NamedTuple


class Shape(NamedTuple):
    """A kind of secret, its pattern, and the words a line must hold for it to run."""

    kind: str
    regex: re.Pattern[str]
    gates: tuple[str, ...]  # the pattern runs only on lines holding one of these (as written)


# Specific shapes first: a line reported by one of them is not reported again as a
# password assignment.
SHAPES = (
    # A PEM block by its BEGIN and END lines, whatever the width of the lines between
    # (openssl reads a block re-wrapped at 32 columns as well as at 64).
    Shape(
        "private key",
        re.compile(
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----([\s\S]{0,20000}?)"
            r"(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)"
        ),
        (),  # spans lines: the whole text, when it says PRIVATE KEY
    ),
    # A BEGIN line whose END is out of reach: a long run of base64 after it.
    Shape(
        "private key",
        re.compile(
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,300}?([A-Za-z0-9+/]{40,})"
        ),
        (),
    ),
    Shape("AWS access key", re.compile(r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b"), ("AKIA", "ASIA")),
    Shape(
        "GitHub token",
        re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    Shape("GitLab token", re.compile(r"\b(glpat-[A-Za-z0-9_-]{20,})"), ("glpat-",)),
    Shape("Slack token", re.compile(r"\b(xox[abprs]-[A-Za-z0-9-]{10,})"), ("xox",)),
    Shape(
        "OpenAI-style API key",
        re.compile(r"(?<![A-Za-z0-9_-])(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})"),
        ("sk-",),
    ),
    Shape("Stripe live key", re.compile(r"\b((?:sk|rk)_live_[A-Za-z0-9]{20,})"), ("_live_",)),
    Shape(
        "JSON Web Token",
        re.compile(r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"),
        ("eyJ",),
    ),
    Shape(
        "password in a URL",
        re.compile(
            r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://([^\s:/?#@'\"<>{}\[\]\\]{1,128})"
            r":([^\s/?#@'\"<>{}\[\]\\]{1,256})@([A-Za-z0-9_.\-\[\]%]+)"
        ),
        ("://",),
    ),
)
