"""What a git command an agent is about to run would do to taskgate's checks.

`shell.analyse` finds the simple commands of a command line and hands each `git …` here:
hooks skipped (`--no-verify`, `-n`: TG801), a forced push to a protected branch (TG802),
core.hooksPath changed (TG803), refs moved or history rewritten without a commit (TG805),
a rebase of pushed history (TG806).
"""

from __future__ import annotations

import os
import posixpath

TYPE_CHECKING = False  # no `typing` on the guard's quick path (agentside.quick)
if TYPE_CHECKING:
    from taskgate.agentside.shell import Inspector
    from taskgate.finding import Finding

PROTECTED = ("main", "master", "trunk", "develop", "production")

NO_VERIFY_HINT = (
    "fix what the hook reports instead of skipping it; if a rule or a test looks wrong, "
    "`taskgate dispute TASK --reason '…'` asks a person"
)


class ShellFinding:
    """A finding of the shell analysis (TG801–TG806): an error, about no file of the tree.

    Not a `taskgate.finding.Finding`, whose module loads `typing` and `enum`: the guard's
    quick path judges a shell command without them; the full path converts (`finding`).
    """

    __slots__ = ("hint", "message", "rule")
    path = None
    line = None

    def __init__(self, rule: str, message: str, *, hint: str) -> None:
        self.rule = rule
        self.message = message
        self.hint = hint

    def finding(self) -> Finding:
        from taskgate.finding import Finding

        return Finding(self.rule, self.message, hint=self.hint)

    def __repr__(self) -> str:
        return f"ShellFinding({self.rule!r}, {self.message!r}, hint={self.hint!r})"


def hooks_path(what: str) -> ShellFinding:
    return ShellFinding(
        "TG803",
        f"{what}: changing core.hooksPath switches taskgate's hooks off",
        hint="leave the hooks where `taskgate install` put them; ask the lead if one is broken",
    )


_GIT_OPTS_WITH_VALUE = frozenset(
    {
        "-C",
        "-c",
        "--git-dir",
        "--work-tree",
        "--namespace",
        "--exec-path",
        "--config-env",
        "--super-prefix",
        "--list-cmds",
        "--attr-source",
    }
)


def git_findings(args: list[str], cwd: str, inspect: Inspector) -> list[ShellFinding]:
    """Findings for `git ARGS` run in `cwd` (global options such as -C and -c included)."""
    found: list[ShellFinding] = []
    i = 0
    while i < len(args) and args[i].startswith("-"):
        opt = args[i]
        name, eq, value = opt.partition("=")
        if name in _GIT_OPTS_WITH_VALUE and not eq:
            value = args[i + 1] if i + 1 < len(args) else ""
            i += 1
        if name == "-C" and value:
            cwd = posixpath.normpath(posixpath.join(cwd, os.path.expanduser(value)))
        if name in ("-c", "--config-env") and value.lower().startswith("core.hookspath"):
            found.append(hooks_path(f"git {name} {value}"))
        i += 1
    if i >= len(args):
        return found
    sub, rest = args[i], args[i + 1 :]
    flag = _no_verify(sub, rest) if sub in ("commit", "merge", "am", "push") else None
    if flag is not None:
        dry = sub == "push" and flag == "-n"
        found.append(
            ShellFinding(
                "TG801",
                f"git {sub} {flag} skips git's hooks, and with them every taskgate check",
                hint=(
                    "for git push, -n means --dry-run: write --dry-run if that is what you mean; "
                    if dry
                    else ""
                )
                + NO_VERIFY_HINT,
            )
        )
    if sub == "push":
        found.extend(_force_push(rest, cwd, inspect))
    elif sub == "config":
        found.extend(_config(rest))
    elif sub in ("update-ref", "filter-branch", "filter-repo") or (
        sub == "replace" and not any(a in ("-l", "--list") for a in rest)
    ):
        found.append(
            ShellFinding(
                "TG805",
                f"git {sub} moves refs or rewrites history without a commit, so no hook sees it",
                hint="make new commits instead; history rewrites are the lead's",
            )
        )
    elif sub == "rebase":
        found.extend(_rebase(rest, cwd, inspect))
    return found


_COMMIT_SHORT_WITH_VALUE = frozenset("mFcCtu")  # -u/-S take optional values: stop there
_PUSH_SHORT_WITH_VALUE = frozenset("o")


