"""The git processes taskgate starts: their environment and the runner.

The one place that knows which environment variables git sets for hooks and scrubs
them from child processes that are not git reading this repository.
"""

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from taskgate.errors import GitError, GitMissing

# Every git process taskgate starts reads objects as they are: a pushed or local
# `refs/replace/*` ref must never make git show a good commit in place of a bad one.
GIT = ("git",)
NO_REPLACE = "GIT_NO_REPLACE_OBJECTS"


def git_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every git process taskgate starts: replace objects off."""
    out = dict(os.environ if env is None else env)
    out[NO_REPLACE] = "1"
    return out


# Variables a child process may keep; everything else named GIT_* is what git
# exports to hooks (GIT_INDEX_FILE, GIT_DIR, GIT_WORK_TREE, GIT_PREFIX, ...).
# A leaked GIT_INDEX_FILE makes a test's own `git add` write into the commit
# being made (see pre-commit's no_git_env for the same lesson).
_KEEP_GIT_VARS = frozenset(
    {
        "GIT_EXEC_PATH",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSL_CAINFO",
        "GIT_SSL_NO_VERIFY",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_HTTP_PROXY_AUTHMETHOD",
        "GIT_ALLOW_PROTOCOL",
        "GIT_ASKPASS",
        "GIT_TERMINAL_PROMPT",
    }
)


def scrubbed_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child that must not see the hook's repository state."""
    env = dict(os.environ if base is None else base)
    for name in list(env):
        if (
            name.startswith("GIT_")
            and name not in _KEEP_GIT_VARS
            and not name.startswith("GIT_CONFIG_KEY_")
        ):
            if name.startswith(("GIT_CONFIG_VALUE_", "GIT_CONFIG_COUNT")):
                continue
            del env[name]
    return env


class Git:
    """Runs git in one directory; raises GitError with git's own words on failure."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        ok_codes: Sequence[int] = (0,),
        env: Mapping[str, str] | None = None,
    ) -> bytes:
        try:
            proc = subprocess.run(
                [*GIT, *args],
                cwd=self.cwd,
                input=stdin,
                capture_output=True,
                check=False,
                env=git_env(env),
            )
        except FileNotFoundError as exc:
            # Popen says FileNotFoundError for a missing cwd as well as a missing git.
            if not self.cwd.is_dir():
                raise GitError(f"no such directory: {self.cwd}") from exc
            raise GitMissing("git is not installed or not on PATH; install git") from exc
        except NotADirectoryError as exc:
            raise GitError(f"not a directory: {self.cwd}") from exc
        if proc.returncode not in ok_codes:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {args[0]} failed: {err or f'exit {proc.returncode}'}")
        return proc.stdout

    def start(self, *args: str) -> "subprocess.Popen[bytes] | None":
        """Start git with its output piped, to be collected later; None if it cannot start."""
        try:
            return subprocess.Popen(
                [*GIT, *args],
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_env(),
            )
        except OSError:
            return None  # run() will say why when the answer is needed

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                [*GIT, *args],
                cwd=self.cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=git_env(),
            )
        except FileNotFoundError as exc:
            raise GitMissing("git is not installed or not on PATH; install git") from exc
