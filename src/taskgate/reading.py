"""What the rules read from one side of a change, parsed once and shared between them.

A `SideReader` wraps a `Side` (`taskgate.change`): the side's own calls pass through
(`read`, `exists`, `prefetch`, `blob_sizes`, `entry`, `entries`), and the parsed forms
of a file (its text, its JSON, the task board, its Python syntax tree, a symlink's
target) are computed on first use and kept for the life of the change. Rules reach it
as `change.reader("before")` or `change.reader("after")`; each form has one loader, so
two rules can never fill one cache with different things.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ast

    from taskgate.change import Side
    from taskgate.git import Entry
    from taskgate.workflow.tasklist import Board


class SideReader:
    """One side of a change, with typed, cached readings of its files."""

    __slots__ = ("_ast", "_board", "_json", "_links", "_text", "side")

    def __init__(self, side: Side) -> None:
        self.side = side
        self._text: dict[str, str | None] = {}
        self._json: dict[str, Any] = {}
        self._board: dict[str, Board | None] = {}
        self._ast: dict[str, ast.Module | None] = {}
        self._links: dict[str, str | None] = {}

    # --- the side's own protocol ------------------------------------------------------

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None when absent (not kept here: the side keeps them)."""
        return self.side.read(path)

    def exists(self, paths: Iterable[str]) -> set[str]:
        return self.side.exists(paths)

    def prefetch(self, paths: Iterable[str]) -> None:
        self.side.prefetch(paths)

    def blob_sizes(self, oids: Iterable[str]) -> dict[str, int]:
        return self.side.blob_sizes(oids)

    def entry(self, path: str) -> Entry | None:
        return self.side.entry(path)

    def entries(self, paths: Sequence[str]) -> dict[str, Entry] | None:
        return self.side.entries(paths)

    # --- parsed once ------------------------------------------------------------------

    def text(self, path: str) -> str | None:
        """The file as text (UTF-8, errors replaced; a Python file as Python decodes it:
        BOM dropped, its coding declaration honoured); None when absent or binary."""
        if path not in self._text:
            data = self.side.read(path)
            if data is None or b"\0" in data[:8000]:
                self._text[path] = None  # absent, or binary
            elif recoded(path, data):
                from taskgate.pytext import python_text  # a BOM, or a coding declaration

                self._text[path] = python_text(data)  # as Python reads it
            else:
                self._text[path] = data.decode("utf-8", "replace")
        return self._text[path]

    def json(self, path: str) -> Any:
        """The file's JSON: the data, a JsonProblem (why it cannot be used), or None when
        the file is absent."""
        if path not in self._json:
            self._json[path] = self._load_json(path)
        return self._json[path]

    def _load_json(self, path: str) -> Any:
        from taskgate.workflow.jsonfile import JsonProblem, load_json

        raw = self.side.read(path)
        if raw is None:
            return None
        try:
            data = load_json(raw)
        except JsonProblem as exc:
            return exc
        if data is None:
            # None means "absent" to the callers; a file holding `null` is not absent.
            return JsonProblem("the top level is null; a workflow file is a JSON object", 1, 1)
        return data

    def board(self, path: str) -> Board | None:
        """The task board at `path`, or None when absent or unreadable (TG301/TG302 say
        why)."""
        if path not in self._board:
            self._board[path] = _board(self.json(path))
        return self._board[path]

    def ast(self, path: str) -> ast.Module | None:
        """The file's Python syntax tree; None when absent, binary or unparsable."""
        if path not in self._ast:
            text = self.text(path)
            self._ast[path] = None if text is None else _syntax_tree(text, path)
        return self._ast[path]

    def link_target(self, path: str) -> str | None:
        """Where the symlink at `path` points (as written in it); None when `path` is not
        a symlink on this side."""
        if path not in self._links:
            entry = self.side.entry(path)
            target = None
            if entry is not None and entry.is_symlink:
                raw = self.side.read(path)
                target = raw.decode("utf-8", "surrogateescape") if raw is not None else ""
            self._links[path] = target
        return self._links[path]


PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")


def recoded(path: str, data: bytes) -> bool:
    """Whether Python may read this file otherwise than as plain UTF-8: a Python file with
    a UTF-8 BOM, or `coding` in its first two lines (then taskgate.pytext looks)."""
    if not path.endswith(PYTHON_SUFFIXES):
        return False
    if data.startswith(b"\xef\xbb\xbf"):
        return True
    end = data.find(b"\n")
    if end >= 0:
        end = data.find(b"\n", end + 1)
    return b"coding" in (data if end < 0 else data[:end])


def _board(data: Any) -> Board | None:
    from taskgate.workflow.jsonfile import JsonProblem
    from taskgate.workflow.tasklist import BoardError, board_from_data

    if data is None or isinstance(data, JsonProblem):
        return None
    try:
        return board_from_data(data)
    except BoardError:
        return None


def _syntax_tree(text: str, path: str) -> ast.Module | None:
    import ast  # only when a rule needs a syntax tree: not on every hook's path

    try:
        return ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