def _short_flag(args: list[str], flag: str, with_value: frozenset[str]) -> bool:
    """Whether `-<flag>` is given, alone or in a cluster such as `-nm msg`."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "--":
            return False
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
            for j, ch in enumerate(arg[1:]):
                if ch == flag:
                    return True
                if ch in with_value:
                    skip = j == len(arg) - 2  # the value is the next word
                    break
                if ch in "S":
                    break  # -S[keyid]: the rest of the word is its value
    return False


def _long_prefix(arg: str, option: str, shortest: int) -> bool:
    """git accepts any unambiguous prefix of a long option (`--no-ver` is --no-verify)."""
    name = arg.split("=", 1)[0]
    return len(name) >= shortest and option.startswith(name)


def _no_verify(sub: str, rest: list[str]) -> str | None:
    """The flag that skips the hooks (`--no-verify`, an abbreviation, `-n`), or None."""
    for arg in rest:
        if arg == "--":
            break
        if _long_prefix(arg, "--no-verify", len("--no-ve")):
            return arg
    if sub == "commit" and _short_flag(rest, "n", _COMMIT_SHORT_WITH_VALUE):
        return "-n"
    if sub == "push" and _short_flag(rest, "n", _PUSH_SHORT_WITH_VALUE):
        return "-n"
    return None


def _protected(branch: str) -> bool:
    name = branch.removeprefix("refs/heads/")
    return name in PROTECTED or name.startswith("release/")


def _force_push(rest: list[str], cwd: str, inspect: Inspector) -> list[ShellFinding]:
    force = delete = every = False
    positional: list[str] = []
    skip = False
    for arg in rest:
        if skip:
            skip = False
            continue
        if arg.startswith("--"):
            name = arg.split("=", 1)[0]
            if name in ("--force", "--force-with-lease", "--force-if-includes") or (
                _long_prefix(name, "--force", len("--forc"))
            ):
                force = True
            elif name in ("--mirror", "--all", "--branches"):
                every = True
                force = force or name == "--mirror"
            elif name == "--delete":
                delete = True
            elif name in ("--repo", "--receive-pack", "--exec", "--push-option") and "=" not in arg:
                skip = True
        elif arg.startswith("-") and len(arg) > 1:
            force = force or _short_flag([arg], "f", _PUSH_SHORT_WITH_VALUE)
            delete = delete or _short_flag([arg], "d", _PUSH_SHORT_WITH_VALUE)
            skip = arg.endswith("o")
        else:
            positional.append(arg)
    refspecs = positional[1:]
    targets: list[tuple[str, bool]] = []  # (destination branch, forced or deleted)
    for spec in refspecs:
        plus = spec.startswith("+")
        spec = spec.lstrip("+")
        src, colon, dst = spec.partition(":")
        dst = dst if colon else src
        if dst == "HEAD" or (src == "HEAD" and not colon):
            dst = inspect.current_branch(cwd) or dst
        targets.append((dst, plus or force or delete or bool(colon and not src)))
    if not refspecs and (force or every):
        if every:
            targets.extend((b, True) for b in PROTECTED)
        else:
            current = inspect.current_branch(cwd)
            if current:
                targets.append((current, True))
    hit = [dst for dst, rewrites in targets if rewrites and _protected(dst)]
    if not hit:
        return []
    return [
        ShellFinding(
            "TG802",
            f"git push would force or delete the protected branch '{hit[0]}'",
            hint="push your work to a branch of its own and open a pull request; "
            "rewriting shared history is the lead's",
        )
    ]


def _config(rest: list[str]) -> list[ShellFinding]:
    lowered = [a.lower() for a in rest]
    if any(a.startswith("alias.") for a in lowered) and any(
        "--no-verify" in a or " -n" in f" {a}" for a in lowered[1:]
    ):
        return [
            ShellFinding(
                "TG801",
                "git config defines an alias that skips git's hooks: " + " ".join(rest),
                hint=NO_VERIFY_HINT,
            )
        ]
    if not any(a.startswith("core.hookspath") for a in lowered):
        return []
    readonly = {
        "--get",
        "--get-all",
        "--get-regexp",
        "-l",
        "--list",
        "--show-origin",
        "--show-scope",
        "get",
        "list",
        "--name-only",
        "--get-urlmatch",
    }
    writes = {
        "--unset",
        "--unset-all",
        "--add",
        "--replace-all",
        "set",
        "unset",
        "--rename-section",
        "--remove-section",
        "-e",
        "--edit",
        "edit",
    }
    if any(a in readonly for a in lowered) and not any(a in writes for a in lowered):
        return []
    values = [a for a in rest if not a.startswith("-")]
    # `git config core.hooksPath` alone reads it.
    if len(values) == 1 and not any(a in writes for a in lowered):
        return []
    return [hooks_path("git config " + " ".join(rest))]


def _rebase(rest: list[str], cwd: str, inspect: Inspector) -> list[ShellFinding]:
    control = ("--continue", "--abort", "--skip", "--quit", "--edit-todo", "--show-current-patch")
    if any(a in control for a in rest):
        return []
    if not inspect.rewrites_pushed(cwd, rest):
        return []
    return [
        ShellFinding(
            "TG806",
            "git rebase would rewrite commits that are already pushed "
            "(reachable from a remote-tracking branch)",
            hint="rebase only commits that are not pushed yet, or add a new commit on top",
        )
    ]
