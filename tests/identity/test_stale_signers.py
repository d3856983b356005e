"""A commit built on a stale base is judged under the range base's policy, identity
included: the allowed signers (and the identity mode) come from the base the range lands
on, not only from the commit's own first parent (SPEC §10.3, §10.4).

Hostile route: the lead removes an agent's key (or turns signed mode on) on main; the
agent keeps committing on a branch made before that, where its key is still listed (or
nothing is signed), and the branch is merged by the lead with a good signature. Every
case goes through pre-receive on a bare server and `taskgate ci` on a fresh clone, with
real ssh-keygen keys and real `git commit -S`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.support import USERS_V1, board
from tests.conftest import GitRepo
from tests.identity.support import (
    AGENTS,
    SIGNED_POLICY,
    SIGNERS,
    ci_on_fresh_clone,
    sign_args,
    signed_commit,
    signed_setup,
    signers_text,
    text_findings,
)
from tests.support.templates import HOOKLESS_RECEIVE

# Slow: signed histories on a stale base, through a server and ci.
pytestmark = pytest.mark.slow

CLAIMED_POLICY = "[gate]\nenabled = false\n"


def _scene_push(work: GitRepo) -> None:
    """The lead's commit reaches the server and the mirror: the scene, pushed past the
    server's pre-receive (the merge pushed afterwards is what the server judges)."""
    for remote in ("origin", "mirror"):
        proc = work.git(
            "push", "-q", f"--receive-pack={HOOKLESS_RECEIVE}", remote, "main", check=False
        )
        assert proc.returncode == 0, proc.stderr


def _stale_branch_merged(
    tmp_path: Path, keys: dict[str, Path], lead_change: dict[str, str], sign_coder: bool
) -> tuple[int, list[tuple[str, str | None]], list[tuple[str, str | None]], bool]:
    """`lead_change` lands on main after the branch `py` was made; python-coder commits on
    `py` (signed or not) and the lead merges it with a signed merge commit. Returns (the
    server's exit, pre-receive findings, ci findings over base..main on a fresh clone,
    whether the server's main is still at the base)."""
    server, mirror, work = signed_setup(tmp_path, keys)
    work.git("branch", "py")
    signed_commit(work, "chore(lead): change who may sign", lead_change, keys["lead"])
    _scene_push(work)
    base = work.head()
    work.git("checkout", "-q", "py")
    coder = keys["python-coder"] if sign_coder else None
    start = {"shared/task_list.json": board(T1={"status": "in_progress"})}
    signed_commit(work, "chore(python): start T1", start, coder)
    signed_commit(work, "feat(python): add users", {"services/api/app/users.py": USERS_V1},
                  coder)  # fmt: skip
    work.git("checkout", "-q", "main")
    merged = work.git(*sign_args(keys["lead"]), "merge", "-S", "--no-ff", "--no-verify",
                      "-m", "Merge branch 'py'", "py", check=False)  # fmt: skip
    assert merged.returncode == 0, merged.stderr
    pushed = work.git("push", "origin", "main", check=False)
    work.git("push", "-q", "-f", "mirror", "main")
    found = ci_on_fresh_clone(mirror, base, tmp_path / "fresh")
    kept = server.git("rev-parse", "main").stdout.strip() == base
    return pushed.returncode, text_findings(pushed.stderr), found, kept


def test_a_key_removed_at_the_base_cannot_sign_on_a_stale_branch(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    retired = tuple(name for name in AGENTS if name != "python-coder")
    code, pushed, ci, refused = _stale_branch_merged(
        tmp_path, keys, {SIGNERS: signers_text(keys, retired)}, sign_coder=True
    )
    # Both of the coder's commits: its key is still listed at their parent, not at the base.
    assert code != 0
    assert refused
    assert pushed == [("TG703", SIGNERS)] * 2
    assert ci == [("TG703", SIGNERS)] * 2


def test_signed_mode_turned_on_at_the_base_judges_a_stale_branch(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    server, mirror, work = signed_setup(tmp_path, keys)
    # Back to claimed mode first (the lead's signed commit), so the branch starts unsigned.
    signed_commit(work, "chore(lead): claimed for now", {"taskgate.toml": CLAIMED_POLICY},
                  keys["lead"])  # fmt: skip
    _scene_push(work)
    work.git("branch", "py")
    signed_commit(work, "chore(lead): signed from now on", {"taskgate.toml": SIGNED_POLICY},
                  keys["lead"])  # fmt: skip
    _scene_push(work)
    base = work.head()
    work.git("checkout", "-q", "py")
    start = {"shared/task_list.json": board(T1={"status": "in_progress"})}
    signed_commit(work, "chore(python): start T1", start, None)
    work.git("checkout", "-q", "main")
    merged = work.git(*sign_args(keys["lead"]), "merge", "-S", "--no-ff", "--no-verify",
                      "-m", "Merge branch 'py'", "py", check=False)  # fmt: skip
    assert merged.returncode == 0, merged.stderr
    pushed = work.git("push", "origin", "main", check=False)
    work.git("push", "-q", "-f", "mirror", "main")
    assert pushed.returncode != 0
    assert text_findings(pushed.stderr) == [("TG701", None)]
    assert ci_on_fresh_clone(mirror, base, tmp_path / "fresh") == [("TG701", None)]
    assert server.git("rev-parse", "main").stdout.strip() == base


def test_a_stale_branch_signed_by_a_key_still_listed_lands(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    # The lead changes the signers file without touching python-coder's line.
    kept = signers_text(keys) + "# reviewed\n"
    code, pushed, ci, refused = _stale_branch_merged(
        tmp_path, keys, {SIGNERS: kept}, sign_coder=True
    )
    assert (code, pushed, ci, refused) == (0, [], [], False)
