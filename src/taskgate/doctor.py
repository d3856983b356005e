"""`taskgate doctor`: is the set-up sound? (`taskgate config`: taskgate.effectiveconfig.)

`doctor` prints one line per check: `ok` lines say what was found, `problem` lines say
what is wrong and how to fix it; exit 1 when there is a problem.

The hook types come from `taskgate.install` at run time, so a hook type added there
(a `prepare-commit-msg` shim, say) is checked here without a change.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from taskgate.git import Repo

MIN_GIT = (2, 38)  # git merge-tree --write-tree (merges are judged by their own content)
FRAMEWORK_MARK = "pre-commit.com"  # in every hook script the framework installs
FRAMEWORK_IDS = re.compile(r"\bid:\s*['\"]?taskgate")


class Line(NamedTuple):
    ok: bool
    text: str
    fix: str = ""

    def render(self) -> str:
        if self.ok:
            return f"ok       {self.text}"
        return f"problem  {self.text}; fix: {self.fix}" if self.fix else f"problem  {self.text}"


def git_version() -> tuple[int, ...] | None:
    try:
        out = subprocess.run(
            ["git", "--version"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return None
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(x) for x in m.groups() if x is not None) if m else None


def _platform() -> list[Line]:
    from taskgate import posix

    if posix.windows():
        return [
            Line(
                False,
                f"platform {sys.platform}: taskgate supports and is tested on POSIX systems "
                "(Linux, macOS) only; its hook shims are POSIX sh scripts",
                "run git and taskgate inside WSL, or rely on `taskgate ci` in a Linux CI job",
            )
        ]
    return [Line(True, f"platform {sys.platform} (POSIX, supported)")]


def _git() -> list[Line]:
    version = git_version()
    if version is None:
        return [Line(False, "git version unknown", "install git 2.38 or newer")]
    text = ".".join(map(str, version))
    if version[:2] < MIN_GIT:
        return [
            Line(
                False,
                f"git {text} is older than 2.38 (merges cannot be judged by their own content)",
                "install git 2.38 or newer",
            )
        ]
    return [Line(True, f"git {text}")]


def _shim_python(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("python="):
            value = line[len("python=") :]
            try:
                words = shlex.split(value)
            except ValueError:
                return None
            return words[0] if words else None
    return None


def _interpreter_works(python: str) -> str | None:
    """None when `python -P -m taskgate --version` runs; else why not."""
    if not os.access(python, os.X_OK):
        return f"{python} is missing or not executable"
    try:
        proc = subprocess.run(
            [python, "-P", "-m", "taskgate", "--version"],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{python} cannot be started ({exc})"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return f"{python} cannot run taskgate ({last})"
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _hooks(repo: Repo) -> tuple[list[Line], bool]:
    """Lines about the hooks folder; and whether taskgate's shims are installed at all."""
    from taskgate import install

    lines: list[Line] = []
    hooks_dir = repo.hooks_dir()
    wanted = ["pre-receive"] if repo.bare else list(install.DEFAULT_HOOKS)
    ours: list[str] = []
    framework: list[str] = []
    missing: list[str] = []
    checked_pythons: dict[str, str | None] = {}
    for hook in dict.fromkeys([*install.HOOK_TYPES, *wanted]):
        path = hooks_dir / hook
        text = _read(path)
        chained = hooks_dir / (hook + install.CHAINED_SUFFIX)
        legacy = hooks_dir / (hook + ".legacy")
        if path.exists() and install.is_ours(path):
            ours.append(hook)
            python = _shim_python(text)
            if python is None:
                lines.append(Line(False, f"{hook} shim names no interpreter",
                                  "run `taskgate install` again"))  # fmt: skip
            else:
                if python not in checked_pythons:
                    checked_pythons[python] = _interpreter_works(python)
                why = checked_pythons[python]
                if why is not None:
                    lines.append(
                        Line(
                            False,
                            f"{hook} shim: {why}",
                            "run `taskgate install` again from the environment taskgate is "
                            "installed in",
                        )
                    )
            if chained.exists() or chained.is_symlink():
                chained_text = _read(chained)
                if FRAMEWORK_MARK in chained_text:
                    lines.append(_both_routes(hook, "the framework's hook is chained behind "
                                                    "taskgate's shim"))  # fmt: skip
                elif not os.access(chained, os.X_OK):
                    lines.append(
                        Line(
                            False,
                            f"{hook}: the chained hook {chained.name} is not executable",
                            f"chmod +x {chained}",
                        )
                    )
                else:
                    lines.append(Line(True, f"{hook}: a foreign hook is chained and runs "
                                            f"first ({chained.name})"))  # fmt: skip
        elif FRAMEWORK_MARK in text:
            framework.append(hook)
            if install.is_ours(legacy):
                lines.append(_both_routes(hook, f"taskgate's shim is the framework's "
                                                f"{legacy.name}"))  # fmt: skip
        elif path.exists() and hook in wanted:
            lines.append(
                Line(
                    False,
                    f"{hook}: a hook that is not taskgate's is installed ({path})",
                    "`taskgate install` keeps it and chains it (it runs first)",
                )
            )
            missing.append(hook)
        elif hook in wanted:
            missing.append(hook)
    if ours:
        lines.insert(0, Line(True, f"taskgate hooks in {hooks_dir}: {', '.join(ours)}"))
    if framework:
        lines.insert(0, Line(True, f"pre-commit framework hooks: {', '.join(framework)}"))
        config = _read(repo.root / ".pre-commit-config.yaml") if not repo.bare else ""
        if ours and FRAMEWORK_IDS.search(config):
            lines.append(_both_routes(", ".join(sorted(set(ours) & set(framework)) or ours),
                                      ".pre-commit-config.yaml runs taskgate too"))  # fmt: skip
    if missing and not framework:
        lines.append(
            Line(
                False,
                f"not installed: {', '.join(missing)}",
                "taskgate install"
                if not repo.bare
                else "taskgate install (in the bare repository: the pre-receive hook)",
            )
        )
    elif missing and framework and not ours:
        absent = [h for h in missing if h not in framework]
        if absent:
            lines.append(
                Line(
                    False,
                    f"the framework installed no hook for {', '.join(absent)}",
                    "add them to default_install_hook_types in .pre-commit-config.yaml and run "
                    "`pre-commit install`",
                )
            )
    return lines, bool(ours)


