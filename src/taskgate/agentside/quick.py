"""The guard's quick path: one tool call judged from the lane map, without the rules.

`taskgate guard` runs on every tool call an agent makes (issue 16: a median under 50 ms,
whole process), and most of a full run is Python importing the rules, the policy reader
and the git layer, and git answering. Where everything is plain, this path answers alone:
the repository found and HEAD's commit read from git's files (`gitfiles`), the policy and
module map of that commit from the lane map the full path left (`lanemap`), the actor
from TASKGATE_AGENT or the repository's config file (else `git config`, as there). It
imports no `typing`, `json`, `re`, `enum`, `shlex`, `pathlib` or `subprocess`; the shell
analysis (`shell`, itself as lean) loads for a shell command only, and one that writes
files asks git where the hooks folder is (`rev-parse --git-path hooks`, as the full path).

`answer` returns None — "take the full path" — whenever it is not certain: no map for
this commit, an unusual repository, signed mode, an identity the map does not know, a
push or rebase whose judgement needs git, any error. The full path then judges with the
rules themselves and fails closed (TG807). The findings here are the lane rules' own,
word for word, for the one case the guard asks them about (one file edited, mode
100644): tests/agentside/test_guard_quick.py runs both paths on the same calls and
compares the answers.
"""

from __future__ import annotations

import os
import posixpath

from taskgate.agentside.gitfiles import config_value, discover, head_commit
from taskgate.agentside.lanemap import LaneMap, load
from taskgate.agentside.runtimes import (
    RUNTIMES,
    Answer,
    EventError,
    ToolCall,
    parse_event,
    project_dir,
)
from taskgate.agentside.runtimes import answer as runtime_answer

# The runtimes' hook files (agentside.hooksconfig writes them): only the lead changes them.
HOOK_FILES = (
    ".claude/settings.json",
    ".codex/hooks.json",
    ".gemini/settings.json",
    ".cursor/hooks.json",
)
# rules/lanes.py: lead-only by name (root-relative) and by folder (whole segments).
_POLICY_NAMES = frozenset({"taskgate.toml", ".pre-commit-config.yaml", ".gitlab-ci.yml",
                           ".gitattributes"})  # fmt: skip
_POLICY_FOLDERS = (".github", "hooks")

# (rule, message, path, hint): a finding of the lane rules, severity error.
Plain = tuple[str, str, str | None, str | None]
# (role, module name or None, module path or None): "coder", "reviewer" or "lead".
Who = tuple[str, str | None, str | None]


class _Unsure(Exception):
    """The quick path cannot be certain: the full path judges."""


def answer(argv: list[str], raw: bytes) -> Answer | None:
    """The answer to the event `raw`, or None: take the full path (`guard.run`)."""
    try:
        return _answer(argv, raw)
    except Exception:  # anything unexpected: the full path decides (and blocks)
        return None


def _answer(argv: list[str], raw: bytes) -> Answer | None:
    args = _arguments(argv)
    if args is None:
        return None
    runtime, module, repo_path = args
    try:
        call = parse_event(runtime, raw)
    except EventError:
        return None  # the full path says what is wrong, and blocks
    if not call.paths and not call.command:
        return runtime_answer(runtime, [], call)
    start = repo_path or project_dir(runtime) or call.cwd or os.getcwd()
    layout = discover(start)
    if layout is None:
        return None
    top, git_dir, common_dir = layout
    commit = head_commit(git_dir, common_dir)
    lanes = load(common_dir, commit) if commit is not None else None
    if lanes is None:
        return None
    try:
        who = _actor(lanes, (top, git_dir, common_dir), module)
        cwd = call.cwd if call.cwd and os.path.isdir(call.cwd) else top
        reasons: list[str] = []
        for path in call.paths:
            for rule, message, rel, hint in judge_path(path, cwd, top, (git_dir, common_dir),
                                                       lanes, who):  # fmt: skip
                if rule not in lanes.ignore and rule not in lanes.warn:
                    reasons += finding_lines(rule, message, rel, None, hint, ())
        if call.command:
            reasons += _shell_reasons(call.command, cwd, lanes, top, common_dir)
    except _Unsure:
        return None
    return runtime_answer(runtime, reasons and [*reasons, closing(call)], call)


def _arguments(argv: list[str]) -> tuple[str, str | None, str | None] | None:
    """(runtime, --module, --repo) as guard.parse_args reads them; None: not plainly so."""
    found: dict[str, str] = {}
    rest = list(argv)
    while rest:
        name, eq, value = rest.pop(0).partition("=")
        if name not in ("--runtime", "--module", "--repo"):
            return None
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        found[name] = value
    runtime = found.get("--runtime")
    if runtime not in RUNTIMES:
        return None
    return runtime, found.get("--module"), found.get("--repo")


