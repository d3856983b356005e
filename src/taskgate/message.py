"""Commit messages: git's clean-up, then the Conventional Commits header, by hand.

Pure functions over text. The parser is hand-written so that every error can
point at a column and say what was expected there, never show a regex.
"""

from __future__ import annotations

from typing import NamedTuple

SCISSORS = "------------------------ >8 ------------------------"
# The candidates git tries, in order, for core.commentChar=auto.
AUTO_COMMENT_CANDIDATES = "#;@!$%^&|:"
# git's isspace(): space, tab, LF, CR only; form feed and U+2028 are ordinary characters.
GIT_SPACE = " \t\n\r"
CLEANUP_MODES = ("strip", "whitespace", "verbatim", "scissors", "default")
FIXUP_PREFIXES = ("fixup! ", "squash! ", "amend! ")


class RawMessage(NamedTuple):
    text: str
    undecodable: bool  # bytes that were not UTF-8 were replaced


def decode(raw: bytes) -> RawMessage:
    """Bytes of a message file → text, BOM stripped, invalid UTF-8 replaced."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return RawMessage(raw.decode("utf-8"), False)
    except UnicodeDecodeError:
        return RawMessage(raw.decode("utf-8", "replace"), True)


def auto_comment_char(text: str) -> str | None:
    """The comment character git chose for core.commentChar=auto, read back from the file.

    git picks the first candidate that starts no line of the message, then writes its
    help text with it. So the candidates that start lines form a prefix of the list;
    the comment character is the last of that prefix (or the one on a scissors line).
    """
    lines = text.split("\n")
    for cand in AUTO_COMMENT_CANDIDATES:
        if f"{cand} {SCISSORS}" in (line.rstrip("\r") for line in lines):
            return cand
    starts = {line[:1] for line in lines if line}
    chosen: str | None = None
    for cand in AUTO_COMMENT_CANDIDATES:
        if cand not in starts:
            break
        chosen = cand
    return chosen


def clean(text: str, comment: str | None, mode: str) -> str:
    """Apply git's commit clean-up (`strip`, `scissors`, `whitespace`, `verbatim`)."""
    if mode == "verbatim":
        return text
    lines = text.split("\n")
    strip_comments = mode in ("strip", "scissors") and bool(comment)
    if strip_comments:
        cut = f"{comment} {SCISSORS}"
        for i, line in enumerate(lines):
            if line.rstrip("\r") == cut:
                lines = lines[:i]
                break
    out: list[str] = []
    for line in lines:
        if strip_comments and comment and line.startswith(comment):
            continue
        line = line.rstrip(GIT_SPACE)
        if not line and (not out or not out[-1]):
            continue  # collapse runs of blank lines, drop leading ones
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


class Trailer(NamedTuple):
    key: str
    value: str
    line: int  # 1-based line in the cleaned message


class CommitMessage(NamedTuple):
    """A cleaned message: header, body lines, trailers."""

    text: str
    undecodable: bool = False

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def header(self) -> str:
        return self.lines[0] if self.text else ""

    @property
    def is_empty(self) -> bool:
        return not self.text.strip(GIT_SPACE)

    def trailers(self) -> list[Trailer]:
        """`Key: value` lines of the last paragraph (git's trailer block)."""
        lines = self.lines
        if len(lines) < 3:
            return []
        start = len(lines)
        while start > 1 and lines[start - 1]:
            start -= 1
        if start <= 1:
            return []
        out = []
        for i in range(start, len(lines)):
            key, sep, value = lines[i].partition(":")
            if sep and key and " " not in key.strip() and value.strip():
                out.append(Trailer(key.strip(), value.strip(), i + 1))
        return out

    @property
    def is_fixup(self) -> bool:
        return self.header.startswith(FIXUP_PREFIXES)

    @property
    def is_git_revert(self) -> bool:
        """git's own `Revert "<subject>"` message with its `This reverts commit <id>.` line."""
        header = self.header
        if not (header.startswith('Revert "') and header.endswith('"')):
            return False
        return any(
            line.startswith("This reverts commit ") and _hex_prefix(line[20:]) >= 7
            for line in self.lines[1:]
        )


