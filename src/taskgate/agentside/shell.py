"""What a shell command an agent is about to run would do to taskgate's checks.

The command line is split the way a POSIX shell splits words (`shlex`, as `shellwords`
writes it out), cut into simple
commands at `&&`, `||`, `;`, `|`, `&` and parentheses, and each simple command is
unwrapped (`X=1 cmd`, `env`, `sudo`, `command`, `nohup`, `timeout 5`, `bash -c '…'`)
before its program is judged. What it cannot see is a command built at run time
(`$(…)`, `eval "$VAR"`, a script file, a git alias): docs/agents.md says so.
"""

# On every Bash call of the guard's quick path (agentside.quick): no `typing`, `shlex`, `re`
# or `enum` at import, no NamedTuple class to build.

from __future__ import annotations

import os
import posixpath

from taskgate.agentside.shellgit import ShellFinding, git_findings, hooks_path
from taskgate.agentside.shellwords import split

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

_OPERATORS = frozenset({"&&", "||", ";", "|", "&", "|&", ";;", "(", ")", "&;", ";&"})
_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<", "<<", "<<<", "<>", "<&", ">&"})
_WRITE_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
# Programs that run the rest of their arguments as a command (options skipped).
_WRAPPERS = frozenset({"sudo", "command", "exec", "nohup", "nice", "time", "builtin", "doas"})
# Their options that take the next word as a value.
_WRAPPER_VALUES = {
    "sudo": frozenset({"-u", "-g", "-C", "-p", "-r", "-t", "-U", "-h", "-D", "-R"}),
    "doas": frozenset({"-u", "-C"}),
    "nice": frozenset({"-n"}),
}
_FILE_CHANGERS = frozenset(
    {"chmod", "rm", "unlink", "mv", "truncate", "shred", "chattr", "chown", "chgrp", "rmdir"}
)
_DEST_WRITERS = frozenset({"cp", "ln", "install", "rsync"})  # the last operand is written
_MAX_DEPTH = 3


class Inspector:
    """What the analysis may ask of the repository (git, lazily; tests pass their own)."""

    __slots__ = ("current_branch", "hooks_dirs", "rewrites_pushed")

    def __init__(
        self,
        hooks_dirs: Callable[[], list[str]],  # real paths of the hooks folders git uses
        current_branch: Callable[[str], str | None],  # branch checked out where a command runs
        rewrites_pushed: Callable[[str, list[str]], bool],  # (cwd, rebase args) -> pushed?
    ) -> None:
        self.hooks_dirs = hooks_dirs
        self.current_branch = current_branch
        self.rewrites_pushed = rewrites_pushed


def split_words(command: str) -> list[str]:
    """Shell words and operators; an unbalanced quote falls back to white space. (`#` inside
    a word is no comment; a lost comment costs nothing.)"""
    try:
        return split(command.replace("\r", " "))
    except ValueError:
        return command.split()


def simple_commands(command: str) -> Iterator[tuple[list[str], list[str]]]:
    """(words, written redirection targets) of each simple command, newlines as `;`."""
    words: list[str] = []
    targets: list[str] = []
    tokens = split_words(command.replace("\n", " ; "))
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in _OPERATORS:
            if words or targets:
                yield words, targets
            words, targets = [], []
        elif tok in _REDIRECTS or (tok[:-1].isdigit() and tok[-1:] in "<>" and len(tok) > 1):
            if i + 1 < len(tokens) and tokens[i + 1] not in _OPERATORS:
                if tok.lstrip("0123456789") in _WRITE_REDIRECTS:
                    targets.append(tokens[i + 1])
                i += 1
        elif tok.isdigit() and i + 1 < len(tokens) and tokens[i + 1] in _REDIRECTS:
            pass  # the `2` of `2>`: a file descriptor, not a word
        else:
            words.append(tok)
        i += 1
    if words or targets:
        yield words, targets


def analyse(command: str, cwd: str, inspect: Inspector, depth: int = 0) -> list[ShellFinding]:
    """Findings (TG801–TG806) for everything in `command` that bypasses the checks."""
    found: list[ShellFinding] = []
    for words, targets in simple_commands(command):
        for target in targets:
            found.extend(_hooks_folder([target], cwd, inspect, "a redirection"))
        if not words:
            continue
        if words[0] == "cd":
            cwd = _cd(cwd, words[1:])
            continue
        env, argv = _unwrap(words)
        found.extend(_env_findings(env))
        if not argv:
            continue
        prog = posixpath.basename(argv[0])
        if prog in _SHELLS and depth < _MAX_DEPTH:
            script = _shell_script(argv[1:])
            if script is not None:
                found.extend(analyse(script, cwd, inspect, depth + 1))
            continue
        if prog == "eval" and depth < _MAX_DEPTH:
            found.extend(analyse(" ".join(argv[1:]), cwd, inspect, depth + 1))
            continue
        if prog == "git":
            found.extend(git_findings(argv[1:], cwd, inspect))
        elif prog in _FILE_CHANGERS:
            found.extend(_hooks_folder(_operands(argv[1:]), cwd, inspect, prog))
        elif prog in _DEST_WRITERS:
            operands = _operands(argv[1:])
            found.extend(_hooks_folder(operands[-1:], cwd, inspect, prog))
        elif prog == "tee":
            found.extend(_hooks_folder(_operands(argv[1:]), cwd, inspect, prog))
        elif prog == "sed" and any(a == "-i" or a.startswith(("-i", "--in-place")) for a in argv):
            found.extend(_hooks_folder(_operands(argv[1:])[1:], cwd, inspect, "sed -i"))
        elif prog == "find" and any(a in ("-delete", "-exec", "-execdir") for a in argv):
            roots = [a for a in argv[1:] if not a.startswith(("-", "(", "!"))][:1]
            found.extend(_hooks_folder(roots, cwd, inspect, "find"))
    return _unique(found)


