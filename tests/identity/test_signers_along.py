"""The allowed signers at each commit of a `ci` range, as the lead changes them inside the
range: removed keys, the file renamed away and back. `ci` carries the file along the
range's diffs instead of reading it by path at every commit; the verdicts must be the
ones a read by path gives (real ssh-keygen keys, real `git commit -S`).
"""

from __future__ import annotations

from pathlib import Path

from tests.ci.support import USERS_V1, board
from tests.identity.support import (
    AGENTS,
    SIGNERS,
    ci_on_fresh_clone,
    signed_commit,
    signed_setup,
    signers_text,
)


def test_signers_changed_inside_the_range_judge_the_commits_after_them(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    _server, mirror, work = signed_setup(tmp_path, keys)
    base = work.head()
    lead, coder = keys["lead"], keys["python-coder"]
    without = tuple(name for name in AGENTS if name != "python-coder")
    signed_commit(work, "chore(lead): retire a key", {SIGNERS: signers_text(keys, without)},
                  lead)  # fmt: skip
    start = {"shared/task_list.json": board(T1={"status": "in_progress"})}
    signed_commit(work, "chore(python): start T1", start, coder)  # TG703: not listed now
    work.git("mv", SIGNERS, "shared/signers.old")
    signed_commit(work, "chore(lead): put the signers aside", {}, lead)
    work.git("mv", "shared/signers.old", SIGNERS)
    # Its parent has no signers file: TG708, whoever signs.
    signed_commit(work, "chore(lead): the signers again", {SIGNERS: signers_text(keys)}, lead)
    users = {"services/api/app/users.py": USERS_V1}
    signed_commit(work, "feat(python): add users", users, coder)  # listed again: lands
    work.git("push", "-q", "-f", "mirror", "main")
    found = ci_on_fresh_clone(mirror, base, tmp_path / "fresh")
    assert found == [("TG703", SIGNERS), ("TG708", SIGNERS)]
