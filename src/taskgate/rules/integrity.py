"""Agent-integrity rules TG601–TG605 (SPEC §7): the shortcuts a coder must not take.

TG601 deleted tests, TG602 skipped tests and TG603 suppressions apply to coder
commits only (the lead may do these things on purpose); TG604 secrets and TG605
junk apply to everyone. Every rule compares the two sides of the change, so what
was already there before the commit is never reported again.

This module registers the checks, holds what they share (file texts, added
lines, picking the new occurrences of a thing) and TG603. The rest lives in
helpers imported on first use: `integrity_tests` (TG601, TG602), `secrets`
(TG604) and `junk` (TG605). Each check first looks at the raw text for a cheap
sign of what it hunts (a `def test`, the word `skip`, a `noqa`) and parses only
the files that show one, so most files of most commits never reach `ast` or
`tokenize`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, NamedTuple

from taskgate.change import Change, FileChange, Role
from taskgate.finding import Finding
from taskgate.git import NO_LINES, LineHint
from taskgate.policy import Policy
from taskgate.rules.registry import check

# --- what the rules share ---------------------------------------------------


def coder_commit(change: Change) -> bool:
    """A commit by the coder of a module (not a merge: its parts are checked one by one)."""
    return (
        change.actor is not None and change.actor.role is Role.CODER and not change.unjudged_merge
    )


def before_path(fc: FileChange) -> str | None:
    """The path of this file on the before side, or None when it is new.

    A copy is new content: comparing it with its source would hide what it adds.
    """
    if fc.old is None or fc.status in "AC":
        return None
    return fc.old_path


def after_path(fc: FileChange) -> str | None:
    return None if fc.new is None or fc.deleted else fc.path


def side_text(change: Change, fc: FileChange, side: str) -> str | None:
    """The file's text on one side ("before" or "after"); None for binaries,
    symlinks, submodules and absent files. Read once per change."""
    path = before_path(fc) if side == "before" else after_path(fc)
    entry = fc.old if side == "before" else fc.new
    if path is None or entry is None or entry.is_symlink or entry.is_gitlink:
        return None
    reader = change.before if side == "before" else change.after

    def load() -> str | None:
        data = reader.read(path)
        if data is None or b"\0" in data[:8000]:
            return None
        return data.decode("utf-8", "replace")

    result: str | None = change.memo(f"text\0{side}\0{path}", load)
    return result


def prefetch(change: Change, files: Iterable[FileChange], side: str) -> None:
    """Read these files of one side in one pipelined exchange, when the side can (the
    git-backed sides can): a round trip per file would cost more than the rules."""
    reader = change.before if side == "before" else change.after
    fetch = getattr(reader, "prefetch", None)
    if fetch is None:
        return
    pick = before_path if side == "before" else after_path
    paths = [p for fc in files if (p := pick(fc)) is not None]
    if paths:
        fetch(paths)


def line_hint(change: Change, fc: FileChange) -> LineHint | None:
    """git's added and removed lines of a file present on both sides, when the change
    has them (a hook's staged change); None: the rule reads the file to find out.
    Only ever a reason to skip a file (see taskgate.git.patch), never to report one."""
    if fc.old is None or fc.new is None or before_path(fc) is None or after_path(fc) is None:
        return None  # a new file (or a copy) is all new: there is nothing to narrow
    if fc.old.oid == fc.new.oid:
        return NO_LINES
    # Asked only now: a change of new files alone never waits for git's patch.
    hints = change.hints
    return hints.get((fc.old.oid, fc.new.oid)) if hints is not None else None


def side_bytes(change: Change, fc: FileChange, side: str) -> bytes:
    """The file's raw content on one side (empty for absent files, symlinks, submodules),
    for first looks that need no decoding."""
    path = before_path(fc) if side == "before" else after_path(fc)
    entry = fc.old if side == "before" else fc.new
    if path is None or entry is None or entry.is_symlink or entry.is_gitlink:
        return b""
    reader = change.before if side == "before" else change.after
    return reader.read(path) or b""


class LineDelta(NamedTuple):
    """Which lines of the after side are new, and which lines of the before side went."""

    added: frozenset[int]  # 1-based line numbers on the after side
    removed: Counter[str]  # stripped text of the lines gone from the before side
    lines: tuple[tuple[int, str], ...]  # the added lines: (number, text), in order


def line_delta(change: Change, fc: FileChange) -> LineDelta:
    """Added and removed lines by multiset: a line counts as kept while the before
    side still has an unmatched copy of it (fast and order-free, unlike difflib).
    The common head and tail are set aside first, by string comparison, so only the
    region the commit touched is walked line by line."""

    def compute() -> LineDelta:
        before = side_text(change, fc, "before") or ""
        after = side_text(change, fc, "after") or ""
        if not before or not after:
            new = after.split("\n") if after else []
            gone = Counter(t for t in (line.strip() for line in before.split("\n")) if t)
            return LineDelta(frozenset(range(1, len(new) + 1)), gone, tuple(enumerate(new, 1)))
        # Whole lines of the common prefix and of the common suffix are the same on both
        # sides; only the middle is split and walked.
        start = before.rfind("\n", 0, _common_head(before, after)) + 1
        skip = before.count("\n", 0, start)
        rest_b, rest_a = before[start:], after[start:]
        same = _common_tail(rest_b, rest_a)
        cut = rest_b[len(rest_b) - same :].find("\n")  # the tail's whole lines follow it
        old = rest_b[: len(rest_b) - same + cut] if cut >= 0 else rest_b
        new_text = rest_a[: len(rest_a) - same + cut] if cut >= 0 else rest_a
        counts = Counter(old.split("\n"))
        lines = []
        for number, line in enumerate(new_text.split("\n"), start=skip + 1):
            if counts[line] > 0:
                counts[line] -= 1
            else:
                lines.append((number, line))
        removed = Counter[str]()
        for line, n in counts.items():
            if n > 0 and line.strip():
                removed[line.strip()] += n
        return LineDelta(frozenset(n for n, _ in lines), removed, tuple(lines))

    result: LineDelta = change.memo(f"delta\0{fc.old_path}\0{fc.path}", compute)
    return result


def _common_head(x: str, y: str) -> int:
    """Length of the longest common prefix, by halving (each test a C-speed comparison)."""
    lo, hi = 0, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[:mid] == y[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_tail(x: str, y: str) -> int:
    lo, hi = 0, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[len(x) - mid :] == y[len(y) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def added_text(change: Change, fc: FileChange) -> str:
    """The after side's added lines joined by newlines (all of it for a new file): where
    anything a rule reports as new must show up, so what the cheap looks are run on."""

    def compute() -> str:
        after = side_text(change, fc, "after")
        if after is None:
            return ""
        if side_text(change, fc, "before") is None:
            return after
        return "\n".join(text for _, text in line_delta(change, fc).lines)

    text: str = change.memo(f"added\0{fc.old_path}\0{fc.path}", compute)
    return text


def removed_pool(change: Change) -> Counter[str]:
    """Every line removed anywhere in the change (stripped): a line added in one file
    and removed from another moved, it is not new. A fresh copy callers may consume."""

    def compute() -> Counter[str]:
        pool = Counter[str]()
        for fc in change.files:
            if before_path(fc) is None:
                continue  # a new file (or a copy) removes no line
            pool.update(line_delta(change, fc).removed)
        return pool

    pool: Counter[str] = change.memo("removed-pool", compute)
    return pool.copy()


class Occurrence(NamedTuple):
    """One thing a rule counts (a skip marker, a suppression) at a line of one side."""

    kind: str
    line: int


def pick_new(
    before: Sequence[Occurrence], after: Sequence[Occurrence], added: frozenset[int]
) -> list[Occurrence]:
    """The occurrences of `after` that the commit adds: per kind, as many as the count
    grew by, preferring those on added lines (an existing marker is never reported)."""
    had = Counter(o.kind for o in before)
    by_kind: dict[str, list[Occurrence]] = {}
    for o in after:
        by_kind.setdefault(o.kind, []).append(o)
    out: list[Occurrence] = []
    for kind, found in by_kind.items():
        grew = len(found) - had[kind]
        if grew <= 0:
            continue
        fresh = [o for o in found if o.line in added]
        stale = [o for o in found if o.line not in added]
        out.extend((fresh + stale[::-1])[:grew])
    return sorted(out, key=lambda o: o.line)


def drop_moved(
    occurrences: Iterable[Occurrence], lines: Sequence[str], pool: Counter[str]
) -> list[Occurrence]:
    """Drop occurrences whose line was removed elsewhere in the change (moved code);
    `pool` is consumed so one removed line excuses one added line."""
    out = []
    for o in occurrences:
        text = lines[o.line - 1].strip() if 0 < o.line <= len(lines) else ""
        if text and pool[text] > 0:
            pool[text] -= 1
            continue
        out.append(o)
    return out


def line_of(text: str, needles: Sequence[str], prefer: frozenset[int]) -> int | None:
    """The first line containing a needle, preferring added lines; None when none does."""
    first: int | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if any(n and n in line for n in needles):
            if number in prefer:
                return number
            if first is None:
                first = number
    return first


def basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


# --- configuration files (read by TG602 and TG603) -------------------------

TOML_CONFIGS = frozenset({"pyproject.toml", "ruff.toml", ".ruff.toml"})
INI_CONFIGS = frozenset(
    {"setup.cfg", "tox.ini", "mypy.ini", ".mypy.ini", ".coveragerc", ".flake8", "pytest.ini",
     ".pytest.ini"}
)  # fmt: skip


class ConfigDoc(NamedTuple):
    """A parsed tool-configuration file: TOML tables, or INI sections of strings."""

    name: str  # the file's base name
    toml: dict[str, Any] | None
    ini: dict[str, dict[str, str]] | None


def parse_config(path: str, text: str | None) -> ConfigDoc | None:
    """Parse a TOML or INI tool configuration; None when absent or unreadable (a broken
    file breaks the tools themselves, which the gate reports)."""
    if text is None:
        return None
    name = basename(path)
    if name in TOML_CONFIGS:
        import tomllib

        try:
            return ConfigDoc(name, tomllib.loads(text), None)
        except tomllib.TOMLDecodeError:
            return None
    if name in INI_CONFIGS:
        import configparser

        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            return None
        return ConfigDoc(name, None, {s: dict(parser[s]) for s in parser.sections()})
    return None


def config_doc(change: Change, fc: FileChange, side: str) -> ConfigDoc | None:
    path = before_path(fc) if side == "before" else after_path(fc)
    if path is None:
        return None

    def load() -> ConfigDoc | None:
        return parse_config(path, side_text(change, fc, side))

    doc: ConfigDoc | None = change.memo(f"config\0{side}\0{path}", load)
    return doc


def table(data: Any, *keys: str) -> dict[str, Any]:
    """`data[k1][k2]...` when every step is a table, else an empty table."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def str_items(value: Any) -> list[str]:
    """A TOML list of strings, or an INI value split on commas and new lines."""
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,\n]", value) if v.strip()]
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def ini_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("1", "yes", "true", "on"):
            return True
        if word in ("0", "no", "false", "off"):
            return False
    return None


