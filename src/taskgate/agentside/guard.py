"""`taskgate guard --runtime R`: judge one tool call before an agent's runtime runs it.

One event on standard input, one answer in the runtime's blocking protocol
(`runtimes.answer`). A file edit is judged by the lane rules themselves (TG201, TG204,
…) against the policy and module map at HEAD, for the actor named by `TASKGATE_AGENT`,
`git config taskgate.agent` (worktree-scoped config included) or the hook's `--module`;
a shell command by `shell.analyse` (TG801–TG806). Anything that keeps the guard from
judging — a bad event, an unreadable policy, a crash — blocks (TG807): it fails closed.

The signed identity mode (SPEC §10.4) would name the actor from the signing key in
`_actor`, where the claim is read today.

Runs on every tool call (budget: 50 ms, whole process). Most calls are answered by the
quick path (`agentside.quick`) from the lane map this module leaves for HEAD (`_remember`,
`agentside.lanemap`), with no git process and none of the rules imported; this full path
judges the rest, and the first call after HEAD moves. `taskgate.launch` hands it over
before cli.py loads; no argparse, no jsonschema, no listing of the repository; one git
process (`cat-file --batch`, started before the rules are imported so that git works
meanwhile), the repository and the agent's `taskgate.agent` read from git's own files
where they are plain (`gitfiles`), git asked otherwise.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, BinaryIO, TextIO

from taskgate.agentside.quick import (
    HOOK_FILES,
    closing,
    git_dir_finding,
    hook_file_finding,
    relative_paths,
)
from taskgate.agentside.runtimes import RUNTIMES, Answer, EventError, ToolCall, answer
from taskgate.finding import Finding, Severity

if TYPE_CHECKING:
    from taskgate.agentside.shell import Inspector
    from taskgate.builders import Base
    from taskgate.change import Actor, Change
    from taskgate.git import Repo

_ZERO = "0" * 40
USAGE = "usage: taskgate guard --runtime {claude-code,codex,gemini,cursor} [--module M] [--repo P]"


class GuardError(Exception):
    """The guard cannot judge this call: it blocks with TG807 and this message."""


def cannot_run(message: str) -> Finding:
    return Finding(
        "TG807",
        f"the guard could not judge this tool call, so it blocks it: {message}",
        hint="fix what the message names; `taskgate check` shows policy problems",
    )


def parse_args(argv: list[str]) -> tuple[str, str | None, str | None]:
    runtime = module = repo = None
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if name in ("--runtime", "--module", "--repo"):
            if not eq:
                if not rest:
                    raise GuardError(f"{name} needs a value ({USAGE})")
                value = rest.pop(0)
            if name == "--runtime":
                runtime = value
            elif name == "--module":
                module = value
            else:
                repo = value
        else:
            raise GuardError(f"unknown argument {arg!r} ({USAGE})")
    if runtime not in RUNTIMES:
        raise GuardError(f"--runtime must be one of {', '.join(RUNTIMES)} ({USAGE})")
    return runtime, module, repo


def run(argv: list[str], stdin: BinaryIO, *, quick: bool = True) -> Answer:
    """Judge the event on `stdin`; every failure becomes a block (TG807). The quick path
    (`agentside.quick`) answers first where it is certain; quick=False: the rules judge."""
    runtime = next((a.split("=", 1)[-1] for a in argv if a.startswith("--runtime=")), None)
    if runtime is None and "--runtime" in argv[:-1]:
        runtime = argv[argv.index("--runtime") + 1]
    call: ToolCall | None = None
    try:
        raw = stdin.read()
        if quick:
            from taskgate.agentside.quick import answer as quick_answer

            found = quick_answer(argv, raw)  # never raises: None on any doubt
            if found is not None:
                return found
        runtime, module, repo = parse_args(argv)
        from taskgate.agentside.runtimes import parse_event

        call = parse_event(runtime, raw)
        findings = judge(runtime, call, module, repo)
    except (GuardError, EventError) as exc:
        findings = [cannot_run(str(exc))]
    except BaseException as exc:  # a guard that crashes must block, not pass
        if os.environ.get("TASKGATE_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        findings = [cannot_run(f"internal error: {type(exc).__name__}: {exc}")]
    errors = [f for f in findings if f.severity is Severity.ERROR]
    return answer(runtime if runtime in RUNTIMES else "claude-code", _reasons(errors, call), call)


def _reasons(errors: list[Finding], call: ToolCall | None) -> list[str]:
    if not errors:
        return []
    from taskgate.report.text import format_finding

    lines = [line for f in errors for line in format_finding(f, colour=False)]
    lines.append(closing(call))
    return lines


def main(
    argv: list[str], stdin: BinaryIO, stdout: TextIO, stderr: TextIO, *, quick: bool = True
) -> int:
    """The `taskgate guard` command: exit 0 allows, 2 blocks (never 1)."""
    result = run(argv, stdin, quick=quick)
    try:
        stdout.write(result.stdout)
        stdout.flush()
        stderr.write(result.stderr)
        stderr.flush()
    except (BrokenPipeError, OSError):
        pass  # the runtime stopped reading; the exit status still says what to do
    return result.status


# --- judging -------------------------------------------------------------------


def judge(runtime: str, call: ToolCall, module: str | None, repo_path: str | None) -> list[Finding]:
    """Findings for one tool call (empty: allow)."""
    if not call.paths and not call.command:
        return []  # a read, a search, a tool that changes nothing taskgate guards
    from taskgate.agentside.runtimes import project_dir

    start = repo_path or project_dir(runtime) or call.cwd or os.getcwd()
    repo = _open(start)
    with repo:
        base = _base(repo)
        if base.problems:
            return list(base.problems)  # a module map that cannot be read: fail closed
        _remember(repo, base)
        actor = _actor(repo, base, module)
        cwd = call.cwd if call.cwd and os.path.isdir(call.cwd) else str(repo.root)
        findings: list[Finding] = []
        for path in call.paths:
            findings.extend(_judge_path(path, cwd, repo, base, actor))
        if call.command:
            from taskgate.agentside.shell import analyse

            findings.extend(f.finding() for f in analyse(call.command, cwd, _inspector(repo)))
        from taskgate.rules.registry import apply_policy

        return apply_policy(findings, base.policy)


def _open(start: str) -> Repo:
    """The repository at `start`, its `cat-file --batch` already asked for HEAD."""
    from pathlib import Path

    from taskgate.agentside.gitfiles import discover
    from taskgate.errors import TaskgateError
    from taskgate.git import Repo

    try:
        repo = Repo(Path(start), layout=discover(start))
    except TaskgateError as exc:
        raise GuardError(f"no git repository at {start} ({exc})") from exc
    try:
        repo.objects.send(["HEAD"])  # git resolves it while the rules are imported
        if not os.environ.get("TASKGATE_AGENT") and not _config_claim(repo)[0]:
            repo.start_config()  # taskgate.agent may be in the global file: git answers
    except TaskgateError as exc:
        repo.close()
        raise GuardError(f"git cannot read the repository at {start} ({exc})") from exc
    except BaseException:
        repo.close()
        raise
    return repo


def _base(repo: Repo) -> Base:
    from taskgate.builders import load_base, policy_cache
    from taskgate.errors import ConfigError
    from taskgate.gitsides import IndexSide, TreeSide
    from taskgate.policy import Paths

    head = repo.head()
    side = TreeSide(repo, head) if head else IndexSide(repo)
    where = f"commit {head[:12]}" if head else "the index"
    if head:
        # The files load_base reads, in one pipelined exchange with cat-file.
        files = ("taskgate.toml", "pyproject.toml", Paths().structure)
        repo.objects.read_many([f"{head}:{name}" for name in files])
    try:
        return load_base(side.read, where, policy_cache(repo))
    except ConfigError as exc:
        raise GuardError(f"the policy cannot be read: {exc}") from exc


def _remember(repo: Repo, base: Base) -> None:
    """Leave the lane map of HEAD for the quick path of the next calls. Never required: a
    map that cannot be made or written is skipped, and the next call judges here again."""
    from taskgate.agentside.lanemap import entry_of, load, save
    from taskgate.policy import PYPROJECT
    from taskgate.rules.lanes import is_policy_file

    head = repo.head()
    if head is None or load(str(repo.common_dir), head) is not None:
        return  # nothing to remember, or remembered already (the quick path declined)
    try:
        edit = _edit(PYPROJECT, repo, base, None)
        pyproject_policy = is_policy_file(PYPROJECT, edit, base.policy)
        save(str(repo.common_dir), head, entry_of(base, pyproject_policy))
    except Exception:  # the call is judged all the same, by the rules, below
        return


def _actor(repo: Repo, base: Base, module: str | None) -> Actor | None:
    """TASKGATE_AGENT, then `git config taskgate.agent`, then the signing key (signed mode),
    then the hook's --module."""
    from taskgate.actors import actor_from_claim
    from taskgate.change import Actor, Role

    structure = base.structure
    if structure is None:
        return None  # no module map, no lanes: bypass commands are still judged
    claim = _claim(repo)
    if claim:
        actor = actor_from_claim(structure, claim)
        if actor is None:
            raise GuardError(
                f"the agent identity {claim!r} (TASKGATE_AGENT or git config taskgate.agent) "
                f"names no agent of {base.policy.paths.structure}"
            )
        if module and (actor.module is None or actor.module.name != module.lower()):
            raise GuardError(f"the agent identity {claim!r} is not the coder of '{module}'")
        return actor
    if base.policy.identity.mode == "signed":
        # Signed mode (SPEC §10.4): the key git will sign with names the agent.
        from taskgate.gitsides import TreeSide
        from taskgate.identity.verdict import judge_local

        head = repo.head()
        if head is not None:
            verdict = judge_local(
                repo.config, repo.root, TreeSide(repo, head).read, base.policy, structure,
                f"commit {head[:12]}", None,
            )  # fmt: skip
            if verdict.actor is not None:
                if module and (
                    verdict.actor.module is None or verdict.actor.module.name != module.lower()
                ):
                    raise GuardError(f"the signing key's agent is not the coder of '{module}'")
                return verdict.actor
    if module:
        found = structure.modules.get(module.lower())
        if found is None:
            raise GuardError(f"--module {module!r} names no module of the module map")
        return Actor(Role.CODER, found, "TASKGATE_AGENT")
    return None


