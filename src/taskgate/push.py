"""pre-push and pre-receive: every commit about to leave, or to arrive, is checked as `ci` does.

`git commit --no-verify`, rebase, cherry-pick and revert skip the local commit
hooks; these two hooks are where such commits are caught before they land. Both
check with Stage.CI, so fixup!/squash!/amend! commits are reported (TG107).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from taskgate.adoption import excluding, not_judged
from taskgate.ci import FULL_HISTORY_FIX, check_commits, gate_tip, summary
from taskgate.entry import Outcome
from taskgate.errors import TaskgateError
from taskgate.finding import has_errors
from taskgate.git import Repo, is_null_oid

NULL_OID = "0" * 40


class PushedRef(NamedTuple):
    """One line of git's pre-push input."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


def parse_pre_push(lines: Sequence[str]) -> list[PushedRef]:
    """`<local ref> <local sha> <remote ref> <remote sha>` lines (blank lines ignored)."""
    refs = []
    for line in lines:
        if not line.strip():
            continue
        # rsplit: only the first field, the local ref as the user typed it, may hold spaces.
        parts = line.rsplit(maxsplit=3)
        if len(parts) != 4:
            raise TaskgateError(
                f"pre-push: cannot read the line {line!r}; git sends "
                "'<local ref> <local sha> <remote ref> <remote sha>'"
            )
        refs.append(PushedRef(*parts))
    return refs


def pre_commit_refs(repo: Repo, env: Mapping[str, str]) -> list[PushedRef]:
    """The pushed ref as the pre-commit framework passes it: environment, no stdin (§5.1)."""
    to_ref = env.get("PRE_COMMIT_TO_REF", "").strip()
    from_ref = env.get("PRE_COMMIT_FROM_REF", "").strip()
    local = env.get("PRE_COMMIT_LOCAL_BRANCH", "").strip()
    remote_branch = env.get("PRE_COMMIT_REMOTE_BRANCH", "").strip()
    if to_ref:
        return [PushedRef(local or to_ref, to_ref, remote_branch, from_ref or NULL_OID)]
    if local:
        # A push that reaches the root commit: the framework sets no from/to refs then.
        sha = repo.resolve(local)
        if sha is None:
            raise TaskgateError(f"pre-push: PRE_COMMIT_LOCAL_BRANCH '{local}' is not a commit")
        return [PushedRef(local, sha, remote_branch, NULL_OID)]
    return []


def _commit_of(repo: Repo, oid: str) -> str | None:
    """The commit `oid` is or peels to (an annotated tag); None for a blob, tree or unknown id."""
    return repo.objects.object_id(f"{oid}^{{commit}}", "commit")


def _refuse_cut_history(repo: Repo, shas: Sequence[str]) -> None:
    """In a shallow clone, a walk that reaches the cut-off checked less than it should."""
    if not repo.shallow:
        return
    try:
        cut = set((repo.common_dir / "shallow").read_text().split())
    except OSError:
        cut = set()
    if cut.intersection(shas):
        raise TaskgateError(
            "this clone is shallow and the push reaches past its cut-off, so the commits "
            f"being pushed cannot all be checked; {FULL_HISTORY_FIX}"
        )


def hook_pre_push(repo: Repo, remote: str | None, lines: list[str]) -> Outcome:
    """Check every commit being pushed that the remote does not have yet."""
    env = os.environ
    refs = parse_pre_push(lines) or pre_commit_refs(repo, env)
    remote = remote or env.get("PRE_COMMIT_REMOTE_NAME") or None
    outcome = Outcome(title="pre-push")
    # (tip, what the remote ref held) per pushed ref; a deletion brings no commit.
    pushed: dict[str, str | None] = {}
    for ref in refs:
        tip = None if is_null_oid(ref.local_sha) else _commit_of(repo, ref.local_sha)
        if tip is not None:
            old = None if is_null_oid(ref.remote_sha) else _commit_of(repo, ref.remote_sha)
            pushed.setdefault(tip, old)
    if not pushed:
        outcome.notes.append("nothing to check: no commits are being pushed")
        return outcome
    # What the remote already has: the old values of the pushed refs, when known here,
    # and every remote-tracking branch of a named remote (a new branch has no old value).
    have = [old for old in dict.fromkeys(pushed.values()) if old is not None]
    if remote and repo.config(f"remote.{remote}.url") is not None:
        have.append(f"--remotes={remote}")
    # [history] baseline: commits from before taskgate are not judged (adoption).
    have.extend(not_judged(repo, excluding(pushed.values(), pushed)))
    shas = repo.rev_list("--reverse", "--topo-order", *pushed, "--not", *have)
    _refuse_cut_history(repo, shas)
    checked = check_commits(repo, shas)
    outcome.findings.extend(checked.findings)
    outcome.notes.append(f"checked {summary(checked)} not yet on {remote or 'the remote'}")
    if shas:
        for tip, old in pushed.items():
            found, notes = gate_tip(repo, tip, old, checked.modules, use_cache=True, pre_push=True)
            outcome.findings.extend(found)
            outcome.notes.extend(notes)
    return outcome


def hook_pre_receive(repo: Repo, lines: list[str]) -> Outcome:
    """Server side: check every commit new to the server; any error rejects the whole push.

    Branch and tag updates are treated alike: a tag can carry commits the server has never
    seen, which would otherwise enter its history unchecked. Deletions bring no commit, and
    `refs/notes/*` hold git's notes bookkeeping commits, not authored history.
    """
    outcome = Outcome(title="pre-receive")
    tips: list[str] = []
    olds: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3:
            raise TaskgateError(
                f"pre-receive: cannot read the line {line!r}; git sends '<old> <new> <ref>'"
            )
        old, new, ref = parts
        olds.append(old)
        if is_null_oid(new) or ref.startswith("refs/notes/"):
            continue
        commit = _commit_of(repo, new)
        if commit is not None:
            tips.append(commit)
    if not tips:
        outcome.notes.append("nothing to check: the push brings no new commits")
        return outcome
    # The pushed objects sit in git's quarantine until this hook accepts them; git tells
    # its children where (GIT_QUARANTINE_PATH, GIT_OBJECT_DIRECTORY), and ours inherit it.
    # [history] baseline, from the server's own policy (updated refs' old values, HEAD);
    # only an empty server takes it from what is pushed.
    old_values = [_commit_of(repo, old) for old in olds if not is_null_oid(old)]
    old_values.append(repo.resolve("HEAD") if not old_values else None)
    before = not_judged(repo, excluding(old_values, tips))
    shas = repo.rev_list(
        "--reverse", "--topo-order", *dict.fromkeys(tips), "--not", "--all", *before
    )
    checked = check_commits(repo, shas)
    outcome.findings.extend(checked.findings)
    outcome.notes.append(f"checked {summary(checked)} new to this repository")
    if has_errors(outcome.findings):
        outcome.notes.append(
            "push rejected: fix the commits above (git rebase -i, git commit --amend) "
            "and push again"
        )
    return outcome
