"""TG404's reader: unannotated function signatures, found without parsing whole files.

`ast.parse` costs about 2 ms for 15 KB of code, far over the pre-commit budget on a
change of a hundred files. This reader finds the same functions from the text:

1. the strings that can hold a line break (triple-quoted ones, and short ones
   continued by a backslash) are located by jumping from one triple quote or
   backslash-newline to the next, lexing only the line in front of each;
2. `def` and `class` are hard keywords: outside those strings, one first on its
   line opens a function or a class (in valid code nothing else can);
3. the function's place (directly in a class body or not) comes from indentation:
   a block closes at the next logical line indented no deeper than its header.
   Lines that indentation alone would call a dedent are checked to be logical
   lines (not inside brackets, after a backslash, or in a string);
4. a signature on one line, without brackets, quotes or a lambda in its
   parameters, is judged by text; others are tokenised from their `(` (strings
   blanked, comments dropped), and the rare one still ambiguous is given to
   `ast.parse` alone.

The findings are the ones the whole-file `ast` walk gives, in source order, for
every file that parses. A file that does not parse is judged signature by
signature (the whole-file walk judged none of it); a file with a NUL is not
judged, as Python refuses it. A byte-order mark is dropped, as Python drops it (and
`taskgate.reading` decodes a Python file as its coding declaration says).
"""

# No `from __future__ import annotations`: NamedTuple would compile each string
# annotation at import (milliseconds on the hook's path; see taskgate.finding).

import re
from bisect import bisect_right
from collections.abc import Collection
from typing import NamedTuple

from taskgate.rules.parameters import (
    is_staticmethod,
    judge_with_ast,
    missing_names,
    nfkc,
    plain_missing,
)
from taskgate.rules.pysource import (
    bracket_balance,
    colon_after,
    normalised,
    string_end,
    strings,
)


class Unannotated(NamedTuple):
    """A function whose signature misses annotations."""

    line: int  # where ast puts it: the `def` line, or the `async` one before it
    name: str
    missing: tuple[str, ...]  # parameters ("*args", "**kw" for those) then "return"


# One signature on one line whose parameters hold no bracket, string, comment or
# continuation: the first `)` closes them, and `->` or `:` follows.
_SIMPLE = re.compile(r"def[ \f]+([^\W\d]\w*)[ \f]*\(([^()\[\]{}'\"#\\\n]*)\)[ \f]*(->|:)")
_NAME = re.compile(r"def(?:[ \f]|\\\n)+([^\W\d]\w*)(?:[ \f]|\\\n)*\(")
_AFTER = re.compile(r"(?:[ \f]|\\\n)*(->|:)")
_ASYNC = re.compile(r"async(?:[ \f]|\\\n)+def[ \f\\]")
_INDENT = re.compile(r"[ \f]*")
_CODE_TOKEN = re.compile(r"[()\[\]{},#'\"\\]")
_DEDENT: dict[int, re.Pattern[str]] = {}
_AST_BUDGET = 500  # signatures a file may have parsed by ast


def unannotated(text: str, lines: Collection[int] | None = None) -> list[Unannotated]:
    """Every function of `text` with a parameter or its return unannotated (`self` or
    `cls` first in a method excepted). With `lines`, only functions that one of these
    line numbers falls in (decorators, signature or body) are judged."""
    if text.startswith("\ufeff"):
        text = text[1:]  # Python drops a UTF-8 BOM (taskgate.reading already has)
    if "def" not in text or "\0" in text:
        return []
    text = normalised(text)
    starts, ends, continued = strings(text)
    return _Scan(text, starts, ends, continued, lines).run()


# An open block: (indentation, is a class, index into _Scan.found or -1 for a class).
_Block = tuple[int, bool, int]