# --- TG603: suppression comments --------------------------------------------

# File-level switches first, so a file-wide ruff switch is not also counted as a line one.
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


# --- TG603: loosened tool configuration -------------------------------------

# mypy options where true is the strict setting, and where true is the loose one.
_MYPY_STRICT = frozenset(
    {"strict", "disallow_untyped_defs", "disallow_incomplete_defs", "disallow_untyped_calls",
     "disallow_untyped_decorators", "disallow_any_generics", "disallow_subclassing_any",
     "check_untyped_defs", "warn_return_any", "warn_unused_ignores", "warn_redundant_casts",
     "no_implicit_reexport", "strict_equality", "strict_optional", "no_implicit_optional",
     "warn_unreachable", "extra_checks"}
)  # fmt: skip
_MYPY_DEFAULT_TRUE = frozenset({"strict_optional", "no_implicit_optional"})
# What `strict = true` turns on: listing one of these next to it changes nothing.
_MYPY_BY_STRICT = frozenset(
    {"disallow_any_generics", "disallow_subclassing_any", "disallow_untyped_calls",
     "disallow_untyped_defs", "disallow_incomplete_defs", "check_untyped_defs",
     "disallow_untyped_decorators", "warn_redundant_casts", "warn_unused_ignores",
     "warn_return_any", "no_implicit_reexport", "strict_equality", "extra_checks",
     "warn_unused_configs"}
)  # fmt: skip
_MYPY_LOOSE = frozenset(
    {"ignore_errors", "ignore_missing_imports", "allow_untyped_globals", "allow_redefinition",
     "implicit_reexport", "implicit_optional", "allow_untyped_defs"}
)  # fmt: skip