def _both_routes(hook: str, how: str) -> Line:
    return Line(
        False,
        f"both routes are installed ({hook}: {how}); every check runs twice",
        "keep one: `taskgate uninstall`, or drop the taskgate hooks from "
        ".pre-commit-config.yaml and run `pre-commit install`",
    )


def _server(repo: Repo) -> list[Line]:
    if not repo.bare:
        return []
    lines: list[Line] = []
    fsck = repo.config("receive.fsckobjects") or repo.config("transfer.fsckobjects") or ""
    if fsck.lower() not in ("true", "yes", "on", "1"):
        lines.append(
            Line(
                False,
                "receive.fsckObjects is off: malformed objects and tree entries reach the server",
                f"git --git-dir {shlex.quote(str(repo.git_dir))} config receive.fsckObjects true",
            )
        )
    else:
        lines.append(Line(True, "receive.fsckObjects is on"))
    return lines


def _ci(repo: Repo) -> list[Line]:
    if repo.bare:
        return []
    found = []
    workflows = repo.root / ".github" / "workflows"
    if workflows.is_dir():
        for path in sorted(workflows.glob("*.y*ml")):
            if "taskgate" in _read(path):
                found.append(f".github/workflows/{path.name}")
    if "taskgate" in _read(repo.root / ".gitlab-ci.yml"):
        found.append(".gitlab-ci.yml")
    if found:
        return [Line(True, f"CI runs taskgate: {', '.join(found)}")]
    return [
        Line(
            False,
            "no CI workflow runs taskgate (local hooks can be skipped with --no-verify)",
            "add a job that runs `taskgate ci` (docs/ci.md has GitHub Actions and GitLab CI)",
        )
    ]


def _policy_and_gate(repo: Repo) -> list[Line]:
    from taskgate.effectiveconfig import base_of_head, gate_commands
    from taskgate.errors import ConfigError

    try:
        base = base_of_head(repo)
    except ConfigError as exc:
        return [Line(False, f"the policy cannot be used: {exc}", "correct it (the lead)")]
    lines = [Line(True, f"policy: {base.policy.source}")]
    for problem in base.problems:
        lines.append(Line(False, f"{problem.rule} {problem.message}", problem.hint or ""))
    if base.structure is None:
        lines.append(Line(True, "no module map: message rules only, with free-form scopes"))
        return lines
    for gate in gate_commands(repo, base):
        for tool in gate["tools"]:
            name = f"gate {gate['module']}: `{tool['command']}`"
            if tool["executable"]:
                lines.append(Line(True, f"{name} → {tool['executable']} ({tool['from']})"))
            else:
                lines.append(
                    Line(
                        False,
                        f"{name}: {tool['program']} not found in the module's .venv/bin, the "
                        "repository's .venv/bin, taskgate's environment or PATH",
                        f"install it, e.g. python -m venv {gate['path']}/.venv && "
                        f"{gate['path']}/.venv/bin/pip install {tool['program']}",
                    )
                )
    return lines


def doctor(repo: Repo) -> tuple[list[str], bool]:
    """The report lines, and whether everything is healthy."""
    lines: list[Line] = [*_platform(), *_git()]
    where = "bare repository" if repo.bare else str(repo.root)
    if not repo.bare and repo.git_dir != repo.common_dir:
        where += " (a linked worktree)"
    lines.append(Line(True, f"repository: {where}"))
    hook_lines, _ = _hooks(repo)
    lines += hook_lines
    lines += _server(repo)
    lines += _ci(repo)
    lines += _policy_and_gate(repo)
    healthy = all(line.ok for line in lines)
    problems = sum(1 for line in lines if not line.ok)
    out = [line.render() for line in lines]
    out.append("healthy" if healthy else f"{problems} problem{'s' * (problems != 1)}")
    return out, healthy