class _Scan:
    """One pass over the `def`/`class` lines of a normalised text, in order."""

    def __init__(
        self,
        text: str,
        starts: list[int],
        ends: list[int],
        continued: set[int],
        lines: Collection[int] | None,
    ) -> None:
        self.text = text
        self.starts = starts
        self.ends = ends
        self.continued = continued
        self.lines = lines
        self.found: list[Unannotated | None] = []
        # (start, end, line number of the start) of each function
        self.spans: list[tuple[int, int, int]] = []
        self.asked = 0  # signatures given to ast
        # With `lines`: (keyword position, line, in a class body, previous head's line
        # start, this head's line start) of each function, judged only if touched.
        self.pending: list[tuple[int, int, bool, int, int]] = []

    def in_string(self, pos: int) -> bool:
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and self.ends[k] > pos

    def heads(self) -> list[tuple[int, int, int, int]]:
        """(line start, indentation, keyword position, position of the keyword ast
        gives the line of, or -1 for a class) of every `def` and `class`, in order."""
        text = self.text
        out: list[tuple[int, int, int, int]] = []
        continued = self.continued
        words = ["def ", "class "]
        if "\f" in text:
            words += ["def\f", "class\f"]
        for word in words:
            size = len(word) - 1
            at = text.find(word)
            while at >= 0:
                self.head(out, at, size)
                at = text.find(word, at + size)
        for newline in continued:  # `def \` (the name on the next line)
            for size in (3, 5):
                at = newline - 1 - size
                if text[at : newline - 1] == ("def" if size == 3 else "class"):
                    self.head(out, at, size)
        token = text.find("async")
        while token >= 0:
            start = text.rfind("\n", 0, token) + 1
            match = _ASYNC.match(text, token)
            if (
                match is not None
                and not text[start:token].strip(" ")
                and start - 1 not in continued
                and not self.in_string(token)
            ):
                out.append((start, token - start, match.end() - 4, token))
            token = text.find("async", token + 5)
        out.sort()
        return out

    def head(self, out: list[tuple[int, int, int, int]], at: int, size: int) -> None:
        """Add the `def` (size 3) or `class` (5) at `at` if it is first on its line."""
        text = self.text
        start = text.rfind("\n", 0, at) + 1
        if start != at and text[start:at].strip(" "):
            return
        indent = at - start
        if start - 1 in self.continued:  # a line continued by a backslash
            start = self.logical_start(start)
            indent = self.indent(start)
            if text[start:at].replace("\\\n", " ").strip(" "):
                return  # `async \` (found apart), or not a `def` at all
        if not self.in_string(at):
            out.append((start, indent, at, -1 if size == 5 else at))

    def logical_start(self, start: int) -> int:
        """The first line of a logical line continued by backslashes up to `start`."""
        while start - 1 in self.continued:
            start = self.text.rfind("\n", 0, start - 1) + 1
        return start

    def run(self) -> list[Unannotated]:
        text = self.text
        stack: list[_Block] = []
        found = self.found
        line = 1
        counted = 0
        last = 0  # the previous head's line start: a logical line at bracket depth 0
        keep_spans = self.lines is not None
        simple = _SIMPLE.match
        for start, indent, at, token in self.heads():
            if stack:
                limit = stack[-1][0]
                if (_DEDENT.get(limit) or _dedent(limit)).search(text, last, start - 1):
                    self.close_dedented(stack, last, start - 1)
                if stack and stack[-1][0] >= indent:
                    self.close(stack, indent, start)
            if token < 0:
                stack.append((indent, True, -1))
                last = start
                continue
            in_class = bool(stack) and stack[-1][1]
            line += text.count("\n", counted, token)  # ast's line: `async` or `def`
            counted = token
            stack.append((indent, False, len(found)))
            if keep_spans:  # judged in `result`, only if the change touches it
                self.pending.append((at, line, in_class, last, start))
                found.append(None)
                self.spans.append((start, len(text), line - text.count("\n", start, token)))
                last = start
                continue
            if in_class and text.find("staticmethod", last, start) >= 0:
                in_class = not self.static(last, start)
            match = simple(text, at)
            missing = None
            if match is not None and "lambda" not in match[2]:
                missing = plain_missing(match[2], in_class)
            if match is None or missing is None:
                found.append(self.judge(at, line, in_class))
            else:
                if match[3] != "->":
                    missing.append("return")
                name = match[1] if match[1].isascii() else nfkc(match[1])
                found.append(Unannotated(line, name, tuple(missing)) if missing else None)
            last = start
        if keep_spans:
            self.close(stack, 0, len(text))
        return self.result()

    def indent(self, start: int) -> int:
        match = _INDENT.match(self.text, start)
        return match.end() - start if match else 0

    def close(self, stack: list[_Block], indent: int, at: int) -> None:
        """Blocks indented `indent` or deeper end at `at` (a logical line's start)."""
        while stack and stack[-1][0] >= indent:
            slot = stack.pop()[2]
            if slot >= 0 and self.spans:
                first, _, number = self.spans[slot]
                self.spans[slot] = (first, at, number)

    def close_dedented(self, stack: list[_Block], start: int, stop: int) -> None:
        """Close the blocks that a logical line between `start` and `stop` dedents."""
        text = self.text
        depth = 0
        anchor = start
        pos = start
        while stack:
            limit = stack[-1][0]
            match = (_DEDENT.get(limit) or _dedent(limit)).search(text, pos, stop)
            if match is None:
                return
            line_start = match.start() + 1
            pos = match.end()
            if text[pos] == "#":
                continue  # a comment line: its indentation counts for nothing
            if self.in_string(line_start):
                k = bisect_right(self.starts, line_start) - 1
                pos = self.ends[k]
                continue
            depth += self.brackets(anchor, line_start)
            anchor = line_start
            if depth > 0 or line_start - 1 in self.continued:
                continue  # inside brackets or after a backslash: not a logical line
            self.close(stack, pos - line_start, line_start)

    def brackets(self, start: int, stop: int) -> int:
        """Open minus closed brackets of the code in [start, stop) (a code position)."""
        text = self.text
        total = 0
        k = bisect_right(self.ends, start)
        while start < stop:
            if k < len(self.starts) and self.starts[k] < stop:
                total += bracket_balance(text[start : self.starts[k]])
                start = self.ends[k]
                k += 1
            else:
                total += bracket_balance(text[start:stop])
                break
        return total

    def static(self, start: int, head: int) -> bool:
        """Whether a decorator of the function whose line starts at `head` is
        `staticmethod` (a name, or an attribute of that name); `start` is the start
        of an earlier logical line."""
        text = self.text
        logical: list[int] = []
        depth = 0
        pos = start
        while pos < head:
            end = text.find("\n", pos) + 1
            if self.in_string(pos):  # skip to the line where that string ends
                close = self.ends[bisect_right(self.starts, pos) - 1]
                end = text.find("\n", close) + 1
                depth += self.brackets(close, end)
            else:
                if depth == 0 and pos - 1 not in self.continued:
                    stripped = text[pos:end].strip(" \f\n")
                    if stripped and not stripped.startswith("#"):
                        logical.append(pos)
                depth += self.brackets(pos, end)
            pos = end if end > 0 else head
        decorators: list[tuple[int, int]] = []
        stop = head
        for first in reversed(logical):
            at = first + self.indent(first)
            if text[at] != "@":
                break
            decorators.append((at, stop))
            stop = first
        return any(is_staticmethod(text[a:b]) for a, b in decorators)

    def judge(self, at: int, line: int, is_method: bool) -> Unannotated | None:
        text = self.text
        match = _SIMPLE.match(text, at)
        missing: list[str] | None
        if match is not None and "lambda" not in match[2]:
            name, returns = match[1], match[3] == "->"
            missing = plain_missing(match[2], is_method)
        else:
            header = self.header(at)
            if not isinstance(header, tuple):
                return self.with_ast(at, line, is_method, header)
            name, params, returns = header
            missing = missing_names(params, is_method)
        if missing is None:
            return self.with_ast(at, line, is_method)
        if not returns:
            missing.append("return")
        if not missing:
            return None
        if not name.isascii():
            name = nfkc(name)
        return Unannotated(line, name, tuple(missing))

    def with_ast(
        self, at: int, line: int, is_method: bool, stop: int | None = None
    ) -> Unannotated | None:
        self.asked += 1
        if self.asked > _AST_BUDGET:
            return None  # a file of ambiguous signatures: the gate's mypy still reads it
        judged = judge_with_ast(self.text, at, is_method, stop)
        return None if judged is None else Unannotated(line, *judged)

    def header(self, at: int) -> tuple[str, list[str], bool] | int | None:
        """Name, parameter texts and `->` of a signature over several lines or with
        brackets, strings or comments in its parameters; or where the signature ends
        when text would misread it (a lambda default); None: it cannot be read."""
        text = self.text
        match = _NAME.match(text, at)
        if match is None:
            return None
        name = match[1]
        params: list[str] = []
        parts: list[str] = []
        depth = 0
        piece = i = match.end()
        while (m := _CODE_TOKEN.search(text, i)) is not None:
            p = m.start()
            ch = text[p]
            if ch == "#" or ch == "\\" or ch in "'\"":
                parts.append(text[piece:p])
                if ch == "#":
                    end = text.find("\n", p)
                elif ch == "\\":
                    if not text.startswith("\\\n", p):
                        return None
                    parts.append(" ")
                    end = p + 2
                else:
                    end = string_end(text, p)
                    parts.append('""')
                if end < 0:
                    return None
                piece = i = end
                continue
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                if depth == 0:
                    if ch != ")":
                        return None
                    parts.append(text[piece:p])
                    params.append("".join(parts))
                    after = _AFTER.match(text, p + 1)
                    if after is None:
                        return None
                    if "lambda" in "".join(params):  # a lambda's parameters would split
                        return colon_after(text, p + 1)
                    return name, params, after[1] == "->"
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(text[piece:p])
                params.append("".join(parts))
                parts = []
                piece = p + 1
            i = p + 1
        return None

    def result(self) -> list[Unannotated]:
        if self.lines is None:
            return [f for f in self.found if f is not None]
        text = self.text
        lines = sorted(self.lines)
        out = []
        before = 0  # the previous function's first line: its decorators climb no higher
        for (start, end, number), pending in zip(self.spans, self.pending, strict=True):
            floor, before = before, number
            # A cheap bound first: the function lies within (floor, number + its lines];
            # only when a touched line falls there is its exact extent worked out.
            k = bisect_right(lines, number + text.count("\n", start, end)) - 1
            if k < 0 or lines[k] <= floor:
                continue
            first, last = self.extent(start, end, number)
            k = bisect_right(lines, last) - 1
            if k < 0 or lines[k] < first:
                continue
            at, line, in_class, previous, head = pending
            if in_class and text.find("staticmethod", previous, head) >= 0:
                in_class = not self.static(previous, head)
            found = self.judge(at, line, in_class)
            if found is not None:
                out.append(found)
        return out

    def extent(self, start: int, end: int, number: int) -> tuple[int, int]:
        """First and last line of a function (whose first line, at `start`, is line
        `number`): its decorators just above, its signature, and its body up to the last
        line indented deeper than the `def`."""
        text = self.text
        top = probe = start
        while probe > 0:
            prev = text.rfind("\n", 0, probe - 1) + 1
            stripped = text[prev : probe - 1].strip(" \f")
            if stripped.startswith("@"):
                top = prev
            elif stripped and not stripped.startswith("#"):
                break
            probe = prev
        indent = self.indent(start)
        last = end
        while True:
            prev = text.rfind("\n", 0, last - 1) + 1
            if prev <= start:
                break
            if self.in_string(prev) or (
                text[prev : last - 1].strip(" \f\n") and self.indent(prev) > indent
            ):
                break
            last = prev
        first_line = number - text.count("\n", top, start)
        return first_line, max(number + text.count("\n", start, last - 1), first_line)


def _dedent(limit: int) -> re.Pattern[str]:
    """A line indented `limit` columns or fewer (not blank)."""
    pattern = _DEDENT[limit] = re.compile(f"\n {{0,{limit}}}+(?=[^ \n])")
    return pattern