def _claim(repo: Repo) -> str | None:
    """`builders.agent_claim`, with `git config taskgate.agent` read from the worktree's or
    the repository's config file when that is certain (no git process)."""
    from taskgate.builders import agent_claim

    if os.environ.get("TASKGATE_AGENT"):
        return agent_claim(repo)  # the environment first; git is not asked
    known, value = _config_claim(repo)
    if not known:
        return agent_claim(repo)
    return value.strip() if value and value.strip() else None


def _config_claim(repo: Repo) -> tuple[bool, str | None]:
    from taskgate.agentside.gitfiles import config_value

    return config_value(str(repo.git_dir), str(repo.common_dir), "taskgate", "agent")


def _judge_path(path: str, cwd: str, repo: Repo, base: Base, actor: Actor | None) -> list[Finding]:
    rels = relative_paths(path, cwd, str(repo.root), (str(repo.git_dir), str(repo.common_dir)))
    if rels is None:
        rule, message, _, hint = git_dir_finding(path)
        return [Finding(rule, message, hint=hint)]
    from taskgate.change import Role

    if actor is not None and actor.role is not Role.LEAD:
        for rel in rels:
            if rel in HOOK_FILES:
                rule, message, at, hint = hook_file_finding(rel)
                return [Finding(rule, message, path=at, hint=hint)]
    if actor is None or actor.role is Role.LEAD or base.structure is None:
        return []
    return [f for rel in rels for f in _lanes(rel, repo, base, actor)]


