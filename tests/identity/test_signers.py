"""The allowed-signers format, the [identity] policy, and TG707/TG708 end to end."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from taskgate.identity.signers import match_pattern_list, parse_allowed_signers, parse_time
from taskgate.identity.sshsig import public_key_of_file
from tests.conftest import GitRepo
from tests.identity.support import (
    SIGNERS,
    ci_on_fresh_clone,
    public_line,
    signed_commit,
    signed_setup,
    text_findings,
    write,
)
from tests.support.inprocess import run_main


def _install(repo: GitRepo) -> None:
    """`taskgate install` in process (the scene; the pushes and commits are the subject)."""
    proc = run_main("install", cwd=repo.path)
    assert proc.returncode == 0, proc.stderr


def test_lines_with_options_quotes_and_comments(keys: dict[str, Path]) -> None:
    ed = public_line(keys["lead"])
    text = (
        "# the team\n\n"
        f"lead,review {ed}\n"
        f'"python-coder" namespaces="git,file",valid-after="20200101",valid-before="29991231Z" '
        f"{public_line(keys['python-coder'])}\n"
    )
    parsed = parse_allowed_signers(text.encode())
    assert parsed.problems == ()
    lead, coder = parsed.signers
    assert lead.principals == ("lead", "review")
    assert lead.line == 3
    assert coder.principals == ("python-coder",)
    assert coder.allows_namespace("git")
    assert not coder.allows_namespace("email")
    assert coder.valid_at(time.time())
    assert not coder.valid_at(parse_time("20191231"))
    assert parsed.by_key[public_key_of_file(ed.encode())] == (lead,)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("lead cert-authority {key}", "cert-authority lines are not supported"),
        ("lead ssh-ed25519 not-base64!", "not valid base64"),
        ("lead ssh-rsa {blob}", "the key's own type is not 'ssh-rsa'"),
        ("lead bogus=1 {key}", "unknown option 'bogus'"),
        ('lead valid-before="2024" {key}', "is not YYYYMMDD"),
        ('lead namespaces="git {key}', "unbalanced double quote"),
        ("lead", "no key type and key"),
    ],
)
def test_unusable_lines_are_problems_with_line_numbers(
    keys: dict[str, Path], line: str, problem: str
) -> None:
    key = public_line(keys["lead"])
    text = "\n" + line.format(key=key, blob=key.split()[1]) + "\n"
    parsed = parse_allowed_signers(text.encode())
    assert parsed.signers == ()
    assert len(parsed.problems) == 1
    number, said = parsed.problems[0]
    assert number == 2
    assert problem in said


def test_namespace_patterns_follow_openssh() -> None:
    assert match_pattern_list("git", "git")
    assert match_pattern_list("git", "file,g*")
    assert not match_pattern_list("git", "*,!git")
    assert not match_pattern_list("git", "file")


def test_identity_policy_is_strict(workflow_repo: GitRepo) -> None:
    repo = workflow_repo
    cases = (
        ('[identity]\nmode = "trusted"\n', "identity.mode must be"),
        ('[identity]\nsigners = "x"\n', "unknown key 'signers'"),
        ('[identity]\nallowed_signers = "../x"\n', "must be a path inside"),
    )
    for text, said in cases:
        repo.write("taskgate.toml", text)
        repo.add("taskgate.toml")
        repo.commit("chore(lead): try", "--no-verify", check=True)
        proc = repo.taskgate("check", "--no-gate")
        assert proc.returncode == 2
        assert said in proc.stderr
        assert "Traceback" not in proc.stderr


@pytest.mark.slow  # signed commits through the hooks
def test_a_principal_outside_the_module_map_and_a_missing_file(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    _server, mirror, work = signed_setup(tmp_path, keys)
    base = work.head()
    signers = (work.path / SIGNERS).read_text() + f"bob {public_line(keys['stranger'])}\n"
    signed_commit(work, "chore(lead): list bob", {SIGNERS: signers}, keys["lead"])
    signed_commit(work, "docs(lead): by bob", {"README.md": "bob\n"}, keys["stranger"])
    proc = work.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    assert text_findings(proc.stderr) == [("TG707", SIGNERS)]
    work.git("push", "-q", "mirror", "main")
    assert ci_on_fresh_clone(mirror, base, tmp_path / "fresh1") == [("TG707", SIGNERS)]

    # The lead removes the file: every later commit has no signers to be checked against.
    work.git("reset", "-q", "--hard", base)
    signed_commit(work, "chore(lead): drop the signers", {SIGNERS: None}, keys["lead"])
    signed_commit(work, "docs(lead): after", {"README.md": "x\n"}, keys["lead"])
    proc = work.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    assert text_findings(proc.stderr) == [("TG708", SIGNERS)]


def test_a_lead_commit_writing_a_broken_line_is_refused(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    _server, _mirror, work = signed_setup(tmp_path, keys)
    text = (work.path / SIGNERS).read_text() + "python-coder ssh-ed25519 AAAA-broken\n"
    signed_commit(work, "chore(lead): a typo", {SIGNERS: text}, keys["lead"])
    proc = work.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    assert text_findings(proc.stderr) == [("TG708", SIGNERS)]
    assert f"{SIGNERS}:5: " in proc.stderr


def test_pre_push_refuses_an_unsigned_commit(tmp_path: Path, keys: dict[str, Path]) -> None:
    _server, _mirror, work = signed_setup(tmp_path, keys)
    _install(work)
    write(work, {"README.md": "unsigned\n"})
    work.git("commit", "-q", "--no-verify", "--no-gpg-sign", "-m", "docs(lead): unsigned")
    proc = work.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    assert text_findings(proc.stderr) == [("TG701", None)]
    assert "remote:" not in proc.stderr  # refused before it left: pre-push, not the server


@pytest.mark.slow  # signed commits through the hooks
def test_an_unsigned_root_commit_lands_and_the_next_one_must_be_signed(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    """A root commit supplies its own signers, so its signature would prove nothing."""
    from tests.ci.support import bare, clone, workflow_files
    from tests.identity.support import SIGNED_POLICY, signers_text

    server = bare(tmp_path / "server.git")
    _install(server)
    work = clone(server.path, tmp_path / "work")
    files = {**workflow_files(), "taskgate.toml": SIGNED_POLICY, SIGNERS: signers_text(keys)}
    _install(work)  # the local hooks too: the first commit has no base to be signed against
    write(work, files)
    first = work.commit("chore(lead): set up")
    assert first.returncode == 0, first.stderr
    assert work.git("push", "origin", "main", check=False).returncode == 0
    signed_commit(work, "docs(lead): readme", {"README.md": "x\n"}, None)
    proc = work.git("push", "--no-verify", "origin", "main", check=False)
    assert proc.returncode != 0
    assert text_findings(proc.stderr) == [("TG701", None)]