class ToolSettings(NamedTuple):
    """The settings of one configuration file that decide how strict the tools are."""

    grows_looser: dict[str, frozenset[str]]  # more entries is looser (ignores, excludes)
    shrinks_looser: dict[str, frozenset[str]]  # fewer entries is looser (ruff select)
    flags: dict[str, bool]  # mypy's global options
    fail_under: float | None  # coverage


def tool_settings(doc: ConfigDoc | None) -> ToolSettings:
    grows: dict[str, set[str]] = {}
    shrinks: dict[str, set[str]] = {}
    flags: dict[str, bool] = {}
    fail_under: float | None = None
    if doc is None:
        return ToolSettings({}, {}, {}, None)

    def more(key: str, items: Iterable[str]) -> None:
        grows.setdefault(key, set()).update(items)

    if doc.toml is not None:
        ruff = doc.toml if doc.name != "pyproject.toml" else table(doc.toml, "tool", "ruff")
        for t in (ruff, table(ruff, "lint")):
            more("ruff ignore", str_items(t.get("ignore")) + str_items(t.get("extend-ignore")))
            for key in ("per-file-ignores", "extend-per-file-ignores"):
                for glob, codes in table(t, key).items():
                    more("ruff per-file-ignores", (f"{glob}: {c}" for c in str_items(codes)))
            more("ruff exclude", str_items(t.get("exclude")) + str_items(t.get("extend-exclude")))
            selected = str_items(t.get("select")) + str_items(t.get("extend-select"))
            shrinks.setdefault("ruff select", set()).update(selected)
        mypy = table(doc.toml, "tool", "mypy")
        for key, value in mypy.items():
            if isinstance(value, bool):
                flags[key.replace("-", "_")] = value
        more("mypy disable_error_code", str_items(mypy.get("disable_error_code")))
        overrides = mypy.get("overrides")
        for entry in overrides if isinstance(overrides, list) else []:
            if isinstance(entry, dict):
                more("mypy overrides", _override_entries(entry, str_items(entry.get("module"))))
        coverage = table(doc.toml, "tool", "coverage")
        fail_under = _number(table(coverage, "report").get("fail_under"))
        more("coverage omit", str_items(table(coverage, "run").get("omit")))
        more("coverage omit", str_items(table(coverage, "report").get("omit")))
        for key in ("exclude_lines", "exclude_also"):
            more("coverage exclude", str_items(table(coverage, "report").get(key)))
    if doc.ini is not None:
        for section, values in doc.ini.items():
            if section == "mypy":
                for key, value in values.items():
                    flag = ini_bool(value)
                    if flag is not None:
                        flags[key.replace("-", "_")] = flag
                more("mypy disable_error_code", str_items(values.get("disable_error_code")))
            elif section.startswith("mypy-"):
                more("mypy overrides", _override_entries(values, [section[5:]]))
            elif section in ("flake8", "pycodestyle"):
                for key in ("ignore", "extend-ignore", "extend_ignore"):
                    more("flake8 ignore", str_items(values.get(key)))
                for key in ("per-file-ignores", "per_file_ignores"):
                    more("flake8 per-file-ignores", _flake8_per_file(values.get(key)))
                for key in ("exclude", "extend-exclude"):
                    more("flake8 exclude", str_items(values.get(key)))
            elif section in ("coverage:report", "coverage:run") or (
                doc.name == ".coveragerc" and section in ("report", "run")
            ):
                if section.endswith("report"):
                    value = _number(values.get("fail_under"))
                    fail_under = value if value is not None else fail_under
                    for key in ("exclude_lines", "exclude_also"):
                        more("coverage exclude", str_items(values.get(key)))
                more("coverage omit", str_items(values.get("omit")))
    return ToolSettings(
        {k: frozenset(v) for k, v in grows.items() if v},
        {k: frozenset(v) for k, v in shrinks.items() if v},
        flags,
        fail_under,
    )


