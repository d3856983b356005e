"""Signatures verified ahead of the rules (`taskgate.identity.ahead`): in a forked child on
Linux, by threads elsewhere. Whatever does the work, every commit gets the verdict the
in-process check gives, and no process is left behind when the run ends early.

Real commits: `git commit-tree -S` with ssh-keygen keys, unsigned ones, ones signed by a
key nobody listed, and signed ones whose message was changed afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import taskgate.judge
from taskgate import ci
from taskgate.git import Repo
from taskgate.identity import ahead
from taskgate.identity.sshsig import check_commit_signature
from tests.conftest import GitRepo
from tests.identity.support import SIGNED_POLICY, SIGNERS, signers_text

COMMITS = 70  # more than two of the child's batches
FORKS = sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    out = subprocess.run(["git", *args], cwd=repo, input=stdin, capture_output=True, check=True)
    return out.stdout.decode().strip()


@pytest.fixture(scope="module")
def history(
    tmp_path_factory: pytest.TempPathFactory, keys: dict[str, Path]
) -> tuple[Path, str, list[tuple[str, str]]]:
    """(repository, root, [(commit id, how it was made)]): a chain of COMMITS commits on a
    signed-mode root."""
    repo = GitRepo(tmp_path_factory.mktemp("ahead") / "repo")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("taskgate.toml", SIGNED_POLICY)
    repo.write(SIGNERS, signers_text(keys))
    repo.add()
    tree = _git(repo.path, "write-tree")
    root = parent = _git(repo.path, "commit-tree", tree, "-m", "chore(lead): root")
    made = []
    for i in range(COMMITS):
        how = ("signed", "signed", "signed", "unsigned", "stranger", "tampered")[i % 6]
        key = keys["stranger" if how == "stranger" else "python-coder"]
        sign = () if how == "unsigned" else ("-c", "gpg.format=ssh", "-c",
                                             f"user.signingkey={key}")  # fmt: skip
        message = f"chore(python): change {i}"
        parent = _git(repo.path, *sign, "commit-tree", *(("-S",) if sign else ()), tree,
                      "-p", parent, "-m", message)  # fmt: skip
        if how == "tampered":
            raw = subprocess.run(["git", "cat-file", "commit", parent], cwd=repo.path,
                                 capture_output=True, check=True).stdout  # fmt: skip
            bad = raw.replace(b"change", b"chang3", 1)
            parent = _git(repo.path, "hash-object", "-t", "commit", "-w", "--stdin", stdin=bad)
        made.append((parent, how))
    repo.git("update-ref", "refs/heads/main", parent)
    return repo.path, root, made


def _raws(path: Path, shas: list[str]) -> list[tuple[str, bytes]]:
    repo = Repo(path)
    try:
        return [(info.sha, info.raw) for info in repo.read_commits(shas)]
    finally:
        repo.close()


def _kinds(verifier: ahead.Verifier, pairs: list[tuple[str, bytes]]) -> list[str]:
    out = []
    for sha, raw in pairs:
        found = verifier.check(sha, raw)
        assert found == check_commit_signature(raw)  # the in-process check is the oracle
        out.append(found.kind or "good")
    return out


EXPECTED = [("good", "good", "good", "unsigned", "good", "invalid")[i % 6] for i in range(COMMITS)]


def _forks() -> bool:
    # Linux, two CPUs or more, and no other thread (the thread fallback's workers stay).
    return FORKS and threading.active_count() == 1


def test_every_verdict_from_the_child_matches_the_in_process_check(
    history: tuple[Path, str, list[tuple[str, str]]],
) -> None:
    path, _root, made = history
    pairs = _raws(path, [sha for sha, _how in made])
    verifier = ahead.Verifier()
    forks = _forks()
    verifier.ahead(pairs)
    assert len(verifier._children) == forks
    # A stranger's signature verifies on its own; its key is looked up later (TG703).
    assert _kinds(verifier, pairs) == EXPECTED
    # Every result read: the child was reaped without waiting for `close`.
    assert all(child.stream is None for child in verifier._children)
    verifier.close()


def test_a_child_that_dies_early_costs_no_verdict(
    history: tuple[Path, str, list[tuple[str, str]]],
) -> None:
    path, _root, made = history
    pairs = _raws(path, [sha for sha, _how in made])
    verifier = ahead.Verifier()
    verifier.ahead(pairs)
    for child in verifier._children:
        os.kill(child.pid, signal.SIGKILL)
    assert _kinds(verifier, pairs) == EXPECTED  # what the child did not send: checked here
    pids = [child.pid for child in verifier._children]
    verifier.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # reaped: not even a zombie is left


def test_an_interrupted_check_leaves_no_process_behind(
    history: tuple[Path, str, list[tuple[str, str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, root, _made = history
    forked: list[int] = []
    real_fork = ahead._fork

    def recording_fork(raws: list[bytes]) -> ahead._Child | None:
        child = real_fork(raws)
        if child is not None:
            forked.append(child.pid)
        return child

    def interrupted(*_args: object) -> list[object]:
        raise KeyboardInterrupt  # Ctrl-C while the rules run on the second commit

    forks = _forks()
    monkeypatch.setattr(ahead, "_fork", recording_fork)
    monkeypatch.setattr(ahead, "VERIFIER", ahead.Verifier())
    monkeypatch.setattr(taskgate.judge, "run_checks", interrupted)
    repo = Repo(path)
    try:
        shas = ci.range_commits(repo, ci.resolve_range(repo, f"{root}..main"))
        with pytest.raises(KeyboardInterrupt):
            ci.check_commits(repo, shas, range_base=root, history_before=True)
    finally:
        repo.close()
    assert len(forked) == forks
    assert ahead.VERIFIER._children == []
    for pid in forked:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_threads_give_the_same_verdicts_where_there_is_no_fork(
    history: tuple[Path, str, list[tuple[str, str]]],
) -> None:
    # Last in this module: the worker threads stay (daemons), and forking waits for none.
    path, _root, made = history
    pairs = _raws(path, [sha for sha, _how in made])
    verifier = ahead.Verifier(fork=False)
    verifier.ahead(pairs)
    assert verifier._children == []
    assert _kinds(verifier, pairs) == EXPECTED
    assert threading.active_count() > 1
    assert ahead._fork([raw for _sha, raw in pairs[:1]]) is None  # never beside threads