def _lanes(rel: str, repo: Repo, base: Base, actor: Actor) -> list[Finding]:
    """The lane rules of the commit hooks, on a change that edits this one file."""
    from taskgate.rules.lanes import lanes

    change = _edit(rel, repo, base, actor)
    return [f for f in lanes(change, base.policy) if f.rule != "TG206"]


def _edit(rel: str, repo: Repo, base: Base, actor: Actor | None) -> Change:
    """A change that edits `rel` alone (mode 100644), HEAD on both sides."""
    from taskgate.change import Change, EmptySide, FileChange, Side, Stage
    from taskgate.git import Entry
    from taskgate.gitsides import TreeSide

    head = repo.head()
    side: Side = TreeSide(repo, head) if head else EmptySide()
    entry = Entry(rel, "100644", _ZERO)
    return Change(
        files=(FileChange("M", rel, rel, entry, entry),),
        before=side,
        after=side,
        stage=Stage.CHECK,
        structure=base.structure,
        actor=actor,
        agent_claim=None,
    )


# --- what the shell analysis may ask git ------------------------------------------------


def _inspector(repo: Repo) -> Inspector:
    from taskgate.agentside.shell import Inspector

    hooks: list[str] = []

    def hooks_dirs() -> list[str]:
        if not hooks:
            found = {
                os.path.realpath(repo.hooks_dir()),
                os.path.realpath(repo.common_dir / "hooks"),
            }
            # The runtimes' own hook files run the guard: removing one switches it off.
            found |= {os.path.realpath(repo.root / f) for f in HOOK_FILES}
            hooks.extend(sorted(found))
        return hooks

    def current_branch(cwd: str) -> str | None:
        out = _git(cwd, "symbolic-ref", "-q", "--short", "HEAD")
        return out or None

    def rewrites_pushed(cwd: str, args: list[str]) -> bool:
        return _rebase_rewrites_pushed(cwd, args)

    return Inspector(hooks_dirs, current_branch, rewrites_pushed)


