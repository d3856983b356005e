"""Every git call taskgate makes: plumbing only, NUL-separated, never a shell string.

`process` starts git (and scrubs the hook's GIT_* variables from other children) and
reads the command line of the git that runs a hook; `objects` parses plumbing output
(entries, commits, raw diffs) and reads objects through one `cat-file --batch`; `patch`
parses a staged patch's added and removed lines; `repo` is the repository (refs, sides,
diffs, merges). Import from here. Few modules on purpose: each costs the hook an import.
"""

# No `from __future__ import annotations` in this package: NamedTuple turns string
# annotations into ForwardRefs and compiles each one at import (on the hook's path).

from taskgate.git.objects import (
    ZERO_OID_CHARS,
    CatFile,
    CommitInfo,
    Entry,
    RawDiff,
    is_null_oid,
    parse_commit,
    parse_ls,
    parse_raw_diff,
)
from taskgate.git.patch import NO_LINES, Hints, LineHint, parse_patch
from taskgate.git.process import (
    GIT,
    NO_REPLACE,
    Git,
    allow_empty_message_in_progress,
    amend_in_progress,
    git_env,
    scrubbed_env,
)
from taskgate.git.repo import MIN_GIT_FOR_MERGES, Repo, _plain_top_level

__all__ = [
    "GIT",
    "MIN_GIT_FOR_MERGES",
    "NO_LINES",
    "NO_REPLACE",
    "ZERO_OID_CHARS",
    "CatFile",
    "CommitInfo",
    "Entry",
    "Git",
    "Hints",
    "LineHint",
    "RawDiff",
    "Repo",
    "_plain_top_level",
    "allow_empty_message_in_progress",
    "amend_in_progress",
    "git_env",
    "is_null_oid",
    "parse_commit",
    "parse_ls",
    "parse_patch",
    "parse_raw_diff",
    "scrubbed_env",
]
