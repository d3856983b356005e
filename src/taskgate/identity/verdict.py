"""Who a commit is from, in signed mode: the principal of its signature (or of the key git
is configured to sign with, before the commit exists), and the TG7xx findings.

`judge_commit` serves `ci`, pre-push and pre-receive (the commit exists: its signature is
verified in process); `judge_local` serves the commit hooks (it does not exist yet: the
configured signing key is looked up in the allowed signers, nothing is verified).
"""

# No `from __future__ import annotations`: NamedTuple fields would be compiled ForwardRefs
# on the signed-mode hook path (see docs/architecture.md, "The hot path").

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from taskgate.change import Actor
from taskgate.finding import Finding
from taskgate.identity.signers import AllowedSigners, Signer, allowed_signers
from taskgate.identity.sshsig import (
    committer_time,
    fingerprint,
    key_type,
    public_key_of_file,
)
from taskgate.policy import Policy
from taskgate.workflow.structure import Structure

Reader = Callable[[str], bytes | None]
Config = Callable[[str], str | None]

SETUP_HINT = (
    "the lead sets an agent up with `taskgate agent add NAME --key-dir DIR` and "
    "`taskgate agent worktree NAME PATH`"
)
RESIGN = "re-sign it: `git commit --amend --no-edit -S` (a range: `git rebase --exec " \
    "'git commit --amend --no-edit -S' BASE`), then `git verify-commit HEAD`"  # fmt: skip


class Verdict(NamedTuple):
    """The proven actor (None: not proven) and what stands in the way."""

    actor: Actor | None
    principal: str | None
    fingerprint: str | None
    findings: tuple[Finding, ...]


def _fail(rule: str, message: str, hint: str, path: str | None = None, fp: str | None = None
          ) -> Verdict:  # fmt: skip
    return Verdict(None, None, fp, (Finding(rule, message, path=path, hint=hint),))


def actor_of(structure: Structure | None, principal: str) -> Actor | None:
    """The actor a signer's principal names (an agent id or a role name)."""
    from taskgate.actors import actor_for_agent

    return actor_for_agent(structure, principal, "signature")


def same_actor(a: Actor, b: Actor) -> bool:
    return a.role == b.role and (a.module.name if a.module else None) == (
        b.module.name if b.module else None
    )


def _pick(
    signers: Sequence[Signer], structure: Structure | None, claimed: Actor | None, path: str,
    fp: str,
) -> Verdict:  # fmt: skip
    """The actor among the key's principals: the one the scope names, else the first."""
    principals = list(dict.fromkeys(p for s in signers for p in s.principals))
    if structure is None:
        # No module map: nothing to map a principal to; the signature still had to be good.
        return Verdict(None, principals[0], fp, ())
    mapped = [(p, a) for p in principals if (a := actor_of(structure, p)) is not None]
    if not mapped:
        names = ", ".join(f"'{p}'" for p in principals)
        return _fail(
            "TG707",
            f"key {fp} is listed for {names}, which names no agent or role of the module map",
            "the lead lists the key under a module's `agent` id or the lead/reviewer role "
            f"name in {path}",
            path,
            fp,
        )
    for principal, actor in mapped:
        if claimed is not None and same_actor(actor, claimed):
            return Verdict(actor, principal, fp, ())
    return Verdict(mapped[0][1], mapped[0][0], fp, ())


def read_signers(read: Reader, policy: Policy, where: str) -> AllowedSigners | Verdict:
    path = policy.identity.allowed_signers
    data = read(path)
    if data is None:
        return _fail(
            "TG708",
            f'[identity] mode = "signed", but {path} does not exist at {where}',
            f"the lead commits it ({SETUP_HINT}), or sets allowed_signers under [identity]",
            path,
        )
    return allowed_signers(data)


def _listed(
    found: AllowedSigners, key: bytes, when: Callable[[], float], path: str, fp: str
) -> Sequence[Signer] | Verdict:
    listed = found.by_key.get(key, ())
    if not listed:
        return _fail(
            "TG703",
            f"signed with the {key_type(key)} key {fp}, which is not listed in {path}",
            f"sign with your own listed key, or have the lead list this one ({SETUP_HINT})",
            path,
            fp,
        )
    for_git = [s for s in listed if s.allows_namespace("git")]
    if not for_git:
        return _fail(
            "TG704",
            f"the key {fp} is listed in {path} (line {listed[0].line}) for the namespaces "
            f"'{listed[0].namespaces}', which exclude git",
            f'the lead adds git to its namespaces="…" option in {path}',
            path,
            fp,
        )
    timed = any(s.valid_after is not None or s.valid_before is not None for s in for_git)
    at = when() if timed else 0.0  # the committer time is read only when a line needs it
    valid = [s for s in for_git if not timed or s.valid_at(at)]
    if not valid:
        s = for_git[0]
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at))
        return _fail(
            "TG705",
            f"the key {fp} (line {s.line} of {path}) is not valid at {stamp}: it is expired "
            "or not yet valid (valid-after/valid-before)",
            "sign with a current key; the lead renews the key's validity or lists a new key "
            f"({SETUP_HINT})",
            path,
            fp,
        )
    return valid


