"""git's raw diffs (`--raw -z --no-abbrev`): the records and the arguments that ask for them."""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

from typing import NamedTuple


class RawDiff(NamedTuple):
    """One line of `git diff --raw -z`: status letter plus both sides."""

    status: str  # A, M, D, R, C, T, U (score dropped)
    old_mode: str
    new_mode: str
    old_oid: str
    new_oid: str
    old_path: str
    new_path: str


# What the index changes against a commit: rename and copy detection, submodules shown.
STAGED_DIFF = ("diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", "-C",
                "--ignore-submodules=none")  # fmt: skip

# A hook asks for the raw diff and the patch in one process (one comparison of the index
# with HEAD, which on a 50,000-file index is most of git's work): the raw records come
# first, then the patch, whose added and removed lines the rules take their first looks
# in (see taskgate.git.patch). No context, full blob ids to key each file by, no content
# for deletions, nothing from the user's diff settings.
STAGED_DIFF_AND_PATCH = (*STAGED_DIFF, "-p", "-U0", "--full-index", "--irreversible-delete",
                          "--submodule=short", "--no-color", "--no-ext-diff",
                          "--no-textconv")  # fmt: skip
# Where the raw records end and the patch begins: an empty field, then the first header.
PATCH_START = b"\0\0diff --git "


def parse_raw_diff(data: bytes) -> list[RawDiff]:
    """Parse `git diff-* --raw -z --no-abbrev` output."""
    out: list[RawDiff] = []
    fields = data.split(b"\0")
    i = 0
    while i < len(fields):
        head = fields[i]
        if not head.startswith(b":"):
            i += 1
            continue
        old_mode, new_mode, old_oid, new_oid, status = head[1:].decode().split(" ")
        letter = status[0]
        if letter in "RC":
            old_path = fields[i + 1].decode("utf-8", "surrogateescape")
            new_path = fields[i + 2].decode("utf-8", "surrogateescape")
            i += 3
        else:
            old_path = new_path = fields[i + 1].decode("utf-8", "surrogateescape")
            i += 2
        out.append(RawDiff(letter, old_mode, new_mode, old_oid, new_oid, old_path, new_path))
    return out
