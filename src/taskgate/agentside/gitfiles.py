"""What the guard reads from git's own files instead of starting git.

The guard runs on every tool call (issue 16: under 50 ms, whole process), and each git
process costs a few milliseconds. Two questions have a certain answer in git's files in
the ordinary case: where the repository is (`git rev-parse`), and the worktree's or the
repository's `taskgate.agent` (`git config`). Each function here answers only when the
files leave no doubt and says None ("ask git") otherwise: an environment that moves
discovery or adds configuration, a `.git` that is a symlink, a config with includes, a
core.worktree or core.bare, a value with quotes, escapes or comments, a line continued
with a backslash. Nothing here writes.
"""

import os
import stat

# Environment variables that change where git finds the repository or what it reads.
_DISCOVERY_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
                  "GIT_DISCOVERY_ACROSS_FILESYSTEM")  # fmt: skip
# Configuration given through the environment outranks every file (GIT_CONFIG_GLOBAL and
# GIT_CONFIG_SYSTEM only move files below the repository's own, GIT_CONFIG_NOSYSTEM drops one).
_LOWER_CONFIG_ENV = ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM")


def discover(start: str) -> tuple[str, str, str] | None:
    """(top level, git directory, common directory), as real paths, when `start` lies in
    the working tree of an ordinary repository or linked worktree; None: ask rev-parse."""
    if any(name in os.environ for name in _DISCOVERY_ENV):
        return None
    try:
        here = os.path.realpath(start)
        device = os.stat(here).st_dev
        while True:
            if os.path.basename(here) == ".git":
                return None  # inside git's own directory: rev-parse says what that means
            dotgit = os.path.join(here, ".git")
            try:
                found = os.lstat(dotgit)
            except FileNotFoundError:
                found = None
            if found is not None:
                return _layout(here, dotgit, found)
            if os.path.isfile(os.path.join(here, "HEAD")):
                return None  # perhaps a bare repository
            parent = os.path.dirname(here)
            if parent == here or os.stat(parent).st_dev != device:
                return None  # the root, or a file system boundary git would not cross
            here = parent
    except (OSError, ValueError):
        return None


def _layout(top: str, dotgit: str, found: os.stat_result) -> tuple[str, str, str] | None:
    if stat.S_ISDIR(found.st_mode):
        git_dir = dotgit
    elif stat.S_ISREG(found.st_mode):  # a linked worktree's or a submodule's `gitdir: X`
        with open(dotgit, "rb") as handle:
            text = handle.read(4096).decode("utf-8")
        if not text.startswith("gitdir: ") or text.count("\n") > 1:
            return None
        git_dir = os.path.realpath(os.path.join(top, text[len("gitdir: ") :].rstrip("\r\n")))
    else:
        return None  # a symlink: git follows it, this reader does not
    common = git_dir
    commondir = os.path.join(git_dir, "commondir")
    if os.path.exists(commondir):
        with open(commondir, "rb") as handle:
            common = handle.read(4096).decode("utf-8").rstrip("\r\n")
        common = os.path.realpath(os.path.join(git_dir, common))
    if not os.path.isfile(os.path.join(git_dir, "HEAD")):
        return None
    uid = os.geteuid()
    if os.stat(top).st_uid != uid or os.stat(git_dir).st_uid != uid:
        return None  # safe.directory is git's to judge
    for config in (os.path.join(common, "config"), os.path.join(git_dir, "config.worktree")):
        if _moves_the_tree(config):
            return None
    return top, git_dir, common


