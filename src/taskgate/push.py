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
from taskgate.builders import CommitChanges
from taskgate.ci import FULL_HISTORY_FIX, Checked, check_commits, gate_tip, summary
from taskgate.errors import TaskgateError
from taskgate.finding import Finding, has_errors
from taskgate.git import Repo, is_null_oid
from taskgate.outcome import Outcome

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
    """Check every commit being pushed that the remote does not have yet.

    Only the old ids git gives on standard input prove what the remote holds: a
    remote-tracking ref is the coder's to move (`git update-ref refs/remotes/origin/x
    HEAD`). Where no line gives an old id (every pushed ref is new), remote-tracking
    refs are used and the output says the check is partial.
    """
    env = os.environ
    refs = parse_pre_push(lines) or pre_commit_refs(repo, env)
    remote = remote or env.get("PRE_COMMIT_REMOTE_NAME") or None
    outcome = Outcome(title="pre-push")
    # (tip, what the remote ref held) per pushed ref; a deletion brings no commit.
    pushed: dict[str, str | None] = {}
    olds: list[str] = []
    notes: set[str] = set()
    for ref in refs:
        old = None if is_null_oid(ref.remote_sha) else _commit_of(repo, ref.remote_sha)
        if old is not None:
            olds.append(old)
        tip = None if is_null_oid(ref.local_sha) else _commit_of(repo, ref.local_sha)
        if tip is not None:
            pushed.setdefault(tip, old)
            if ref.remote_ref.startswith("refs/notes/"):
                notes.add(tip)
    if not pushed:
        outcome.notes.append("nothing to check: no commits are being pushed")
        return outcome
    have: list[str] = list(dict.fromkeys(olds))
    # A new branch lands beside the remote's default branch: its policy judges too (only
    # as a policy to pass; pre-push is advisory, pre-receive reads the server's own HEAD).
    default = _remote_default(repo, remote, olds)
    if not have and default is not None:
        # No old id at all: the walk stops at the remote's default branch as last fetched
        # (one remote-tracking ref, not any of them: refs/remotes/<remote>/zzz is nothing).
        have.append(default)
        outcome.notes.append(
            f"partial check: git gave no old id for any pushed ref, so the commits of "
            f"{remote}'s default branch as last fetched were taken as on the remote without "
            "proof (a remote-tracking ref is local and can be moved); the server's "
            "pre-receive or `taskgate ci` is the binding check"
        )
    # [history] baseline: commits from before taskgate are not judged (adoption); the
    # baseline comes from the remote's side (the old ids), else from what is pushed.
    have.extend(not_judged(repo, excluding([*olds, default], pushed)))
    findings: dict[Finding, None] = {}
    checked_shas: set[str] = set()
    totals: list[Checked] = []
    for tip, old in pushed.items():
        shas = [
            sha
            for sha in repo.rev_list("--reverse", "--topo-order", tip, "--not", *have)
            if sha not in checked_shas and not (tip in notes and is_notes_commit(repo, sha))
        ]
        _refuse_cut_history(repo, shas)
        checked_shas.update(shas)
        checked = check_commits(
            repo, shas, range_base=old or default, history_before=bool(have or default)
        )
        totals.append(checked)
        findings.update(dict.fromkeys(checked.findings))
    outcome.findings.extend(findings)
    modules = list(dict.fromkeys(m for c in totals for m in c.modules))
    outcome.notes.append(f"checked {summary(_total(totals))} not yet on {remote or 'the remote'}")
    if checked_shas:
        for tip, old in pushed.items():
            found, said = gate_tip(
                repo, tip, old, modules, use_cache=True, pre_push=True,
                excused=frozenset().union(*(c.lead_modules for c in totals)),
            )  # fmt: skip
            outcome.findings.extend(found)
            outcome.notes.extend(said)
    return outcome


def _remote_default(repo: Repo, remote: str | None, olds: Sequence[str]) -> str | None:
    """The remote's default branch as last fetched (or the first old id git gave)."""
    if olds:
        return olds[0]
    if not remote:
        return None
    for name in ("HEAD", "main", "master"):
        found = repo.objects.object_id(f"refs/remotes/{remote}/{name}^{{commit}}", "commit")
        if found is not None:
            return found
    return None


def _total(parts: Sequence[Checked]) -> Checked:
    return Checked(
        [],
        [],
        sum(c.commits for c in parts),
        sum(c.merges for c in parts),
        sum(c.judged_merges for c in parts),
        frozenset().union(*(c.lead_modules for c in parts)),
    )


