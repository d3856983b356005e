"""The in-process verifier against git's own (`git verify-commit`, i.e. ssh-keygen) as oracle.

Over 200 real commit objects: signed with ed25519, ECDSA P-256/384/521 and RSA keys by
`git commit-tree -S`, by hand with sha256 and with a foreign namespace, by an unlisted
key, by keys restricted to another namespace or expired, and tampered after signing
(message, tree, signature moved onto another commit). Each verdict must match git's.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from taskgate.identity.sshsig import SignatureError, parse_armored, split_commit, verify
from taskgate.identity.verdict import judge_commit
from taskgate.policy import IdentityPolicy, Policy
from tests.conftest import GitRepo
from tests.identity.support import keygen, public_line

LISTED = ("ed", "p256", "p384", "p521", "rsa")
KINDS = {"ed": "ed25519", "p256": "ecdsa", "p384": "ecdsa384", "p521": "ecdsa521", "rsa": "rsa",
         "stranger": "ed25519",
         "nsonly": "ed25519", "old": "ed25519"}  # fmt: skip
POLICY = Policy(identity=IdentityPolicy("signed", "allowed_signers"))


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", *args], cwd=repo, input=stdin, capture_output=True, check=True
    ).stdout


def _raw_commits(repo: Path, shas: list[str]) -> list[bytes]:
    """The raw commit objects, read by one `git cat-file --batch` (not a process each)."""
    out = _git(repo, "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha in shas).encode())
    raws = []
    for sha in shas:
        header, _, out = out.partition(b"\n")
        name, kind, size = header.split()
        assert (name.decode(), kind) == (sha, b"commit"), header
        raws.append(out[: int(size)])
        out = out[int(size) + 1 :]
    assert not out
    return raws


def _hash_commit(repo: Path, raw: bytes) -> str:
    return _git(repo, "hash-object", "-t", "commit", "-w", "--stdin", stdin=raw).decode().strip()


def _hash_commits(repo: Path, raws: list[bytes]) -> list[str]:
    """Write the commit objects `raws` with one `git hash-object --stdin-paths`; their ids."""
    folder = repo.parent / "tampered"
    folder.mkdir(exist_ok=True)
    paths = []
    for i, raw in enumerate(raws):
        path = folder / str(i)
        path.write_bytes(raw)
        paths.append(f"{path}\n")
    out = _git(repo, "hash-object", "-t", "commit", "-w", "--stdin-paths",
               stdin="".join(paths).encode())  # fmt: skip
    shas = out.decode().split()
    assert len(shas) == len(raws)
    return shas


def _sign_by_hand(repo: Path, key: Path, payload: bytes, namespace: str, n: int) -> str:
    """A commit object signed with ssh-keygen directly: sha256 hash, or another namespace."""
    data = repo.parent / f"payload{n}"
    data.write_bytes(payload)
    subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-n", namespace, "-O", "hashalg=sha256",
         "-f", str(key), str(data)],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    sig = data.with_name(data.name + ".sig").read_bytes().strip().split(b"\n")
    header, _, body = payload.partition(b"\n\n")
    gpgsig = b"gpgsig " + b"\n ".join(sig)
    return _hash_commit(repo, header + b"\n" + gpgsig + b"\n\n" + body)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str]]]:
    """(repository, [(commit id, how it was made)]) with the allowed signers in place."""
    root = tmp_path_factory.mktemp("oracle")
    keys = {name: keygen(root / name, kind) for name, kind in KINDS.items()}
    signers = root / "allowed_signers"
    signers.write_text(
        "".join(f"agent-{name} {public_line(keys[name])}\n" for name in LISTED)
        + f'agent-ns namespaces="file" {public_line(keys["nsonly"])}\n'
        + f'agent-old valid-before="20200101" {public_line(keys["old"])}\n'
    )
    repo = GitRepo(root / "repo")
    repo.path.mkdir()
    repo.git("init", "-q")
    trees = []
    for i in range(4):
        repo.write(f"f{i}.txt", f"{i}\n")
        repo.add()
        trees.append(repo.git("write-tree").stdout.strip())
    parent = _git(repo.path, "commit-tree", trees[0], "-m", "root").decode().strip()

    def commit_tree(job: tuple[int, str]) -> tuple[str, str]:
        i, name = job
        message = f"feat(x): change {i}\n\nbody {i}\ngpgsig not a header\n"
        sha = _git(
            repo.path, "-c", "gpg.format=ssh", "-c", f"user.signingkey={keys[name]}",
            "commit-tree", "-S", trees[i % 4], "-p", parent, "-m", message,
        ).decode().strip()  # fmt: skip
        return sha, f"signed by {name}"

    jobs = [(i, LISTED[i % len(LISTED)]) for i in range(120)]
    jobs += [
        (200 + i, name) for i, name in enumerate(["stranger"] * 12 + ["nsonly"] * 5 + ["old"] * 5)
    ]
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(commit_tree, jobs))
    # Tampered copies of the first good ones: the object changes, the signature stays.
    plain = _git(repo.path, "cat-file", "commit", parent)
    people = plain.partition(b"\n\n")[0].split(b"\n")[1:]  # the root's author, committer
    tampered: list[tuple[bytes, str]] = []
    for n, raw in enumerate(_raw_commits(repo.path, [sha for sha, _how in made[:60]])):
        if n % 3 == 0:
            tampered.append((raw.replace(b"change ", b"chang3 ", 1), "message changed"))
        elif n % 3 == 1:
            tree = trees[(trees.index(raw[5:45].decode()) + 1) % 4]
            tampered.append((raw[:5] + tree.encode() + raw[45:], "tree changed"))
        else:
            # The signature moved onto another commit of the same parent (what
            # `git commit-tree TREE -p PARENT -m "other N"` writes).
            signature, _payload = split_commit(raw)
            assert signature is not None
            head = b"\n".join([f"tree {trees[3]}".encode(), f"parent {parent}".encode(), *people])
            moved = head + b"\ngpgsig " + b"\n ".join(signature.rstrip(b"\n").split(b"\n"))
            tampered.append((moved + f"\n\nother {n}\n".encode(), "signature moved"))
    shas = _hash_commits(repo.path, [raw for raw, _how in tampered])
    made += [(sha, how) for sha, (_raw, how) in zip(shas, tampered, strict=True)]
    # By hand: sha256 signatures (good), and signatures made for another namespace (bad).
    for n in range(12):
        name = ("ed", "rsa", "p256", "p384")[n % 4]
        payload = plain.replace(b"root", f"by hand {n}".encode())
        namespace = "git" if n < 8 else "file"
        made.append((_sign_by_hand(repo.path, keys[name], payload, namespace, n),
                     f"by hand, {namespace}, {name}"))  # fmt: skip
    return repo.path, made


def _oracle(repo: Path, sha: str) -> bool:
    proc = subprocess.run(
        ["git", "-c", f"gpg.ssh.allowedSignersFile={repo.parent / 'allowed_signers'}",
         "verify-commit", sha],
        cwd=repo, capture_output=True, check=False,
    )  # fmt: skip
    return proc.returncode == 0


@pytest.mark.slow  # ~25 s on a loaded machine: 214 objects, a git process or two each
def test_the_verifier_agrees_with_git_verify_commit(
    corpus: tuple[Path, list[tuple[str, str]]],
) -> None:
    repo, made = corpus
    assert len(made) >= 200
    signers = (repo.parent / "allowed_signers").read_bytes()
    with ThreadPoolExecutor(4) as pool:
        expected = list(pool.map(lambda item: _oracle(repo, item[0]), made))
    ours = []
    for raw in _raw_commits(repo, [sha for sha, _how in made]):
        verdict = judge_commit(raw, lambda _p: signers, POLICY, None, "test", None)
        ours.append(not verdict.findings)
    disagreements = [(how, sha, e) for (sha, how), e, o in zip(made, expected, ours, strict=True)
                     if e != o]  # fmt: skip
    assert not disagreements
    # The corpus holds both verdicts in number, so agreeing is not trivially "all bad".
    assert sum(expected) >= 100
    assert len(expected) - sum(expected) >= 80


def test_each_kind_of_damage_is_its_own_finding(
    corpus: tuple[Path, list[tuple[str, str]]],
) -> None:
    repo, made = corpus
    signers = (repo.parent / "allowed_signers").read_bytes()
    rules: dict[str, set[str]] = {}
    for (_sha, how), raw in zip(made, _raw_commits(repo, [sha for sha, _ in made]), strict=True):
        verdict = judge_commit(raw, lambda _p: signers, POLICY, None, "test", None)
        rules.setdefault(how, set()).update(f.rule for f in verdict.findings)
    assert rules["signed by stranger"] == {"TG703"}
    assert rules["signed by nsonly"] == {"TG704"}
    assert rules["signed by old"] == {"TG705"}
    assert (
        rules["message changed"] == rules["tree changed"] == rules["signature moved"] == {"TG702"}
    )
    assert rules["by hand, file, ed"] == {"TG704"}
    assert all(rules[f"signed by {name}"] == set() for name in LISTED)
    assert rules["by hand, git, rsa"] == set()


def test_a_gpgsig_line_in_the_message_is_payload_not_signature() -> None:
    raw = b"tree 1\nauthor a\ncommitter c\n\nsubject\n\ngpgsig -----BEGIN SSH SIGNATURE-----\n"
    assert split_commit(raw) == (None, raw)


@pytest.mark.parametrize(
    "armor",
    [b"-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----",
     b"-----BEGIN SSH SIGNATURE-----\n!!!\n-----END SSH SIGNATURE-----",
     b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----",
     b"-----BEGIN SSH SIGNATURE-----\nAAAA"],
)  # fmt: skip
def test_damaged_signatures_are_errors_not_tracebacks(armor: bytes) -> None:
    with pytest.raises(SignatureError):
        verify(parse_armored(armor), b"payload")