def _actor(lanes: LaneMap, layout: tuple[str, str, str], module: str | None) -> Who | None:
    """guard._actor on the map: the actor, None (no one known), or _Unsure."""
    if lanes.modules is None:
        return None  # no module map, no lanes: bypass commands are still judged
    top, git_dir, common_dir = layout
    claim = os.environ.get("TASKGATE_AGENT")
    if claim:
        claim = claim.strip() or None
    else:
        known, value = config_value(git_dir, common_dir, "taskgate", "agent")
        if not known:  # the global or system file may name the agent: git answers
            value = _git_config(top, "taskgate.agent")
        claim = value.strip() if value and value.strip() else None
    wanted = module.lower() if module else None
    if claim:
        for name, (path, agent) in lanes.modules.items():
            if agent == claim:
                if wanted is not None and name != wanted:
                    raise _Unsure  # the full path says who disagrees
                return "coder", name, path
        role = "lead" if claim.lower() == lanes.lead else None
        role = role or ("reviewer" if claim.lower() == lanes.reviewer else None)
        if role is None or wanted is not None:
            raise _Unsure  # an unknown identity, or a role with --module: blocked there
        return role, None, None
    if lanes.mode == "signed":
        raise _Unsure  # the signing key names the agent: the full path reads it
    if wanted is not None:
        if wanted not in lanes.modules:
            raise _Unsure
        return "coder", wanted, lanes.modules[wanted][0]
    return None


# --- a written path ------------------------------------------------------------------


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def relative_paths(path: str, cwd: str, root: str, git_dirs: tuple[str, ...]) -> list[str] | None:
    """Where a written path lies in the working tree, as git spells it: where it says and
    where it lands (a symlink, or `..` through one, may differ). None: in git's own files."""
    absolute = path if os.path.isabs(path) else os.path.join(cwd, path)
    real_root = os.path.realpath(root)
    real_git = {os.path.realpath(d) for d in git_dirs}
    rels: list[str] = []
    for candidate in dict.fromkeys((os.path.normpath(absolute), os.path.realpath(absolute))):
        if any(_inside(candidate, d) for d in real_git):
            return None
        if _inside(candidate, real_root) and candidate != real_root:
            rels.append(_posix(os.path.relpath(candidate, real_root)))
        elif _inside(candidate, root) and candidate != root:
            rels.append(_posix(os.path.relpath(candidate, root)))
    return list(dict.fromkeys(rels))


def _posix(relative: str) -> str:
    """A relative path of this system, spelled with `/` as git spells it."""
    return posixpath.join(*relative.split(os.sep)) if os.sep != "/" else relative


def git_dir_finding(path: str) -> Plain:
    message = f"{path} is inside git's own directory: agents do not edit git's files or hooks"
    return "TG804", message, None, "leave the hooks and git's configuration alone; ask the lead"


def hook_file_finding(rel: str) -> Plain:
    return ("TG804", f"{rel} runs taskgate's guard: only the lead changes it", rel,
            "ask the lead; `taskgate agent hooks --check` verifies the file")  # fmt: skip


def judge_path(
    path: str, cwd: str, root: str, git_dirs: tuple[str, ...], lanes: LaneMap, who: Who | None
) -> list[Plain]:
    """guard._judge_path on the map: TG804, then the lane rules for each place."""
    rels = relative_paths(path, cwd, root, git_dirs)
    if rels is None:
        return [git_dir_finding(path)]
    if who is not None and who[0] != "lead":
        for rel in rels:
            if rel in HOOK_FILES:
                return [hook_file_finding(rel)]
    if who is None or who[0] == "lead" or lanes.modules is None:
        return []
    return [f for rel in rels for f in _lane(rel, lanes, who)]


def _inside_folder(path: str, folder: str) -> bool:
    return bool(folder) and (path == folder or path.startswith(folder + "/"))


def _is_policy_file(path: str, lanes: LaneMap) -> bool:
    """rules.lanes.is_policy_file, with the root pyproject's [tool.taskgate] read ahead."""
    if path in _POLICY_NAMES or path in (lanes.paths["structure"], lanes.paths["signers"]):
        return True
    if posixpath.basename(path) == ".gitattributes":
        return True
    if any(_inside_folder(path, folder) for folder in _POLICY_FOLDERS):
        return True
    return path == "pyproject.toml" and lanes.pyproject_policy