def is_notes_commit(repo: Repo, sha: str) -> bool:
    """A commit of git's notes bookkeeping: its tree holds only notes, each a blob named
    by the (fanned-out) object id it annotates."""
    out = repo.git.run("ls-tree", "-r", "-z", "--full-tree", sha)
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        name = path.replace(b"/", b"")
        if meta.split(b" ")[1:2] != [b"blob"] or len(name) not in (40, 64):
            return False
        if not all(c in b"0123456789abcdef" for c in name) or b"." in path:
            return False
    return True


def hook_pre_receive(repo: Repo, lines: list[str]) -> Outcome:
    """Server side: check every commit new to the server; any error rejects the whole push.

    Branch and tag updates are treated alike: a tag can carry commits the server has never
    seen, which would otherwise enter its history unchecked. Deletions bring no commit.
    Only commits that really are notes commits are skipped on `refs/notes/*`, and a commit
    counts as known only when a branch or tag holds it (never a notes or replace ref).
    Pushes to `refs/replace/*` are refused unless the policy allows them (TG210).
    """
    outcome = Outcome(title="pre-receive")
    updates: list[tuple[str, str, str]] = []
    for line in lines:
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3:
            raise TaskgateError(
                f"pre-receive: cannot read the line {line!r}; git sends '<old> <new> <ref>'"
            )
        old, new, ref = parts
        if not is_null_oid(new):
            updates.append((old, new, ref))
    server_head = repo.resolve("HEAD")
    # A branch HEAD names (the usual server) is history; else any ref may still hold some.
    has_history = (server_head is not None and _head_is_a_branch(repo)) or bool(
        repo.git.run("for-each-ref", "--count=1", "--format=%(objectname)").strip()
    )
    # [history] baseline, from the server's own policy (updated refs' old values, HEAD);
    # only an empty server takes it from what is pushed.
    old_values = [_commit_of(repo, old) for old, _, _ in updates if not is_null_oid(old)]
    if not old_values:
        old_values.append(server_head)
    bookkeeping = ("refs/notes/", "refs/replace/")
    tips = [_commit_of(repo, new) for _, new, ref in updates if not ref.startswith(bookkeeping)]
    before = not_judged(repo, excluding(old_values, tips))
    known = ("--not", "--exclude=refs/notes/*", "--exclude=refs/replace/*", "--all", *before)
    groups: dict[str | None, list[str]] = {}
    for old, new, ref in updates:
        if ref.startswith("refs/replace/"):
            outcome.findings.extend(_replace_ref(repo, ref, server_head))
            continue
        commit = _commit_of(repo, new)
        if commit is None:
            continue
        if ref.startswith("refs/notes/"):
            fresh = repo.rev_list("--reverse", "--topo-order", commit, "--not", "--all")
            shas = [sha for sha in fresh if not is_notes_commit(repo, sha)]
            base = server_head
        else:
            shas = repo.rev_list("--reverse", "--topo-order", commit, *known)
            base = None if is_null_oid(old) else _commit_of(repo, old)
            base = base or server_head
        groups.setdefault(base, []).extend(shas)
    # The pushed objects sit in git's quarantine until this hook accepts them; git tells
    # its children where (GIT_QUARANTINE_PATH, GIT_OBJECT_DIRECTORY), and ours inherit it.
    seen: set[str] = set()
    totals: list[Checked] = []
    for base, shas in groups.items():
        todo = [sha for sha in dict.fromkeys(shas) if sha not in seen]
        seen.update(todo)
        if todo:
            totals.append(check_commits(repo, todo, range_base=base, history_before=has_history))
    for checked in totals:
        outcome.findings.extend(checked.findings)
    if not seen and not outcome.findings:
        outcome.notes.append("nothing to check: the push brings no new commits")
        return outcome
    outcome.notes.append(f"checked {summary(_total(totals))} new to this repository")
    if has_errors(outcome.findings):
        outcome.notes.append(
            "push rejected: fix the commits above (git rebase -i, git commit --amend) "
            "and push again"
        )
    return outcome


def _head_is_a_branch(repo: Repo) -> bool:
    """HEAD is a symbolic ref (so the commit it names is a ref's, as for-each-ref lists)."""
    try:
        return (repo.git_dir / "HEAD").read_bytes().startswith(b"ref: refs/")
    except OSError:
        return False


def _replace_ref(repo: Repo, ref: str, server_head: str | None) -> list[Finding]:
    """TG210 unless the policy at the server's HEAD sets [history] allow_replace_refs."""
    if server_head is not None:
        base = CommitChanges(repo).base_for(server_head, server_head)
        if base.policy.history.allow_replace_refs:
            return []
    return [
        Finding(
            "TG210",
            f"push to {ref}: a replace ref makes git show one object in place of another",
            path=ref,
            hint="do not push replace refs; the lead allows them with [history] "
            "allow_replace_refs = true",
        )
    ]