def _hex_prefix(s: str) -> int:
    n = 0
    for ch in s:
        if ch in "0123456789abcdef":
            n += 1
        else:
            break
    return n


def message_from_bytes(raw: bytes, comment: str | None, mode: str) -> CommitMessage:
    """Decode and clean a message file the way git will store it.

    `comment` is core.commentChar ("auto" resolved from the text); `mode` the
    effective cleanup mode (caller resolves `default`).
    """
    decoded = decode(raw)
    text = decoded.text
    if comment == "auto":
        comment = auto_comment_char(text)
    return CommitMessage(clean(text, comment, mode), decoded.undecodable)


# --- the header ----------------------------------------------------------

_TYPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SCOPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


class Header(NamedTuple):
    """A well-formed header `type(scope)!: description`, with the columns of its parts."""

    type: str
    scope: str | None
    breaking: bool
    description: str
    scope_column: int  # 0-based column of the scope's first character (or of the colon)
    description_column: int
    double_space: bool = False


class HeaderProblem(NamedTuple):
    """Why a header is not `type(scope)!: description`: a reason and its 0-based column."""

    reason: str
    column: int


def parse_header(header: str) -> Header | HeaderProblem:
    """Parse one header line by hand so that each problem has a column."""
    if not header:
        return HeaderProblem("the header is empty", 0)
    if header[0] in " \t":
        return HeaderProblem("the header starts with white space", 0)
    i = 0
    n = len(header)
    while i < n and header[i] in _TYPE_CHARS:
        i += 1
    type_ = header[:i]
    if not type_:
        return HeaderProblem("no type: the header must start with a type such as 'feat'", 0)
    no_type = HeaderProblem("no type: the header must look like 'type(scope): description'", 0)
    if i == n:
        return no_type
    if header[i] not in "(!: ":
        if header[i] in "0123456789_-/." and ":" in header[i:]:
            return HeaderProblem("the type may only contain letters", i)
        return no_type
    if header[i] == " " and header[i:].lstrip(" ")[:1] != ":":
        return no_type
    scope: str | None = None
    scope_col = i
    breaking = False
    if header[i] == "!" and i + 1 < n and header[i + 1] == "(":
        return HeaderProblem("'!' must come after the scope: 'type(scope)!: description'", i)
    if header[i] == "(":
        close = header.find(")", i + 1)
        if close < 0:
            return HeaderProblem("the scope is not closed with ')'", n)
        scope = header[i + 1 : close]
        scope_col = i + 1
        if not scope.strip():
            return HeaderProblem("empty scope '()': name the module, or drop the parentheses", i)
        for j, ch in enumerate(scope):
            if ch in ", /":
                return HeaderProblem(
                    "one scope per commit: a commit belongs to one module", scope_col + j
                )
            if ch not in _SCOPE_CHARS:
                return HeaderProblem(f"the scope may not contain {ch!r}", scope_col + j)
        i = close + 1
    if i < n and header[i] == "!":
        breaking = True
        i += 1
    if i < n and header[i] in " \t":
        return HeaderProblem("no space is allowed before the ':'", i)
    if i >= n or header[i] != ":":
        return HeaderProblem("expected ':' after the type and scope", i)
    colon = i
    i += 1
    if i >= n:
        return HeaderProblem("the description after ':' is empty", colon + 1)
    if header[i] != " ":
        return HeaderProblem("expected a space after the ':'", i)
    spaces = 0
    while i < n and header[i] == " ":
        i += 1
        spaces += 1
    description = header[i:]
    if not description.strip():
        return HeaderProblem("the description after ':' is empty", colon + 2)
    return Header(type_, scope, breaking, description, scope_col, i, spaces > 1)


def caret(header: str, column: int) -> tuple[str, ...]:
    """The header and a caret line under `column` (tabs kept so the caret lines up)."""
    pad = "".join("\t" if ch == "\t" else " " for ch in header[:column])
    return (header, pad + "^")
