"""Helpers for the signed-mode tests: real ssh-keygen keys, real `git commit -S`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.ci.support import bare, clone, workflow_files
from tests.conftest import GitRepo
from tests.support.inprocess import run_main
from tests.support.templates import copy_scene

SIGNED_POLICY = '[gate]\nenabled = false\n\n[identity]\nmode = "signed"\n'
SIGNERS = "shared/allowed_signers"
# The fixture module map: python → python-coder, web → frontend-coder; roles lead, review.
AGENTS = ("lead", "python-coder", "frontend-coder", "review")


def keygen(path: Path, kind: str = "ed25519", comment: str = "") -> Path:
    """A real key pair made by ssh-keygen; returns the private key's path."""
    # "ecdsa384" and "ecdsa521" name the curve size as well.
    args = ["-t", "ecdsa", "-b", kind[5:]] if kind in ("ecdsa384", "ecdsa521") else ["-t", kind]
    subprocess.run(
        ["ssh-keygen", "-q", *args, "-N", "", "-C", comment or path.name, "-f", str(path)],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return path


def public_line(key: Path) -> str:
    return key.with_name(key.name + ".pub").read_text().strip()


def signers_text(keys: dict[str, Path], names: tuple[str, ...] = AGENTS) -> str:
    return "".join(f"{name} {public_line(keys[name])}\n" for name in names)


def sign_args(key: Path) -> tuple[str, ...]:
    return ("-c", "gpg.format=ssh", "-c", f"user.signingkey={key}")


def write(repo: GitRepo, files: dict[str, str | dict[str, Any] | None]) -> None:
    for path, content in files.items():
        if content is None:
            repo.git("rm", "-q", "--", path)
        elif isinstance(content, dict):
            repo.write_json(path, content)
            repo.add(path)
        else:
            repo.write(path, content)
            repo.add(path)


def signed_commit(
    repo: GitRepo, message: str, files: dict[str, str | dict[str, Any] | None],
    key: Path | None, *extra: str,
) -> str:  # fmt: skip
    """Commit `files` with --no-verify, signed with `key` (None: unsigned); the new HEAD."""
    write(repo, files)
    sign = ("-S",) if key is not None else ("--no-gpg-sign",)
    args = (*sign_args(key), "commit") if key is not None else ("commit",)
    proc = repo.git(*args, *sign, "--no-verify", "--allow-empty", "-q", "-m", message, *extra)
    assert proc.returncode == 0, proc.stderr
    return repo.head()


def rewrite_commit(repo: GitRepo, rev: str, old: bytes, new: bytes) -> str:
    """A copy of commit `rev` with `old` replaced by `new` in its raw object (signature kept)."""
    raw = subprocess.run(
        ["git", "cat-file", "commit", rev], cwd=repo.path, capture_output=True, check=True
    ).stdout
    assert old in raw
    out = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo.path, input=raw.replace(old, new, 1), capture_output=True, check=True,
    )  # fmt: skip
    return out.stdout.decode().strip()


def signed_setup(tmp_path: Path, keys: dict[str, Path]) -> tuple[GitRepo, GitRepo, GitRepo]:
    """(server with pre-receive, plain mirror without hooks, work clone) after the lead's
    signed set-up commit, pushed to both.

    The scene is built once per set of keys (beside the session's key folder) and copied
    into `tmp_path`, the remotes' URLs pointed at the copies."""
    folder = keys["lead"].parent
    template = folder.with_name(f"{folder.name}-signed-scene")
    done = template / "complete"
    if not done.exists():
        # Built where it stays (git records its absolute paths); complete once marked.
        shutil.rmtree(template, ignore_errors=True)
        template.mkdir()
        _build_signed_scene(template, keys)
        done.touch()
    copy_scene(template, tmp_path, SCENE)
    return tuple(GitRepo(tmp_path / name) for name in SCENE)  # type: ignore[return-value]


SCENE = ("server.git", "mirror.git", "work")


def _build_signed_scene(tmp_path: Path, keys: dict[str, Path]) -> None:
    server = bare(tmp_path / "server.git")
    proc = server.taskgate("install")
    assert proc.returncode == 0, proc.stderr
    mirror = bare(tmp_path / "mirror.git")
    work = clone(server.path, tmp_path / "work")
    work.git("remote", "add", "mirror", f"file://{mirror.path}")
    files = {**workflow_files(), "taskgate.toml": SIGNED_POLICY, SIGNERS: signers_text(keys)}
    signed_commit(work, "chore(lead): set up the workflow", files, keys["lead"])
    for remote in ("origin", "mirror"):
        proc = work.git("push", "-q", remote, "main", check=False)
        assert proc.returncode == 0, proc.stderr


_FINDING = re.compile(r"^(?:remote: )?(TG\d{3}) +(?:error|warning) +(?:(\S.*?)(?::\d+)?: )?")


def text_findings(stderr: str) -> list[tuple[str, str | None]]:
    """(rule, path or None) of text-format findings, relayed by git ("remote: …") or not."""
    out = []
    for line in stderr.splitlines():
        m = _FINDING.match(line.strip())
        if m:
            path = m.group(2)
            out.append((m.group(1), path if path and " " not in path else None))
    return out


def ci_on_fresh_clone(
    mirror: GitRepo, base: str, dest: Path, *, process: bool = False
) -> list[tuple[str, str | None]]:
    """`taskgate ci --range base..main` on a fresh clone of `mirror`: (rule, path) pairs.

    ci runs in process (`cli.main`) unless `process`: the fresh clone is the route under
    test (test_signed_server keeps a real `taskgate ci` process)."""
    fresh = clone(mirror.path, dest)
    args = ("ci", "--no-gate", "--range", f"{base}..origin/main", "--format", "json")
    proc = fresh.taskgate(*args) if process else run_main(*args, cwd=fresh.path)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    return [(f["rule"], f["path"]) for f in doc["findings"]]
