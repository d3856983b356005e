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
from taskgate.rules.registry import (
    CI_ONLY,
    COMMIT_MSG_CHECK_CI,
    PRE_COMMIT_CHECK_CI,
    check,
    rule,
)

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


TG211 = rule(
    id="TG211",
    name="tree-entry-name",
    stages=PRE_COMMIT_CHECK_CI,
    summary="a tree entry named '.', '..', '.git' or a variant of '.git'",
    what=(
        "Every path a commit adds or changes is split into its tree entries; an empty name, "
        "`.`, `..`, `.git`, or a name NTFS or HFS+ would take for `.git` (`.GIT`, `.git.`, "
        "`git~1`, `.git` with ignorable Unicode) is refused. `taskgate install --hook-type "
        "pre-receive` also turns on git's own `receive.fsckObjects`."
    ),
    why=(
        "Such an entry passes 'inside the module' by its prefix and then breaks every "
        "clone and checkout, or writes into `.git/`."
    ),
    example="services/api/../web/app.js   (made with git mktree)",
    fix="Rewrite the commit without that entry.",
)


@check(TG211)
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


TG113 = rule(
    id="TG113",
    name="actor-known",
    stages=COMMIT_MSG_CHECK_CI,
    summary="the commit's actor cannot be determined",
    what=(
        "In a repository with a module map every commit has an actor: an "
        "empty or whitespace-only message (`--allow-empty-message`), a scope-less subject "
        "where the policy does not require a scope, a fixup!/squash! of such a subject, or a "
        "merge that brings content of its own under git's default `Merge branch …` subject "
        "names nobody. Checked at commit-msg, pre-push, pre-receive and in `ci`; at "
        "commit-msg an empty message counts only when git will store it "
        "(`--allow-empty-message`), since git aborts the commit itself otherwise."
    ),
    why=(
        "Without an actor the lane, board and integrity rules cannot run: an empty message "
        "once landed a change to another module, to the policy and to the board unjudged."
    ),
    example='git commit --allow-empty-message -m ""',
    fix="feat(python): add login   (a merge with its own content: chore(python): merge main)",
)


@check(TG113, needs_message=True)
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


TG208 = rule(
    id="TG208",
    name="root-commit",
    stages=CI_ONLY,
    summary="a parentless commit enters a repository that already has history",
    what=(
        "In a push or a `ci` range, a commit without parents (an orphan branch, or one "
        "brought in by `git merge --allow-unrelated-histories`) is refused when the "
        "repository already has history. It is judged under the policy at the base of the "
        "range, never its own. The lead may start a new root where `[history] "
        "allow_new_roots = true` (read from the target's policy)."
    ),
    why=(
        "A root commit has no first parent to take the policy from: it would bring its own "
        "module map (or none) and judge itself."
    ),
    example="git checkout --orphan x && git commit -m 'feat(web): start over'",
    fix=(
        "Branch from the existing history; the lead sets [history] allow_new_roots for a "
        "deliberate new root."
    ),
)


TG209 = rule(
    id="TG209",
    name="octopus-merge",
    stages=frozenset({Stage.COMMIT_MSG, Stage.CI}),  # entry._octopus, ci
    summary="an octopus merge by someone other than the lead",
    what=(
        "A merge of three or more parents cannot be compared with git's automatic merge "
        "(`git merge-tree` takes two), so only the lead may make one."
    ),
    why="Its content beyond its parents could not be judged.",
    example="git merge feature-a feature-b   # by a coder",
    fix="Merge one branch at a time, or have the lead make the octopus merge.",
    shown_stage="ci",
)


TG210 = rule(
    id="TG210",
    name="replace-ref",
    stages=CI_ONLY,
    summary="a push to refs/replace/*",
    what=(
        "pre-receive refuses pushes that create or move `refs/replace/*` unless the "
        "target's policy sets `[history] allow_replace_refs = true`. taskgate itself reads "
        "every object with replace objects disabled."
    ),
    why=(
        "A replace ref makes git show one object in place of another: a checked good commit "
        "in place of a bad one."
    ),
    example="git push origin refs/replace/<bad>",
    fix="Do not push replace refs; the lead allows them in the policy if they are wanted.",
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