def _lane(rel: str, lanes: LaneMap, who: Who) -> list[Plain]:
    """rules.lanes for a change that edits `rel` alone (TG206 left out, as the guard does)."""
    role, name, home = who
    actor = f"coder of '{name}'" if name is not None else role
    if _is_policy_file(rel, lanes):
        message = f"policy file: only the lead may change it (this commit is by the {actor})"
        return [("TG204", message, rel, "ask the lead; the lead commits with the lead scope")]
    board, plan, api = lanes.paths["tasks"], lanes.paths["plan"], lanes.paths["api"]
    if role == "reviewer":
        if rel == board:
            return []
        message = f"the reviewer may change only the board ({board})"
        hint = "review through the board: review comments and done → review_feedback"
        return [("TG201", message, rel, hint)]
    if home is None or rel in (board, plan) or _inside_folder(rel, api):
        return []
    if _inside_folder(rel, home):
        return []
    modules = lanes.modules or {}
    other = next((n for n, (p, _) in modules.items() if _inside_folder(rel, p)), None)
    return [
        (
            "TG201",
            f"outside module '{name}' ({home}/)"
            + (f", in module '{other}'" if other is not None else ""),
            rel,
            f"the {actor} changes only {home}/, the board, the Contracts section of {plan} "
            f"and {api}/; ask " + (f"the owner of '{other}'" if other is not None else "the lead"),
        )
    ]


# --- a shell command, and git ------------------------------------------------------


def _shell_reasons(command: str, cwd: str, lanes: LaneMap, top: str, common_dir: str) -> list[str]:
    from taskgate.agentside.shell import Inspector, analyse

    hooks: list[str] = []

    def hooks_dirs() -> list[str]:
        """guard._inspector's: the folder git runs hooks from, the repository's own, and
        the runtimes' hook files, as real paths (git asked the same question, the same way)."""
        if not hooks:
            said = _git_output(top, "rev-parse", "--git-path", "hooks").decode().strip()
            found = {
                os.path.realpath(said if os.path.isabs(said) else os.path.join(top, said)),
                os.path.realpath(os.path.join(common_dir, "hooks")),
            }
            found |= {os.path.realpath(os.path.join(top, f)) for f in HOOK_FILES}
            hooks.extend(sorted(found))
        return hooks

    def current_branch(_: str) -> str | None:
        raise _Unsure  # git, in the environment the full path gives it (rare: a push)

    def rewrites_pushed(_: str, __: list[str]) -> bool:
        raise _Unsure  # a rebase: the full path works out its range

    lines: list[str] = []
    for f in analyse(command, cwd, Inspector(hooks_dirs, current_branch, rewrites_pushed)):
        if f.rule not in lanes.ignore and f.rule not in lanes.warn:  # each one an error
            lines += finding_lines(f.rule, f.message, None, None, f.hint, ())
    return lines


def _git_config(top: str, key: str) -> str | None:
    """Repo.config's answer: `git config -z --list`, the last value of `key` wins."""
    found = None
    for item in _git_output(top, "config", "-z", "--list").decode("utf-8", "replace").split("\0"):
        name, _, value = item.partition("\n")
        if item and name.lower() == key:
            found = value
    return found


def _git_output(top: str, *args: str) -> bytes:
    """What `git -C top ARGS` prints, run as taskgate.git runs git (replace refs off),
    through posix_spawn (no `subprocess` to import); _Unsure when git fails."""
    spawn = getattr(os, "posix_spawnp", None)
    if spawn is None:
        raise _Unsure
    env = dict(os.environ)
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    read_end, write_end = os.pipe()
    try:
        null = os.open(os.devnull, os.O_RDWR)
        try:
            actions = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, write_end, 1),
                       (os.POSIX_SPAWN_DUP2, null, 2)]  # fmt: skip
            pid = spawn("git", ["git", "-C", top, *args], env, file_actions=actions)
        finally:
            os.close(null)
            os.close(write_end)
        chunks = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise _Unsure
    return b"".join(chunks)


# --- the answer ---------------------------------------------------------------------


def finding_lines(
    rule: str,
    message: str,
    path: str | None,
    line: int | None,
    hint: str | None,
    snippet: tuple[str, ...],
) -> list[str]:
    """report.text.format_finding of an error, without colour."""
    where = path + (f":{line}" if line else "") + ": " if path else ""
    lines = [f"{rule} error  {where}{message}", *("    " + s for s in snippet)]
    if hint:
        lines.append(f"    hint: {hint}")
    return lines


def closing(call: ToolCall | None) -> str:
    """The last line of a block: what the agent does now."""
    what = call.tool if call is not None else "tool"
    tail = (
        "taskgate guard: the edit is already made; undo it (the commit hooks will refuse it)"
        if call is not None and call.after_the_fact
        else f"taskgate guard blocked this {what} call"
    )
    return (
        f"{tail}. If a rule or a test looks wrong, do not work around it: "
        "`taskgate dispute TASK --reason '…'` asks a person."
    )
