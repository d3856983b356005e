"""Commit messages: git's clean-up, then the Conventional Commits header, by hand.

Pure functions over text. The parser is hand-written so that every error can
point at a column and say what was expected there, never show a regex.

The clean-up follows git (builtin/commit.c, strbuf_stripspace, wt_status_locate_end):

- `strip` drops comment lines; `whitespace` and `scissors` keep them (scissors only
  cuts); `verbatim` changes nothing;
- every mode cuts at the scissors line, as git does whenever `git commit -v` put one
  there (a hand-typed scissors line without `-v` is the one case where git keeps it);
- lines end at `\\n` only; trailing space, tab and CR are stripped (git's isspace),
  form feed and U+2028 are ordinary characters.
"""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

from collections.abc import Collection
from typing import NamedTuple

SCISSORS = "------------------------ >8 ------------------------"
# The candidates git tries, in order, for core.commentChar=auto.
AUTO_COMMENT_CANDIDATES = "#;@!$%^&|:"
# git's isspace(): space, tab, LF, CR only; form feed and U+2028 are ordinary characters.
GIT_SPACE = " \t\n\r"
CLEANUP_MODES = ("strip", "whitespace", "verbatim", "scissors", "default")
FIXUP_PREFIXES = ("fixup! ", "squash! ", "amend! ")
BOM = b"\xef\xbb\xbf"


class RawMessage(NamedTuple):
    text: str
    undecodable: bool  # bytes that were not UTF-8 were replaced


def decode(raw: bytes) -> RawMessage:
    """Bytes of a message file → text, BOM stripped, invalid UTF-8 replaced."""
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    try:
        return RawMessage(raw.decode("utf-8"), False)
    except UnicodeDecodeError:
        return RawMessage(raw.decode("utf-8", "replace"), True)


def _line_starts(text: str) -> set[str]:
    """First characters of lines, and characters after a CR, as git's auto choice sees them."""
    starts = {text[:1]} if text else set()
    for sep in ("\n", "\r"):
        pos = text.find(sep)
        while pos >= 0:
            if pos + 1 < len(text):
                starts.add(text[pos + 1])
            pos = text.find(sep, pos + 1)
    return starts


def auto_comment_char(text: str) -> str:
    """The comment character git chose for core.commentChar=auto, read back from the file.

    git picks the first candidate that starts no line of the message so far, then
    writes its help text and the scissors line with it. Reading the file back, the
    scissors line or the help text ("with 'X' will be ignored") names it; failing
    that, the candidate that starts the closing comment block; failing that, the
    first candidate that starts no line (the help text was deleted: nothing to strip).
    """
    lines = text.split("\n")
    for line in lines:
        if line[:1] and line[:1] in AUTO_COMMENT_CANDIDATES and line[1:] == f" {SCISSORS}":
            return line[0]
    for line in lines:
        ch = line[:1]
        if ch and ch in AUTO_COMMENT_CANDIDATES and f"'{ch}'" in line[1:]:
            return ch
    starts = _line_starts(text)
    prefix = ""
    for cand in AUTO_COMMENT_CANDIDATES:
        if cand not in starts:
            break
        prefix += cand
    if len(prefix) == len(AUTO_COMMENT_CANDIDATES):
        return prefix[-1]  # git would have refused to commit; any choice will do
    last = next((line for line in reversed(lines) if line.strip(GIT_SPACE)), "")
    if last[:1] and last[:1] in prefix:
        return last[0]
    return AUTO_COMMENT_CANDIDATES[len(prefix)]


def cut_at_scissors(text: str, comment: str | None) -> str:
    """Everything before git's scissors line (which must end with a newline, as in git)."""
    if not comment:
        return text
    pattern = f"{comment} {SCISSORS}\n"
    if text.startswith(pattern):
        return ""
    pos = text.find("\n" + pattern)
    return text if pos < 0 else text[: pos + 1]


def stripspace(text: str, comment: str | None) -> str:
    """git's strbuf_stripspace: trailing white space off, blank runs collapsed, comments out."""
    out: list[str] = []
    blank = False
    for line in text.split("\n"):
        if comment and line.startswith(comment):
            continue  # a comment line is dropped without counting as blank
        line = line.rstrip(GIT_SPACE)
        if not line:
            blank = True
            continue
        if blank and out:
            out.append("")
        blank = False
        out.append(line)
    return "\n".join(out)


