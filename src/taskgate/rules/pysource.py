"""Python source as the tokenizer sees its lines, without tokenizing it: where the
strings that can span lines are, which line breaks a backslash continues, and how
many brackets a stretch of code leaves open (see taskgate.rules.signatures)."""

from __future__ import annotations

import re

_QUOTE_OR_HASH = re.compile(r"['\"#]")
# Each string's body as runs of plain characters between escapes (`[^q\\\n]*(?:\\.…)*`):
# the same language as `(?:[^q\\\n]|\\.)*`, matched a run at a time, not a character.
_SHORT = {
    "'": re.compile(r"[^'\\\n]*(?:\\.[^'\\\n]*)*'", re.S),
    '"': re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*"', re.S),
}
_SHORT_OR_COMMENT = re.compile(
    r"""'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|#[^\n]*"""
)
_FORMFEED = re.compile(r"(?m)^[ \t\f]*\f")
_HEADER_TOKEN = re.compile(r"[()\[\]{}#'\":]")


def normalised(text: str) -> str:
    """Line breaks as `\\n`, indentation in columns as the tokenizer counts them."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        text = _FORMFEED.sub("", text)  # a form feed resets the indentation column
    if "\t" in text:
        text = text.expandtabs(8)
    return text


def short_end(text: str, at: int) -> int:
    """End of the short string whose quote is at `at`, or -1 when the line ends first."""
    match = _SHORT[text[at]].match(text, at + 1)
    return match.end() if match else -1


def triple_end(text: str, at: int) -> int:
    """End of the triple-quoted string opening at `at` (the text's end if unclosed)."""
    delim = text[at : at + 3]
    i = at + 3
    while True:
        k = text.find(delim, i)
        if k < 0:
            return len(text)
        j = k
        while text[j - 1] == "\\":
            j -= 1
        if (k - j) % 2 == 0:
            return k + 3
        i = k + 1


def string_end(text: str, at: int) -> int:
    """End of the string literal whose first quote is at `at` (-1: unterminated)."""
    if text.startswith(text[at] * 3, at):
        return triple_end(text, at)
    return short_end(text, at)


def strings(text: str) -> tuple[list[int], list[int], set[int]]:
    """Spans of the strings that may hold a line break (every triple-quoted one, and
    short ones continued by a backslash), and the line breaks a backslash continues."""
    starts: list[int] = []
    ends: list[int] = []
    continued: set[int] = set()
    none = len(text) + 1
    pos = 0
    singles = doubles = slashes = -1
    while True:
        if singles < pos:
            singles = text.find("'''", pos) % none
        if doubles < pos:
            doubles = text.find('"""', pos) % none
        if slashes < pos:
            slashes = text.find("\\\n", pos) % none
        at = min(singles, doubles, slashes)
        if at >= len(text):
            return starts, ends, continued
        # What `at` is in: lex the line in front of it (from the last string's end).
        i = max(text.rfind("\n", 0, at) + 1, pos)
        while (m := _QUOTE_OR_HASH.search(text, i, at)) is not None:
            p = m.start()
            if text[p] == "#":
                end = text.find("\n", at)
                pos = end if end >= 0 else len(text)
                break
            end = short_end(text, p)  # no triple quote starts before `at`
            if end < 0:  # unterminated: not valid code, skip the line
                end = text.find("\n", at)
                pos = end if end >= 0 else len(text)
                break
            if end > at:  # inside a short string
                if text.find("\n", p, end) >= 0:
                    starts.append(p)
                    ends.append(end)
                pos = end
                break
            i = end
        else:
            if at == slashes:
                continued.add(at + 1)
                pos = at + 2
            else:
                end = triple_end(text, at)
                starts.append(at)
                ends.append(end)
                pos = end


def bracket_balance(code: str) -> int:
    if "'" in code or '"' in code or "#" in code:
        code = _SHORT_OR_COMMENT.sub("", code)
    return (
        code.count("(")
        + code.count("[")
        + code.count("{")
        - code.count(")")
        - code.count("]")
        - code.count("}")
    )


def colon_after(text: str, at: int) -> int | None:
    """Where the `:` ending a statement's header is, from `at` (at bracket depth 0):
    brackets, strings and comments skipped; None if the text ends first."""
    depth = 0
    while (m := _HEADER_TOKEN.search(text, at)) is not None:
        p = m.start()
        ch = text[p]
        if ch == ":" and depth == 0:
            return p + 1
        if ch == "#":
            at = text.find("\n", p)
            if at < 0:
                return None
            continue
        if ch in "'\"":
            at = string_end(text, p)
            if at < 0:
                return None
            continue
        depth += 1 if ch in "([{" else -1 if ch in ")]}" else 0
        at = p + 1
    return None
