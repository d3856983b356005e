"""git processes: the ones taskgate starts (their environment and the runner) and the one
that runs a hook (what its command line says: an amend, an empty message allowed, which
git tells a hook no other way).

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


# --- the git command that runs a hook ---------------------------------------------


def amend_in_progress() -> bool:
    """True when the git process that runs the hook is `git commit --amend`.

    git does not tell pre-commit or commit-msg that the commit is an amend; the command
    line of the git process does (Linux /proc; elsewhere assume not). That process is
    found by its executable (/proc/PID/exe), not by its argv[0], which `exec -a` can set
    to anything; an alias (`git fix` for `commit --amend`) is expanded, and `--amend` may
    be abbreviated as git allows (`--am`, `--amen`). The prepare-commit-msg hook is the
    first signal (taskgate.amend); this is the fallback, and pre-commit's only one.
    """
    return _commit_option("--amend", 4)


def allow_empty_message_in_progress() -> bool:
    """True when the git process that runs the hook is `git commit --allow-empty-message`
    (which stores an empty message instead of aborting), read as `amend_in_progress` is."""
    return _commit_option("--allow-empty-message", len("--allow-empty") + 1)


def _commit_option(option: str, shortest: int) -> bool:
    """Whether the git process running the hook is a `git commit` given `option`."""
    pid = os.getppid()
    for _ in range(6):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        args = [a.decode("utf-8", "replace") for a in raw.split(b"\0")]
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            exe = args[0] if args else ""
        names = {Path(exe).name, Path(args[0]).name if args else ""}
        if names & {"git", "git.exe"}:
            return _commit_has(args[1:], option, shortest)
        # ppid is field 4 of /proc/PID/stat, after the parenthesised command name.
        try:
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (IndexError, ValueError):
            return False
        if pid <= 1:
            return False
    return False


_NOT_ALIASES = frozenset({"merge", "pull", "rebase", "cherry-pick", "revert", "am", "stash",
                          "push", "notes", "tag", "checkout", "switch"})  # fmt: skip


def _commit_has(args: list[str], option: str, shortest: int) -> bool:
    """Whether git's arguments (after `git`) are a `commit` given `option` (or a prefix of
    it of at least `shortest` characters, as git accepts), through one alias."""
    rest = list(args)
    aliases: dict[str, str] = {}
    while rest and rest[0].startswith("-"):
        opt = rest.pop(0)
        if opt == "-c" and rest:
            key, _, value = rest.pop(0).partition("=")
            if key.lower().startswith("alias."):
                aliases[key[6:].lower()] = value
        elif opt in ("-C", "--git-dir", "--work-tree", "--namespace") and rest:
            rest.pop(0)
    if not rest:
        return False
    command, tail = rest[0], rest[1:]
    if command in _NOT_ALIASES:
        return False  # git's own commands cannot be aliased: no config to read
    if command != "commit":
        expansion = aliases.get(command.lower()) or _alias(command)
        if not expansion or expansion.startswith("!"):
            return False
        words = expansion.split()
        if not words or words[0] != "commit":
            return False
        tail = words[1:] + tail
    for arg in tail:
        if arg == "--":
            break
        if len(arg) >= shortest and option.startswith(arg):
            return True
    return False


def _alias(name: str) -> str | None:
    """`git config alias.<name>`, read without the repository's hook environment."""
    if not name or name.startswith("-") or "\n" in name:
        return None
    try:
        out = subprocess.run(
            [*GIT, "config", "--get", f"alias.{name}"],
            capture_output=True,
            check=False,
            env=git_env(),
        )
    except OSError:
        return None
    return out.stdout.decode("utf-8", "replace").strip() or None