def clean(text: str, comment: str | None, mode: str) -> str:
    """Apply git's commit clean-up (`strip`, `scissors`, `whitespace`, `verbatim`).

    The result has no trailing newline. `comment` is the resolved comment character
    (or string); `default` must be resolved by the caller (strip with an editor,
    whitespace without).
    """
    text = cut_at_scissors(text, comment)
    if mode == "verbatim":
        # git keeps CRs verbatim; for checking, a CRLF line ending is still a line ending.
        return text.replace("\r\n", "\n").rstrip("\n")
    return stripspace(text, comment if mode == "strip" else None)


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
        """`Key: value` lines of the last paragraph (git's trailer block), header excluded."""
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
    def actor_header(self) -> str:
        """The header that names the actor: a fixup!/squash!/amend! names the one it fixes."""
        header = self.header
        while header.startswith(FIXUP_PREFIXES):
            header = header.split(" ", 1)[1]
        return header

    @property
    def is_git_revert(self) -> bool:
        """git's own `Revert "<subject>"` (or `Reapply "…"`) with its `This reverts commit <id>`."""
        header = self.header
        if not (header.startswith(('Revert "', 'Reapply "')) and header.endswith('"')):
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

    `comment` is core.commentChar ("auto" is resolved from the text); `mode` the
    effective cleanup mode (the caller resolves `default`).
    """
    decoded = decode(raw)
    text = decoded.text
    if decoded.undecodable:
        # Judge the bytes git keeps: a `commit -v` diff of a Latin-1 file below the
        # scissors line is cut by git and must not earn a warning.
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape")
    if comment == "auto":
        comment = auto_comment_char(text)
    cleaned = clean(text, comment, mode)
    if not decoded.undecodable:
        return CommitMessage(cleaned, False)
    kept = cleaned.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return CommitMessage(kept, kept != cleaned)


# --- the header ----------------------------------------------------------

_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SCOPE_CHARS = _LETTERS | frozenset("0123456789_-.")
# Characters that separate several scopes in the wild (commitlint splits on them too).
_SCOPE_SEPARATORS = frozenset(", /\\|+&;")


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
    """Why a header is not `type(scope)!: description`: a reason and its 0-based column.

    The column is always within `0..len(header)`; `len(header)` means "at the end".
    """

    reason: str
    column: int


def _skip_blanks(header: str, i: int) -> int:
    while i < len(header) and header[i] in " \t":
        i += 1
    return i


def parse_header(
    header: str, types: Collection[str] = (), *, free_scope: bool = False
) -> Header | HeaderProblem:
    """Parse one header line by hand so that each problem has a column.

    `types` (lower case) only sharpens the messages: a known type followed by
    something else is reported where the something else starts. `free_scope`: there
    is no module map, so a scope is free text (`api/v2`, `api,core`), not a module.
    """
    n = len(header)
    if not header.strip(GIT_SPACE):
        return HeaderProblem("the header is empty", 0)
    if header[0] in " \t":
        return HeaderProblem("the header starts with white space", 0)
    i = 0
    while i < n and header[i] in _LETTERS:
        i += 1
    type_ = header[:i]
    no_type = HeaderProblem("no type: the header must start with a type such as 'feat'", 0)
    if not type_:
        return no_type
    known = type_.lower() in types
    if i == n:
        if known:
            return HeaderProblem("expected '(scope): description' after the type", i)
        return no_type
    ch = header[i]
    if ch in " \t":
        after = _skip_blanks(header, i)
        if after < n and header[after] == "(":
            return HeaderProblem("no space is allowed between the type and '('", i)
        if after < n and header[after] in ":!":
            return HeaderProblem(f"no space is allowed before the '{header[after]}'", i)
        if known:
            return HeaderProblem("expected '(scope): ' right after the type", i)
        return no_type
    if ch not in "(!:":
        if ch in "0123456789_-/." and ":" in header[i:]:
            return HeaderProblem("the type may only contain letters", i)
        if known:
            return HeaderProblem("expected '(scope): ' right after the type", i)
        return no_type
    if ch == "!" and i + 1 < n and header[i + 1] == "(":
        return HeaderProblem("'!' must come after the scope: 'type(scope)!: description'", i)
    scope: str | None = None
    scope_col = i
    if ch == "(":
        close = header.find(")", i + 1)
        opening = header.find("(", i + 1)
        if close < 0:
            return HeaderProblem("the scope is not closed with ')'", n)
        if 0 <= opening < close:
            return HeaderProblem("the scope may not contain '('", opening)
        scope = header[i + 1 : close]
        scope_col = i + 1
        if not scope.strip(" \t"):
            return HeaderProblem("empty scope '()': name the module, or drop the parentheses", i)
        for j, sch in enumerate(scope):
            if free_scope:
                if sch < " " or sch == "\x7f":
                    return HeaderProblem(f"the scope may not contain {sch!r}", scope_col + j)
                continue
            if sch in _SCOPE_SEPARATORS:
                return HeaderProblem(
                    "one scope per commit: a commit belongs to one module", scope_col + j
                )
            if sch not in _SCOPE_CHARS:
                return HeaderProblem(f"the scope may not contain {sch!r}", scope_col + j)
        i = close + 1
    breaking = False
    if i < n and header[i] == "!":
        breaking = True
        i += 1
    if i < n and header[i] in " \t":
        after = _skip_blanks(header, i)
        if after < n and header[after] == ":":
            return HeaderProblem("no space is allowed before the ':'", i)
        return HeaderProblem("expected ':' right after the scope", i)
    if i >= n or header[i] != ":":
        if i < n and header[i] == "(":
            return HeaderProblem("only one scope in parentheses is allowed", i)
        return HeaderProblem("expected ':' after the type and scope", i)
    colon = i
    i += 1
    if i >= n:
        return HeaderProblem("the description after ':' is empty", n)
    if header[i] != " ":
        return HeaderProblem("expected a space after the ':'", i)
    spaces = 0
    while i < n and header[i] == " ":
        i += 1
        spaces += 1
    description = header[i:]
    if not description.strip(GIT_SPACE):
        return HeaderProblem("the description after ':' is empty", min(colon + 2, n))
    return Header(type_, scope, breaking, description, scope_col, i, spaces > 1)


def caret(header: str, column: int) -> tuple[str, ...]:
    """The header and a caret line under `column` (tabs kept so the caret lines up)."""
    pad = "".join("\t" if ch == "\t" else " " for ch in header[:column])
    return (header, pad + "^")