def _flake8_per_file(value: Any) -> list[str]:
    """flake8's `glob:CODE,CODE glob:CODE` lines as "glob: CODE" entries."""
    if not isinstance(value, str):
        return []
    out: list[str] = []
    for m in re.finditer(r"([^\s,:]+)\s*:\s*([A-Z][A-Z0-9]*(?:\s*,\s*[A-Z][A-Z0-9]*)*)", value):
        out.extend(f"{m.group(1)}: {code.strip()}" for code in m.group(2).split(","))
    return out


def _override_entries(entry: dict[str, Any], modules: list[str]) -> list[str]:
    out: list[str] = []
    for key, value in entry.items():
        flag = key.replace("-", "_")
        on = ini_bool(value)
        if (flag in _MYPY_LOOSE and on) or (flag in _MYPY_STRICT and on is False):
            out.extend(f"{m}: {flag} = {str(on).lower()}" for m in modules)
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


class Loosening(NamedTuple):
    what: str
    needles: tuple[str, ...]  # text to find the line by


def loosenings(before: ToolSettings, after: ToolSettings) -> list[Loosening]:
    """What `after` allows that `before` did not."""
    out: list[Loosening] = []
    for key, items in after.grows_looser.items():
        old = before.grows_looser.get(key, frozenset())
        new = sorted(items - old)
        if key.endswith("per-file-ignores"):
            # A glob renamed with its codes (the files moved) ignores nothing more.
            grew = Counter(_last_word(i) for i in items)
            grew.subtract(_last_word(i) for i in old)
            new = [i for i in new if grew[_last_word(i)] > 0]
        if new:
            shown = ", ".join(new[:6]) + (", …" if len(new) > 6 else "")
            out.append(Loosening(f"{key}: {len(new)} added ({shown})", tuple(_needles(new))))
    for key, items in before.shrinks_looser.items():
        kept = after.shrinks_looser.get(key, frozenset())
        gone = sorted(items - kept)
        if gone and "ALL" not in kept:
            shown = ", ".join(gone[:6]) + (", …" if len(gone) > 6 else "")
            out.append(Loosening(f"{key}: {len(gone)} removed ({shown})", ("select",)))
    strict_now = after.flags.get("strict") is True
    for flag in sorted(_MYPY_STRICT):
        was, now = before.flags.get(flag), after.flags.get(flag)
        # Dropping a line that restates a default, or what strict already turns on, is no change.
        implied = flag in _MYPY_DEFAULT_TRUE or (strict_now and flag in _MYPY_BY_STRICT)
        dropped = was is True and (now is False or (now is None and not implied))
        turned_off = now is False and was is None and (flag in _MYPY_DEFAULT_TRUE or strict_now)
        if dropped or turned_off:
            state = "removed" if now is None else "false"
            out.append(Loosening(f"mypy {flag} = {state} (was {str(was).lower()})", (flag,)))
    for flag in sorted(_MYPY_LOOSE):
        if after.flags.get(flag) is True and before.flags.get(flag) is not True:
            out.append(Loosening(f"mypy {flag} = true", (flag,)))
    if before.fail_under is not None and (
        after.fail_under is None or after.fail_under < before.fail_under
    ):
        now_text = "removed" if after.fail_under is None else f"{after.fail_under:g}"
        out.append(
            Loosening(f"coverage fail_under {before.fail_under:g} → {now_text}", ("fail_under",))
        )
    return out


