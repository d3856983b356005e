"""Signed mode end to end: pre-receive on a bare server, and `taskgate ci` on a fresh clone.

Every case pushes the same commits twice: to a server with taskgate's pre-receive hook
(accepted or refused), and to a plain mirror, of which a fresh clone runs `taskgate ci`.
Both must agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.support import USERS_V1, board
from tests.identity.support import (
    SIGNERS,
    ci_on_fresh_clone,
    public_line,
    rewrite_commit,
    signed_commit,
    signed_setup,
    text_findings,
)

# Slow: signed commits pushed to a server and to a mirror checked by ci on a clone.
pytestmark = pytest.mark.slow

MSG = "COMMIT_EDITMSG"


class Signed:
    def __init__(self, tmp_path: Path, keys: dict[str, Path]) -> None:
        self.tmp = tmp_path
        self.keys = keys
        self.server, self.mirror, self.work = signed_setup(tmp_path, keys)
        self.base = self.work.head()

    def push(
        self, rev: str = "HEAD", *, process: bool = False
    ) -> tuple[int, list[tuple[str, str | None]], list[tuple[str, str | None]]]:
        """(pre-receive exit, pre-receive findings, ci findings on a fresh mirror clone);
        ci in process unless `process`."""
        proc = self.work.git("push", "origin", f"{rev}:refs/heads/main", check=False)
        self.work.git("push", "-q", "-f", "mirror", f"{rev}:refs/heads/main")
        found = ci_on_fresh_clone(
            self.mirror, self.base, self.tmp / f"fresh{len(list(self.tmp.iterdir()))}",
            process=process,
        )  # fmt: skip
        return proc.returncode, text_findings(proc.stderr), found

    def server_main(self) -> str:
        return self.server.git("rev-parse", "main").stdout.strip()


@pytest.fixture
def signed(tmp_path: Path, keys: dict[str, Path]) -> Signed:
    return Signed(tmp_path, keys)


def start_t1(s: Signed, key: str = "python-coder") -> str:
    return signed_commit(
        s.work,
        "chore(python): start T1",
        {"shared/task_list.json": board(T1={"status": "in_progress"})},
        s.keys[key],
    )


def test_own_lane_signed_commits_land(signed: Signed) -> None:
    start_t1(signed)
    tip = signed_commit(
        signed.work,
        "feat(python): add users",
        {"services/api/app/users.py": USERS_V1},
        signed.keys["python-coder"],
    )
    code, pushed, ci = signed.push(process=True)  # a real `taskgate ci` process
    assert (code, pushed, ci) == (0, [], [])
    assert signed.server_main() == tip


@pytest.mark.parametrize(
    ("message", "files", "expected"),
    [
        ("feat(web): show users", {"web/index.html": "<p>users</p>\n"},
         {("TG706", MSG), ("TG201", "web/index.html")}),
        ("chore(lead): relax the policy", {"taskgate.toml": "[gate]\nenabled = false\n"},
         {("TG706", MSG), ("TG204", "taskgate.toml")}),
    ],
)  # fmt: skip
def test_a_coder_claiming_another_scope_is_refused(
    signed: Signed, message: str, files: dict[str, str], expected: set[tuple[str, str]]
) -> None:
    signed_commit(signed.work, message, files, signed.keys["python-coder"])
    code, pushed, ci = signed.push()
    assert code != 0
    assert signed.server_main() == signed.base
    assert expected <= set(pushed)
    assert expected <= set(ci)
    assert {rule for rule, _ in ci} <= {rule for rule, _ in expected} | {"TG203"}


def test_an_unsigned_commit_is_refused(signed: Signed) -> None:
    start_t1(signed)
    signed_commit(signed.work, "feat(python): add users", {"services/api/app/users.py": USERS_V1},
                  None)  # fmt: skip
    code, pushed, ci = signed.push()
    assert code != 0
    assert pushed == [("TG701", None)]
    assert ci == [("TG701", None)]


def test_a_commit_signed_by_an_unlisted_key_is_refused(signed: Signed) -> None:
    start_t1(signed, key="stranger")
    code, pushed, ci = signed.push()
    assert code != 0
    assert pushed == [("TG703", SIGNERS)]
    assert ci == [("TG703", SIGNERS)]


@pytest.mark.parametrize("what", ["message", "tree", "moved"])
def test_a_commit_changed_after_signing_is_refused(signed: Signed, what: str) -> None:
    good = start_t1(signed)
    if what == "message":
        bad = rewrite_commit(
            signed.work, good, b"chore(python): start T1", b"chore(python): start T2"
        )
    elif what == "tree":
        tree = signed.work.git("rev-parse", f"{signed.base}^{{tree}}").stdout.strip()
        own = signed.work.git("rev-parse", f"{good}^{{tree}}").stdout.strip()
        bad = rewrite_commit(signed.work, good, f"tree {own}".encode(), f"tree {tree}".encode())
    else:
        # The signature of `good`, moved onto another commit with the same parent.
        signed.work.git("reset", "-q", "--hard", signed.base)
        t1 = {"shared/task_list.json": board(T1={"status": "in_progress"})}
        other = signed_commit(signed.work, "chore(python): start T1 again", t1, None)
        raw = signed.work.git("cat-file", "commit", good).stdout
        sig = raw[raw.index("gpgsig ") : raw.index("\n\n") + 1]
        mine = signed.work.git("cat-file", "commit", other).stdout
        bad = rewrite_commit(
            signed.work, other, b"\n\n", ("\n" + sig.rstrip("\n") + "\n\n").encode()
        )
        assert "gpgsig" not in mine
        assert "gpgsig" in signed.work.git("cat-file", "commit", bad).stdout
    code, pushed, ci = signed.push(bad)
    assert code != 0
    assert pushed == [("TG702", None)]
    assert ci == [("TG702", None)]
    assert signed.work.git("verify-commit", bad, check=False).returncode != 0


def test_the_leads_signed_policy_change_lands(signed: Signed) -> None:
    policy = '[gate]\nenabled = false\n\n[commit]\nheader_max = 90\n\n[identity]\nmode = "signed"\n'
    tip = signed_commit(signed.work, "chore(lead): shorter headers", {"taskgate.toml": policy},
                        signed.keys["lead"])  # fmt: skip
    assert signed.push() == (0, [], [])
    assert signed.server_main() == tip


def test_a_coder_listing_its_own_key_is_refused(signed: Signed, keys: dict[str, Path]) -> None:
    text = (signed.work.path / SIGNERS).read_text()
    text += f"python-coder {public_line(keys['stranger'])}\n"
    signed_commit(signed.work, "chore(python): add my other key", {SIGNERS: text},
                  keys["python-coder"])  # fmt: skip
    code, pushed, ci = signed.push()
    assert code != 0
    assert ("TG204", SIGNERS) in pushed
    assert ("TG204", SIGNERS) in ci


def test_a_merge_signed_by_the_lead_lands_and_an_unsigned_one_does_not(signed: Signed) -> None:
    work, keys = signed.work, signed.keys
    work.git("checkout", "-q", "-b", "feature")
    start_t1(signed)
    work.git("checkout", "-q", "main")
    plan = "# Plan\n\n## Contracts\n\n- GET /health\n"
    signed_commit(work, "docs(lead): plan note", {"shared/plan.md": plan}, keys["lead"])
    merge = ("merge", "--no-ff", "-q", "--no-verify", "-m", "Merge branch 'feature'", "feature")
    proc = work.git("-c", "gpg.format=ssh", "-c", f"user.signingkey={keys['lead']}", *merge[:1],
                    "-S", *merge[1:], check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    signed_merge = work.head()
    work.git("reset", "-q", "--hard", "HEAD^")
    work.git(*merge, "--no-gpg-sign")
    code, pushed, ci = signed.push()
    assert code != 0
    assert pushed == [("TG701", None)]
    assert ci == [("TG701", None)]
    assert signed.push(signed_merge) == (0, [], [])
    assert signed.server_main() == signed_merge