def _git(cwd: str, *args: str) -> str | None:
    import subprocess

    from taskgate.git import scrubbed_env

    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, env=scrubbed_env()
        )
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace").strip()


_REBASE_VALUED = frozenset(
    {
        "--onto",
        "-x",
        "--exec",
        "-s",
        "--strategy",
        "-X",
        "--strategy-option",
        "-C",
        "--whitespace",
        "--empty",
        "-S",
        "--gpg-sign",
    }
)


def _rebase_rewrites_pushed(cwd: str, args: list[str]) -> bool:
    """Whether `git rebase ARGS` in `cwd` would rewrite a commit a remote already has."""
    positional: list[str] = []
    root = False
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--root":
            root = True
        elif arg.startswith("-"):
            skip = arg in _REBASE_VALUED and arg not in ("-S", "--gpg-sign", "--empty")
        else:
            positional.append(arg)
    branch = positional[1] if len(positional) > 1 else "HEAD"
    if root:
        span = [branch]
    else:
        upstream = positional[0] if positional else "@{upstream}"
        span = [f"{upstream}..{branch}"]
    total = _git(cwd, "rev-list", "--count", *span, "--")
    unpushed = _git(cwd, "rev-list", "--count", *span, "--not", "--remotes", "--")
    if total is None or unpushed is None:
        return False  # git cannot work the range out: the rebase itself will fail
    return total != unpushed


def cli(argv: list[str], raw: bytes | None = None) -> int:
    """Entry from `taskgate guard …` (cli.py hands over before argparse). `raw`: the event,
    already read by a quick path that could not answer (agentside.run_guard)."""
    if raw is None:
        return main(argv, sys.stdin.buffer, sys.stdout, sys.stderr)
    import io

    return main(argv, io.BytesIO(raw), sys.stdout, sys.stderr, quick=False)