def _last_word(item: str) -> str:
    """ "glob: CODE" → CODE, "module: flag = true" → flag, anything else itself."""
    return item.split(": ")[-1].split(" = ")[0] if ": " in item else item


def _needles(items: Iterable[str]) -> Iterator[str]:
    return (_last_word(item) for item in items)


def _config_findings(change: Change) -> Iterator[Finding]:
    configs = [
        fc
        for fc in change.files
        if basename(after_path(fc) or before_path(fc) or "") in TOML_CONFIGS | INI_CONFIGS
    ]
    prefetch(change, configs, "before")
    for fc in configs:
        path = after_path(fc) or before_path(fc)
        if path is None or basename(path) not in TOML_CONFIGS | INI_CONFIGS:
            continue
        after_doc = config_doc(change, fc, "after")
        if after_doc is None and after_path(fc) is not None:
            continue  # unreadable now: the tools themselves fail on it
        found = loosenings(
            tool_settings(config_doc(change, fc, "before")), tool_settings(after_doc)
        )
        if not found:
            continue
        after = side_text(change, fc, "after") or ""
        added = line_delta(change, fc).added
        for item in found:
            yield Finding(
                "TG603",
                f"loosens tool configuration: {item.what}",
                path=path,
                line=line_of(after, item.needles, added) if after else None,
                hint="keep the tools as strict as the lead set them; fix the code instead",
            )