def judge_commit(
    raw: bytes, read_base: Reader, policy: Policy, structure: Structure | None, where: str,
    claimed: Actor | None, sha: str | None = None,
) -> Verdict:  # fmt: skip
    """The signer of an existing commit, verified against the allowed signers of its base."""
    from taskgate.identity.ahead import VERIFIER

    checked = VERIFIER.check(sha, raw)
    if checked.kind == "unsigned":
        return _fail(
            "TG701",
            '[identity] mode = "signed", and this commit is not signed',
            f"{RESIGN}; git signs with gpg.format=ssh, user.signingkey and "
            f"commit.gpgsign=true ({SETUP_HINT})",
        )
    if checked.key is None:
        return _fail("TG702", f"the commit's signature cannot be read: {checked.problem}", RESIGN)
    fp = fingerprint(checked.key)
    found = read_signers(read_base, policy, where)
    if isinstance(found, Verdict):
        return found._replace(fingerprint=fp)
    path = policy.identity.allowed_signers
    memo = (id(found), id(structure), checked.key, path, *_actor_key(claimed))
    if checked.problem is None:
        # Thousands of commits by a handful of keys: the good ones share a few verdicts.
        hit = _VERDICTS.get(memo)
        if hit is not None and hit[0] is found and hit[1] is structure:
            return hit[2]
    usable = _listed(found, checked.key, lambda: committer_time(raw) or time.time(), path, fp)
    if isinstance(usable, Verdict):
        return usable
    if checked.kind == "namespace":
        return _fail("TG704", f"the signature by {fp} is not a git signature: "
                     f"{checked.problem}", RESIGN, path, fp)  # fmt: skip
    if checked.problem is not None:
        return _fail(
            "TG702",
            f"the signature by {fp} does not verify ({checked.problem}): the commit was "
            "changed after it was signed, or the signature belongs to another commit",
            RESIGN,
            None,
            fp,
        )
    verdict = _pick(usable, structure, claimed, path, fp)
    if not any(s.valid_after or s.valid_before for s in found.by_key.get(checked.key, ())):
        if len(_VERDICTS) > 4096:
            _VERDICTS.clear()
        _VERDICTS[memo] = (found, structure, verdict)  # kept alive: their ids stay theirs
    return verdict


# (signers, module map, key, path, claimed role and module) → a good signature's verdict.
_VERDICTS: dict[tuple[object, ...], tuple[AllowedSigners, Structure | None, Verdict]] = {}


def _actor_key(actor: Actor | None) -> tuple[object, object]:
    if actor is None:
        return None, None
    return actor.role, actor.module.name if actor.module else None


# --- before the commit exists: the key git is configured to sign with ------------------


def _git_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("", "true", "yes", "on", "1")


def configured_key(config: Config, root: Path) -> bytes | str:
    """The public key blob git will sign with, or a sentence saying why there is none."""
    fmt = (config("gpg.format") or "openpgp").strip().lower()
    if fmt != "ssh":
        return f"gpg.format is '{fmt}', not 'ssh'"
    if not _git_true(config("commit.gpgsign")):
        return "commit.gpgsign is not true, so the commit would not be signed"
    key = (config("user.signingkey") or "").strip()
    if not key:
        return "user.signingkey is not set"
    if key.startswith(("key::", "ssh-", "ecdsa-")):
        literal = key.removeprefix("key::")
        blob = public_key_of_file(literal.encode())
        return blob if blob is not None else f"user.signingkey '{key[:40]}…' is not a public key"
    path = Path(os.path.expanduser(key))
    if not path.is_absolute():
        path = root / path  # git runs the hooks, and ssh-keygen, in the top level
    for candidate in (path, path.with_name(path.name + ".pub")):
        try:
            data = candidate.read_bytes()
        except OSError:
            continue
        blob = public_key_of_file(data)
        if blob is not None:
            return blob
    return f"user.signingkey {key} is not a readable SSH key file"


def judge_local(
    config: Config, root: Path, read_base: Reader, policy: Policy,
    structure: Structure | None, where: str, claimed: Actor | None,
) -> Verdict:  # fmt: skip
    """The actor the configured signing key will prove, looked up in the base's signers."""
    key = configured_key(config, root)
    if isinstance(key, str):
        return _fail(
            "TG709",
            f'[identity] mode = "signed", but this commit would not be signed by an SSH key: {key}',
            "commit from the worktree `taskgate agent worktree NAME PATH` made for you, or "
            "configure signing: `git config gpg.format ssh`, `git config user.signingkey "
            "PATH/TO/KEY`, `git config commit.gpgsign true`",
        )
    fp = fingerprint(key)
    found = read_signers(read_base, policy, where)
    if isinstance(found, Verdict):
        return found._replace(fingerprint=fp)
    path = policy.identity.allowed_signers
    usable = _listed(found, key, time.time, path, fp)
    if isinstance(usable, Verdict):
        return usable
    return _pick(usable, structure, claimed, path, fp)
