"""TG603, first half: suppression comments a coder commit adds (`# noqa`,
`# type: ignore`, `# pragma: no cover`, …), found with `tokenize` so strings never
count; the check also runs the second half (`taskgate.rules.loosening`: loosened
tool configuration) and the configuration-ownership checks of
`taskgate.rules.toolconfig`. A cheap look at git's added lines, or at the raw
bytes, decides which files are worth tokenizing at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache
from typing import NamedTuple

from taskgate.change import Change
from taskgate.finding import Finding
from taskgate.policy import Policy
from taskgate.rules.changedlines import (
    Occurrence,
    added_text,
    after_path,
    coder_commit,
    drop_moved,
    line_delta,
    line_hint,
    pick_new,
    prefetch,
    removed_pool,
    side_bytes,
    side_text,
)
from taskgate.rules.registry import EVERY_STAGE, check, rule

_SUPPRESSIONS = (
    ("# ruff: noqa", r"(?i)#\s*ruff\s*:\s*noqa\b"),
    ("# flake8: noqa", r"(?i)#\s*flake8\s*[:=]\s*noqa\b"),
    ("# noqa", r"(?i)#\s*noqa\b"),
    ("# type: ignore", r"#\s*type\s*:\s*ignore\b"),
    ("# pragma: no cover", r"(?i)pragma\s*:\s*no\s*(?:cover|branch)\b"),
    ("# mypy: ignore-errors", r"#\s*mypy\s*:\s*(?:ignore-errors|disable-error-code)"),
    # Any other inline mypy configuration (`# mypy: allow-any-generics`): the file's own
    # settings, out of the lead's configuration.
    ("# mypy: inline flags", r"#\s*mypy\s*:\s*[\w-]"),
    ("# pyright: ignore", r"#\s*pyright\s*:\s*(?:ignore\b|basic\b)"),
    ("# pylint: disable", r"#\s*pylint\s*:\s*disable"),
    ("# nosec", r"(?i)#\s*nosec\b"),
)
_SUPPRESSION_HINT = r"(?i)noqa|type\s*:\s*ignore|pragma\s*:|mypy\s*:|pyright\s*:|pylint\s*:|nosec"
# Strings (triple-quoted first) and comments: a C-speed first look; tokenize decides.
_LEXEMES = (
    r"(?s:\"\"\"(?:\\.|.)*?\"\"\"|'''(?:\\.|.)*?''')"
    r"|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'|#[^\n]*"
)


class _Patterns(NamedTuple):
    sign: re.Pattern[str]
    kinds: tuple[tuple[str, re.Pattern[str]], ...]
    lexemes: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    """Compiled on first use: the commit-msg hook imports this module on every commit."""
    kinds = tuple((k, re.compile(p)) for k, p in _SUPPRESSIONS)
    return _Patterns(re.compile(_SUPPRESSION_HINT), kinds, re.compile(_LEXEMES))


_FILE_LEVEL = frozenset(
    {"# ruff: noqa", "# flake8: noqa", "# mypy: ignore-errors", "# mypy: inline flags"}
)


def suppressions(text: str, *, exact: bool = True) -> list[Occurrence]:
    """Suppression comments of Python source, found by `tokenize` so strings never count
    (`exact=False`: by a quick regular-expression lexer, for a first look).

    Source that does not tokenize (the gate will say why) falls back to every `#` on
    the line, which may count a string: it only ever errs towards reporting.
    """
    comments = _comments(text) if exact else _screened_comments(text)
    out = []
    for line, comment in comments:
        rest = comment
        for kind, pattern in _patterns().kinds:
            if pattern.search(rest):
                out.append(Occurrence(kind, line))
                rest = pattern.sub("", rest)
    return out


def _comments(text: str) -> list[tuple[int, str]]:
    import io
    import tokenize

    try:
        return [
            (tok.start[0], tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        lines = text.split("\n")
        return [(n, line[line.index("#") :]) for n, line in enumerate(lines, 1) if "#" in line]


def _screened_comments(text: str) -> list[tuple[int, str]]:
    """Comments that show a suppression sign, skipping strings with one regular expression."""
    patterns = _patterns()
    out = []
    line, last = 1, 0
    for m in patterns.lexemes.finditer(text):
        lexeme = m.group()
        if lexeme.startswith("#") and _may_suppress_text(lexeme) and patterns.sign.search(lexeme):
            line += text.count("\n", last, m.start())
            last = m.start()
            out.append((line, lexeme))
    return out


# Plain substrings (of the lower-cased text) for the first looks: a regular expression
# alternating words scans a large file several times slower.
_SUPPRESSION_TEXT = ("noqa", "type:", "pragma", "mypy", "pyright", "pylint", "nosec")
_SUPPRESSION_BYTES = tuple(word.encode() for word in _SUPPRESSION_TEXT)


# Every suppression sits in a comment: from a `#` to the end of its line. The first `#`
# of a line may open a string, but its match runs on over the comment that follows.
_HASH_TO_EOL = re.compile(rb"#[^\n]*")


def _may_suppress(raw: bytes) -> bool:
    """A first look at a file's bytes: a suppression word after a `#` on some line (the
    comment parts are a small share of a file, so scanning only them is cheaper)."""
    if b"#" not in raw:
        return False
    low = b"\n".join(_HASH_TO_EOL.findall(raw)).lower()
    return any(word in low for word in _SUPPRESSION_BYTES)


def _may_suppress_text(text: str) -> bool:
    low = text.lower()
    return any(word in low for word in _SUPPRESSION_TEXT)


def _suppression_findings(change: Change) -> Iterator[Finding]:
    pool: Counter[str] | None = None
    python = [fc for fc in change.files if (after_path(fc) or "").endswith((".py", ".pyi"))]
    hints = {id(fc): line_hint(change, fc) for fc in python}
    prefetch(change, [fc for fc in python if hints[id(fc)] is None], "after")
    # A new suppression sits on a new line: where git's lines show no sign of one, the
    # file is not read at all; elsewhere a look at its bytes comes first.
    signed = [
        fc
        for fc in python
        if (
            _may_suppress_text(hint.added_text)
            if (hint := hints[id(fc)]) is not None
            else _may_suppress(side_bytes(change, fc, "after"))
        )
    ]
    prefetch(change, signed, "after")
    prefetch(change, signed, "before")
    for fc in signed:
        path = after_path(fc) or ""
        after = side_text(change, fc, "after") or ""
        # A new suppression sits on a new line: look closer only when one shows a sign of it.
        if not _may_suppress_text(added_text(change, fc)):
            continue
        before = side_text(change, fc, "before")
        delta = line_delta(change, fc)
        if not pick_new(
            suppressions(before, exact=False) if before else [],
            suppressions(after, exact=False),
            delta.added,
        ):
            continue  # the signs are in strings (tokenize, slower, would only agree)
        lines = after.split("\n")
        new = pick_new(suppressions(before) if before else [], suppressions(after), delta.added)
        if pool is None and new:
            pool = removed_pool(change)
        new = drop_moved(new, lines, pool) if pool is not None else new
        added_here = Counter(o.kind for o in new)
        for o in new:
            scope = "for the whole file" if o.kind in _FILE_LEVEL else "on this line"
            yield Finding(
                "TG603",
                f"adds a `{o.kind}` suppression {scope} ({added_here[o.kind]} added in this file)",
                path=path,
                line=o.line,
                hint="fix what the tool reports instead of silencing it; "
                "only the lead may add suppressions",
            )


TG603 = rule(
    id="TG603",
    name="suppressions",
    stages=EVERY_STAGE,
    summary="coder commit adds suppressions or loosens tool configuration",
    what=(
        "Added `# type: ignore`, `# noqa`, `# pragma: no cover`, file-level ruff/mypy "
        "switches, inline `# mypy:` flags, `@no_type_check`; and any change to tool "
        "configuration inside a module (mypy.ini, ruff.toml, pytest.ini, setup.cfg, "
        "tox.ini, .ignore, sitecustomize.py, the [tool.*] tables of its pyproject.toml): "
        "the lead's. [project] stays the coder's."
    ),
    why="Silencing the linter is not fixing the code.",
    example="x = f()  # type: ignore",
    fix="Fix the type error.",
)


@check(TG603, needs_actor=True)
def suppressions_added(change: Change, policy: Policy) -> Iterable[Finding]:
    """Added suppression comments, loosened ruff/mypy/coverage/flake8 configuration."""
    if not coder_commit(change):
        return []
    from taskgate.rules.loosening import config_findings
    from taskgate.rules.toolconfig import config_ownership_findings, no_type_check_findings

    loose = list(config_findings(change))
    # A loosening names what changed; any other change to a module's tool configuration
    # is still the lead's to make (taskgate.rules.toolconfig).
    said = {f.path for f in loose}
    owned = [f for f in config_ownership_findings(change) if f.path not in said]
    return [*_suppression_findings(change), *no_type_check_findings(change), *loose, *owned]
