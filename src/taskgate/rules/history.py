"""Rules that keep every byte of shared history judged, and by an actor (SPEC §10.2–10.3).

TG113: a commit in a repository with a module map whose actor cannot be told (an empty
or whitespace-only message, a scope-less fixup, a merge with content of its own and no
scope) is refused: without an actor the lanes, board and integrity rules cannot run.

TG211: tree entries named `.`, `..`, `.git`, or one of the names git's fsck treats as
`.git` on case-insensitive, NTFS or HFS+ file systems. Such a path passes "inside the
module by prefix" and then breaks (or attacks) every checkout.

TG208 (parentless commit), TG209 (octopus merge) and TG210 (`refs/replace/*`) are about
history rather than one change; `taskgate.ci` and `taskgate.push` emit them.
"""

from __future__ import annotations

from collections.abc import Iterator

from taskgate.change import Actor, Change, Stage
from taskgate.finding import Finding
from taskgate.message import HeaderProblem, parse_header
from taskgate.policy import Policy
from taskgate.rules.registry import check

MSG = "COMMIT_EDITMSG"

# Code points HFS+ ignores when it compares names (git's is_hfs_dotgit list).
_HFS_IGNORABLE = frozenset(
    chr(c)
    for c in (
        0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
        0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF,
    )
)  # fmt: skip


def dotgit_like(segment: str) -> bool:
    """Whether a file system could take `segment` for `.git` (fsck's variants)."""
    name = "".join(ch for ch in segment if ch not in _HFS_IGNORABLE).lower()
    if name == ".git":
        return True
    # NTFS: trailing dots and spaces vanish, `name:stream` is `name`, `git~1` is the 8.3 alias.
    ntfs = name.split(":", 1)[0].rstrip(" .")
    return ntfs in (".git", "git~1")


def bad_segment(path: str) -> str | None:
    """The first segment of `path` no checkout can hold safely, or None."""
    for segment in path.split("/"):
        if segment in ("", ".", "..") or dotgit_like(segment):
            return segment
    return None


@check("TG211", stage="pre")
def tree_entry_names(change: Change, policy: Policy) -> Iterator[Finding]:
    for fc in change.files:
        if fc.new is None:
            continue
        segment = bad_segment(fc.path)
        if segment is not None:
            yield Finding(
                "TG211",
                f"the path holds a tree entry named {segment!r}, which no checkout can hold "
                "safely (git's fsck refuses it)",
                path=fc.path,
                hint="rewrite the commit without that entry; such trees are made with "
                "git mktree / commit-tree, never by git add",
            )


@check("TG113", stage="msg", needs_message=True)
def actor_known(change: Change, policy: Policy) -> Iterator[Finding]:
    """No actor, no commit: every commit of a repository with a module map has one."""
    msg, structure = change.message, change.structure
    if msg is None or structure is None or change.actor is not None:
        return
    if change.unjudged_merge or (change.is_merge and not change.files):
        return  # a merge with nothing of its own needs nobody to answer for it
    # Locally git aborts an empty message itself, unless --allow-empty-message keeps it.
    if msg.is_empty and change.stage is not Stage.CI and not change.stores_empty_message:
        return
    if msg.is_git_revert and not change.is_merge:
        return  # TG103 says it, with the revert's own hint
    if not msg.is_empty and not change.is_merge and not msg.is_fixup:
        parsed = parse_header(msg.header, policy.commit.types)
        if isinstance(parsed, HeaderProblem):
            return  # TG101 already refuses the header
        if parsed.scope is None and policy.commit.require_scope:
            return  # TG103
        if parsed.scope is not None and parsed.scope.lower() not in structure.scopes:
            return  # TG104
    if msg.is_empty:
        why = "the message is empty"
    elif change.is_merge:
        why = "the merge brings content of its own and its subject names no module or role"
    else:
        why = "the subject names no module or role"
    yield Finding(
        "TG113",
        f"cannot tell who makes this commit: {why}, so the lane, board and integrity "
        "rules cannot judge it",
        path=MSG,
        line=1,
        hint="write a Conventional Commits subject with a scope, e.g. feat(<module>): …"
        + (
            " (for a merge: chore(<module>): merge …, or set TASKGATE_AGENT)"
            if change.is_merge
            else ""
        ),
    )


def octopus_finding(actor: Actor | None, parents: int) -> Finding:
    """TG209: an octopus merge by anyone but the lead."""
    who = actor.name if actor is not None else "an actor nobody can name"
    return Finding(
        "TG209",
        f"an octopus merge ({parents} parents) by the {who}: only the lead may make one",
        hint="merge one branch at a time (each merge is then judged on its own content), "
        "or have the lead make it",
    )