def _unique(found: list[ShellFinding]) -> list[ShellFinding]:
    seen: dict[tuple[str, str], ShellFinding] = {}
    for f in found:
        seen.setdefault((f.rule, f.message), f)
    return list(seen.values())


def _cd(cwd: str, args: list[str]) -> str:
    target = next((a for a in args if not a.startswith("-")), None)
    if not target or "$" in target:
        return cwd
    return posixpath.normpath(posixpath.join(cwd, os.path.expanduser(target)))


def _unwrap(words: list[str]) -> tuple[list[str], list[str]]:
    """(NAME=value assignments, the command) with env/sudo/timeout-style wrappers peeled."""
    env: list[str] = []
    argv = list(words)
    for _ in range(8):
        while argv and _is_assignment(argv[0]):
            env.append(argv.pop(0))
        if not argv:
            break
        prog = posixpath.basename(argv[0])
        if prog == "env":
            argv.pop(0)
            while argv and (argv[0].startswith("-") or _is_assignment(argv[0])):
                arg = argv.pop(0)
                if _is_assignment(arg):
                    env.append(arg)
                elif arg in ("-u", "--unset", "-C", "--chdir", "-S") and argv:
                    argv.pop(0)
            continue
        if prog in _WRAPPERS:
            argv.pop(0)
            valued = _WRAPPER_VALUES.get(prog, frozenset())
            while argv and argv[0].startswith("-"):
                if argv.pop(0) in valued and argv:
                    argv.pop(0)
            continue
        if prog in ("timeout", "stdbuf", "xargs", "chronic", "caffeinate"):
            argv.pop(0)
            while argv and argv[0].startswith("-"):
                argv.pop(0)
            if prog == "timeout" and argv:
                argv.pop(0)  # the duration
            continue
        break
    return env, argv


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return (
        bool(eq)
        and bool(name)
        and (name[0].isalpha() or name[0] == "_")
        and all(c.isalnum() or c == "_" for c in name)
    )


def _shell_script(args: list[str]) -> str | None:
    """The script of `bash -c SCRIPT` (also `-lc`, `-ec`), else None."""
    for i, arg in enumerate(args):
        if arg.startswith("-") and not arg.startswith("--") and "c" in arg[1:]:
            return args[i + 1] if i + 1 < len(args) else None
        if not arg.startswith("-"):
            return None
    return None


def _operands(args: Sequence[str]) -> list[str]:
    out: list[str] = []
    dashdash = False
    for arg in args:
        if not dashdash and arg == "--":
            dashdash = True
        elif dashdash or not arg.startswith("-") or arg == "-":
            out.append(arg)
    return out


def _env_findings(env: list[str]) -> list[ShellFinding]:
    for assignment in env:
        name, _, value = assignment.partition("=")
        if (name.startswith("GIT_CONFIG_KEY_") or name == "GIT_CONFIG_PARAMETERS") and (
            "hookspath" in value.lower()
        ):
            return [hooks_path(f"the environment sets {name}={value}")]
    return []


# --- the hooks folder --------------------------------------------------------


def _hooks_folder(paths: list[str], cwd: str, inspect: Inspector, what: str) -> list[ShellFinding]:
    if not paths:
        return []
    hooks = inspect.hooks_dirs()
    for raw in paths:
        if "$" in raw and "/" not in raw:
            continue  # a variable we cannot see (docs/agents.md)
        for path, whole in _expand(raw, cwd):
            real = os.path.realpath(path)
            for folder in hooks:
                inside = real == folder or real.startswith(folder + os.sep)
                holds = whole and folder.startswith(real.rstrip(os.sep) + os.sep)
                if inside or holds:
                    return [
                        ShellFinding(
                            "TG804",
                            f"{what} on {raw} changes the hooks folder ({folder}): a hook that "
                            "is not there or not executable does not run",
                            hint="leave the hooks alone; ask the lead if a hook is broken",
                        )
                    ]
    return []


def _expand(raw: str, cwd: str) -> list[tuple[str, bool]]:
    """(path, whether the command acts on all of it) for a word and its glob matches."""
    path = os.path.expanduser(raw)
    if not os.path.isabs(path):
        path = os.path.join(cwd, path)
    if not any(ch in raw for ch in "*?["):
        return [(path, True)]
    import glob  # only for a pattern: fnmatch stays off the guard's usual path

    out = [(p, True) for p in glob.glob(path)]
    # A pattern such as .git/hooks/* is judged by its first concrete folder as well (the
    # glob may match nothing yet); only what lies inside it, since `*` skips dot files.
    head = path
    while any(ch in head for ch in "*?[") and head not in ("", os.sep):
        head = os.path.dirname(head)
    out.append((head, False))
    return out