# --- registration -----------------------------------------------------------


@check("TG601", stage="msg", needs_actor=True)
def deleted_tests(change: Change, policy: Policy) -> Iterable[Finding]:
    """Test files removed, or test functions present before and gone after."""
    if not coder_commit(change):
        return []
    from taskgate.rules.integrity_tests import deleted_test_findings

    return list(deleted_test_findings(change))


@check("TG602", stage="msg", needs_actor=True)
def skipped_tests(change: Change, policy: Policy) -> Iterable[Finding]:
    """Added skip/xfail markers, skip calls and test-selection filters."""
    if not coder_commit(change):
        return []
    from taskgate.rules.integrity_tests import skip_findings

    return list(skip_findings(change))


@check("TG603", stage="msg", needs_actor=True)
def suppressions_added(change: Change, policy: Policy) -> Iterable[Finding]:
    """Added suppression comments, loosened ruff/mypy/coverage/flake8 configuration."""
    if not coder_commit(change):
        return []
    from taskgate.rules.toolconfig import config_ownership_findings, no_type_check_findings

    loose = list(_config_findings(change))
    # A loosening names what changed; any other change to a module's tool configuration
    # is still the lead's to make (taskgate.rules.toolconfig).
    said = {f.path for f in loose}
    owned = [f for f in config_ownership_findings(change) if f.path not in said]
    return [*_suppression_findings(change), *no_type_check_findings(change), *loose, *owned]


@check("TG604", stage="pre")
def secrets_added(change: Change, policy: Policy) -> Iterable[Finding]:
    """Secrets in added lines of any text file (everyone)."""
    from taskgate.rules.secrets import secret_findings

    return list(secret_findings(change, policy))


@check("TG605", stage="pre")
def junk_added(change: Change, policy: Policy) -> Iterable[Finding]:
    """Virtual environments, caches, .env files, litter and oversized files (everyone)."""
    from taskgate.rules.junk import junk_findings

    return list(junk_findings(change, policy))