def _moves_the_tree(path: str) -> bool:
    """Whether a config file may say the working tree is elsewhere (or there is none)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return False
    for line in raw.lower().splitlines():
        squeezed = line.replace(b" ", b"").replace(b"\t", b"")
        if squeezed.startswith((b"[include", b"worktree=", b"bare")) and not squeezed.startswith(
            (b"bare=false", b"bare=no", b"bare=off", b"bare=0")
        ):
            return True
    return False


def config_value(git_dir: str, common_dir: str, section: str, name: str) -> tuple[bool, str | None]:
    """(known, value) of `section.name` from the worktree's and the repository's config
    files, which outrank the global and system ones. known=False: ask `git config` (the
    value may come from elsewhere, or a file is not plain enough to read here)."""
    if any(key.startswith("GIT_CONFIG") and key not in _LOWER_CONFIG_ENV for key in os.environ):
        return False, None
    local = _read_plain(os.path.join(common_dir, "config"))
    if local is None:
        return False, None
    worktree_config = _setting(local, "extensions", "worktreeconfig")
    if worktree_config is not None:
        enabled = None if worktree_config == _UNSURE else _boolean(worktree_config)
        if enabled is None:
            return False, None
        if enabled:
            worktree = _read_plain(os.path.join(git_dir, "config.worktree"), missing_ok=True)
            if worktree is None:
                return False, None
            value = _setting(worktree, section, name)
            if value is not None:
                return (value != _UNSURE), (None if value == _UNSURE else value)
    value = _setting(local, section, name)
    if value is None or value == _UNSURE:
        return False, None  # set in a file below these, or not plainly: ask git
    return True, value


_Entries = list[tuple[str, str, str]]  # (section, name, raw value), lower-case names, in order
_UNSURE = "\0"  # a section or value this reader does not take on itself


def _read_plain(path: str, *, missing_ok: bool = False) -> _Entries | None:
    """The entries of a config file, or None when its lines are not plain enough to follow."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except FileNotFoundError:
        return [] if missing_ok else None
    except (OSError, UnicodeDecodeError):
        return None
    entries: _Entries = []
    section: str | None = None
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            return None  # a value continued on the next line
        if line[0] == "[":
            if not line.endswith("]") or line[1:].lower().startswith("include"):
                return None
            name, _, sub = line[1:-1].partition(" ")
            if not name.replace("-", "").replace(".", "").isalnum():
                return None
            # `[remote "origin"]`, `[branch.main]`: subsections, never a section read here.
            plain = not sub and "." not in name
            if not plain and not (sub.startswith('"') and sub.endswith('"')) and sub:
                return None
            section = name.lower() if plain else _UNSURE
            continue
        key, eq, value = line.partition("=")
        key = key.strip()
        if section is None or not key.replace("-", "").isalnum():
            return None
        if not eq:
            value = _UNSURE  # a bare key is a boolean true, which `git config` prints empty
        entries.append((section, key.lower(), value.strip()))
    return entries


def _setting(entries: _Entries, section: str, name: str) -> str | None:
    """The last value of section.name (None: not set); _UNSURE when it is not plain."""
    found = None
    for sec, key, value in entries:
        if sec == section and key == name:
            found = value  # the last one wins, as with git
    if found is not None and (found == _UNSURE or any(ch in found for ch in '"\\#;\t ')):
        return _UNSURE  # quotes, escapes, comments, inner white space: git's parser decides
    return found


def _boolean(value: str) -> bool | None:
    low = value.lower()
    if low in ("true", "yes", "on", "1"):
        return True
    if low in ("false", "no", "off", "0", ""):
        return False
    return None


_HEX = frozenset("0123456789abcdef")
# Refs each worktree keeps for itself (in its own git directory); the rest are shared.
_PER_WORKTREE = ("refs/bisect/", "refs/worktree/", "refs/rewritten/")


def head_commit(git_dir: str, common_dir: str) -> str | None:
    """The commit HEAD names, from HEAD, the loose ref and packed-refs; None: ask git
    (an unborn branch, a reftable repository, anything not plain)."""
    if any(name in os.environ for name in _DISCOVERY_ENV) or "GIT_OBJECT_DIRECTORY" in os.environ:
        return None
    if os.path.exists(os.path.join(common_dir, "reftable")):
        return None
    name = "HEAD"
    for _ in range(5):  # a symbolic ref may name another one
        folder = git_dir if name == "HEAD" or name.startswith(_PER_WORKTREE) else common_dir
        text = _read_text(os.path.join(folder, name))
        if text is None:
            return _packed(common_dir, name) if name.startswith("refs/") else None
        if text.startswith("ref: "):
            name = text[5:]
            if not name.startswith("refs/") or ".." in name or "\\" in name:
                return None
            continue
        return text if _is_id(text) else None
    return None


def _read_text(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(4096).decode("utf-8").rstrip("\r\n")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _packed(common_dir: str, name: str) -> str | None:
    try:
        with open(os.path.join(common_dir, "packed-refs"), "rb") as handle:
            text = handle.read().decode("utf-8")
    except FileNotFoundError:
        return None
    for line in text.splitlines():
        sha, _, ref = line.partition(" ")
        if ref == name:
            return sha if _is_id(sha) else None
    return None


def _is_id(text: str) -> bool:
    return len(text) in (40, 64) and set(text) <= _HEX
