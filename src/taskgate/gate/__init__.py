"""The gate: each touched module's commands, run on exactly the staged (or committed) files.

`run_gate` lists the module's files on the side being checked, looks the result
up in the cache, and otherwise exports them (plus the root configuration files)
into a private temporary folder, runs the commands there concurrently and turns
failures into findings (TG401 failed, TG402 no tests, TG403 timed out or missing).
"""

# No `from __future__ import annotations`: NamedTuple would compile each string
# annotation into a ForwardRef at import, on the hook's path.

import os
import shlex
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from taskgate.finding import Finding
from taskgate.gate.tools import Resolved
from taskgate.git import Entry
from taskgate.workflow.structure import Module

if TYPE_CHECKING:
    from taskgate.change import Change
    from taskgate.gate.accounting import Account
    from taskgate.gate.cache import GateCache
    from taskgate.gate.runner import Job
    from taskgate.git import Repo
    from taskgate.policy import Policy

__all__ = ["GateResult", "ModulePlan", "plan_modules", "run_gate"]


class GateResult(NamedTuple):
    findings: list[Finding]
    notes: list[str]


class ModulePlan(NamedTuple):
    """A module to gate: its commands and their timeout (seconds, per command)."""

    module: Module
    commands: tuple[str, ...]
    timeout: float


class _Work(NamedTuple):
    plan: ModulePlan
    entries: dict[str, Entry]
    tree: str
    key: str
    resolved: list[Resolved]
    cacheable: bool
    account: "Account | None" = None
    tool_cache: Path | None = None  # the module's persistent tool caches (local hooks)


def plan_modules(
    change: "Change", policy: "Policy", names: Sequence[str] | None
) -> list[ModulePlan]:
    """The modules to gate (those the change touches, or `names`) that have commands."""
    from taskgate.errors import TaskgateError

    structure = change.structure
    if structure is None or not policy.gate.enabled:
        return []
    if names is None:
        modules = change.modules_touched()
    else:
        modules = []
        for name in names:
            module = structure.modules.get(name.lower())
            if module is None:
                raise TaskgateError(f"no module named '{name}' in the project structure")
            modules.append(module)
    overrides = {name.lower(): spec for name, spec in policy.gate.modules.items()}
    plans = []
    for module in modules:
        spec = overrides.get(module.name)
        if spec is None and module.language:
            spec = policy.gate.languages.get(module.language)
        if spec is None or not spec.commands:
            continue  # no language and no commands of its own: nothing to run
        plans.append(ModulePlan(module, spec.commands, spec.timeout or policy.gate.timeout))
    return plans


def run_gate(
    repo: "Repo",
    change: "Change",
    policy: "Policy",
    *,
    use_cache: bool = True,
    modules: list[str] | None = None,
    server: bool = False,
    excused: frozenset[str] = frozenset(),
) -> GateResult:
    """Gate the modules `change` touches (or the named `modules`) on `change.after`.

    `change.after` is the staged index (hooks, `check`) or a commit's tree (`ci`).
    `server` (ci, pre-push): no tool is taken from anything tracked in that tree.
    The tests that ran are compared with the base's (`change.before`) for every module
    but those in `excused` (the lead's changes): see `taskgate.gate.testrecord`.
    """
    from taskgate.gate.accounting import base_listing, plan_account, settle
    from taskgate.gate.cache import GateCache, Tool, cache_key, executable_stamp, tool_cache_dir
    from taskgate.gate.guard import local_guard, server_guard, venv_tracked
    from taskgate.gate.snapshot import ROOT_CONFIG, list_entries, tree_id
    from taskgate.gate.tools import resolve, search_path
    from taskgate.gitsides import TreeSide
    from taskgate.rules.registry import apply_policy

    plans = plan_modules(change, policy, modules)
    if not plans:
        return GateResult([], [])
    findings: list[Finding] = []
    notes: list[str] = []
    listed = list_entries(change.after, [p.module.path for p in plans] + list(ROOT_CONFIG))
    config = [listed[path] for path in ROOT_CONFIG if path in listed]
    cache = GateCache(repo.common_dir)
    root = None if repo.bare else repo.root
    skip_venvs: set[str] = set()
    if server and isinstance(change.after, TreeSide):
        refuse = server_guard(repo, root, change.after.rev)
        if root is not None:
            venvs = [f"{p.module.path}/.venv" for p in plans] + [".venv"]
            skip_venvs = venv_tracked(repo, change.after.rev, venvs)
    else:
        refuse = local_guard(root, change)
    # Only a module that runs pytest has its tests compared with the base's: no other
    # module needs the base listed (a `git ls-tree` saved on every other gate run).
    accounted = [p.module.path for p in plans if p.module.name not in excused and _runs_pytest(p)]
    base_listed = base_listing(repo, change, accounted)
    accounts: list[Account] = []
    work: list[_Work] = []
    for plan in plans:
        module = plan.module
        own = {path: e for path, e in listed.items() if module.owns(path)}
        if not own:
            notes.append(f"gate: {module.name} skipped (no files in {module.path}/)")
            continue
        tree = tree_id(own.values(), module.path)
        dirs = search_path(root, module.path, sorted(skip_venvs))
        resolved: list[Resolved] = []
        cacheable = True
        for command in plan.commands:
            try:
                argv = shlex.split(command)
            except ValueError as exc:
                findings.append(_unusable(module, command, f"cannot be split into words: {exc}"))
                cacheable = False
                continue
            if not argv:
                continue
            found = resolve(command, argv, dirs, refuse)
            if found.executable is None:
                findings.append(_missing(module, plan.commands, found))
                cacheable = False
                continue
            resolved.append(found)
        # A path relative to the module is part of the tree already: nothing to stamp.
        tools = [
            Tool(r.command, r.executable, executable_stamp(Path(r.executable)))
            if r.executable and os.path.isabs(r.executable)
            else Tool(r.command, r.executable or "", ())
            for r in resolved
        ]
        key = cache_key(module.path, tree, config, tools)
        account = None
        if base_listed is not None and module.name not in excused:
            account = plan_account(plan, tree, resolved, tools, base_listed)
        if cacheable and use_cache:
            cached = cache.read(key)
            if cached is not None and (account is None or isinstance(cached.get("tests"), dict)):
                notes.append(f"gate: {module.name} cached pass (tree {tree[:7]})")
                if account is not None:
                    accounts.append(account._replace(record=cached["tests"]))
                continue
        if resolved:
            caches = None if server else tool_cache_dir(repo.common_dir, module.name, tools)
            work.append(_Work(plan, own, tree, key, resolved, cacheable, account, caches))
    if work:
        ran_findings, ran_notes, ran_accounts = _run(repo, work, config, cache, _saw(change))
        findings += ran_findings
        notes += ran_notes
        accounts += ran_accounts
    if accounts:
        settled, settle_notes = settle(repo, accounts, cache, use_cache=use_cache)
        findings += settled
        notes += settle_notes
    return GateResult(apply_policy(findings, policy), notes)


def _saw(change: "Change") -> str:
    """What the gate ran on, in the words of where the finding is shown (TG401's hint)."""
    from taskgate.gitsides import IndexSide

    if isinstance(change.after, IndexSide):
        return (
            "the gate saw only staged files (unstaged edits are not part of the commit; "
            "git add the files it needs)"
        )
    if not change.commit:
        return "the gate ran on the files of the tree checked"
    return f"the gate ran on the files of commit {change.commit[:12]}, as committed"


def _run(
    repo: "Repo", work: list[_Work], config: list[Entry], cache: "GateCache", saw: str
) -> tuple[list[Finding], list[str], list["Account"]]:
    from taskgate.gate.progress import Progress
    from taskgate.gate.runner import Interrupts, Job, run_jobs
    from taskgate.gate.snapshot import Snapshot
    from taskgate.gate.testrecord import RECORD_ENV, instrument, is_pytest, load, write_plugin
    from taskgate.gate.tools import command_env

    findings: list[Finding] = []
    notes: list[str] = []
    accounts: list[Account] = []
    several = len(work) > 1
    with Interrupts() as interrupts:
        with interrupts.deferred():
            snapshot = Snapshot()
        try:
            export = {e.path: e for e in config}
            for w in work:
                export.update(w.entries)
            snapshot.export(repo, export)
            per_module: list[list[Job]] = []
            plugin = write_plugin(snapshot.base / "plugin")
            count = 0
            for w in work:
                cwd = snapshot.tree / w.plan.module.path
                cwd.mkdir(parents=True, exist_ok=True)
                pythonpath = [cwd, *([cwd / "src"] if (cwd / "src").is_dir() else [])]
                jobs = []
                for r in w.resolved:
                    count += 1
                    label = f"{w.plan.module.name}: {r.command}" if several else r.command
                    log = snapshot.logs / f"{count}.log"
                    if is_pytest(r.argv):
                        # Which tests ran, and how: recorded by taskgate's plugin.
                        env = command_env(r.executable, [plugin, *pythonpath])
                        record = snapshot.logs / f"{count}.json"
                        env[RECORD_ENV] = str(record)
                        run = r._replace(argv=instrument(r.argv))
                        job = Job(label, run, cwd, env, w.plan.timeout, log)
                        job.record = record
                    else:
                        env = command_env(r.executable, pythonpath)
                        job = Job(label, r, cwd, env, w.plan.timeout, log)
                    if w.tool_cache is not None:
                        _use_tool_caches(job.env, w.tool_cache)
                    jobs.append(job)
                per_module.append(jobs)
            everything = [job for jobs in per_module for job in jobs]
            run_jobs(everything, interrupts, Progress(sys.stderr), max(4, os.cpu_count() or 1))
            for w, jobs in zip(work, per_module, strict=True):
                passed = True
                tests: dict[str, object] | None = None
                for job in jobs:
                    finding, note = _judge(w.plan, job, saw)
                    notes.append(note)
                    if finding is not None:
                        findings.append(finding)
                        passed = False
                        if finding.rule == "TG401":
                            findings += _on_lines(w.plan.module, job)
                    elif job.record is not None:
                        tests = load(job.record)
                        if tests is None:
                            passed = False
                            findings.append(_no_record(w.plan.module, job.resolved.command))
                if passed and w.account is not None and tests is not None:
                    accounts.append(w.account._replace(record=tests))
                if passed and w.cacheable:
                    cache.store(
                        w.key,
                        {
                            "module": w.plan.module.name,
                            "path": w.plan.module.path,
                            "tree": w.tree,
                            "commands": [job.resolved.command for job in jobs],
                            "seconds": [round(job.duration, 3) for job in jobs],
                            "created": time.time(),
                            **({"tests": tests} if tests is not None else {}),
                        },
                    )
        finally:
            with interrupts.deferred():
                snapshot.remove()
    return findings, notes, accounts


def _is_pytest(argv: Sequence[str]) -> bool:
    from taskgate.gate.testrecord import is_pytest

    return is_pytest(argv)


def _runs_pytest(plan: ModulePlan) -> bool:
    """Whether one of the plan's commands is pytest (as `plan_account` will judge it)."""
    for command in plan.commands:
        try:
            argv = shlex.split(command)
        except ValueError:
            continue  # reported as unusable; never accounted
        if argv and _is_pytest(argv):
            return True
    return False


def _use_tool_caches(env: dict[str, str], folder: Path) -> None:
    """Point mypy, ruff and pytest at caches that outlive the snapshot (local hooks only:
    a server-side verdict never depends on what an earlier local run left behind).

    Safe with snapshots: every export gives the files a new modification time, and
    mypy and ruff re-check a file whose time changed (mypy compares its hash)."""
    env["MYPY_CACHE_DIR"] = str(folder / "mypy")
    env["RUFF_CACHE_DIR"] = str(folder / "ruff")
    pytest_cache = shlex.quote(f"cache_dir={folder / 'pytest'}")
    env["PYTEST_ADDOPTS"] = f"-o {pytest_cache} {env.get('PYTEST_ADDOPTS', '')}".strip()


def _on_lines(module: Module, job: "Job") -> list[Finding]:
    """A failed command's findings on the lines its output names (taskgate.gate.locate)."""
    from taskgate.gate.locate import places

    command = job.resolved.command
    return [
        Finding(
            "TG401",
            f"{command}: {place.text}",
            path=f"{module.path}/{place.path}",
            line=place.line,
            hint=f"the full output is in the finding on {module.path}",
        )
        for place in places(job.log, job.cwd)
    ]


def _no_record(module: Module, command: str) -> Finding:
    return Finding(
        "TG602",
        f"{command} passed but wrote no test record: something in the module unloaded "
        "taskgate's pytest plugin or stopped pytest before the end",
        path=module.path,
        hint="do not unregister plugins or end pytest early from conftest.py or the tests",
    )


def _judge(plan: ModulePlan, job: "Job", saw: str) -> tuple[Finding | None, str]:
    """The finding (None: passed) and the timing note for one finished command."""
    module, command = plan.module, job.resolved.command
    where = f"gate: {module.name}: {command}"
    took = f"{job.duration:.2f} s"
    if job.error is not None:
        message = f"could not be started: {job.error}"
        return _unusable(module, command, message), f"{where} {message}"
    if job.timed_out:
        finding = Finding(
            "TG403",
            f"{command} timed out after {job.timeout:g} s",
            path=module.path,
            hint=f"make it faster, or raise `timeout` under [gate] or [gate.modules.{module.name}] "
            "in the policy (the lead's file)",
            snippet=tuple(job.tail()),
        )
        return finding, f"{where} timed out after {job.timeout:g} s"
    code = job.returncode
    if code == 0:
        return None, f"{where} passed in {took}"
    if code == 5 and _is_pytest(job.resolved.argv):
        finding = Finding(
            "TG402",
            f"{command} collected no tests (exit 5)",
            path=module.path,
            hint=f"add tests (e.g. {module.path}/tests/test_*.py) and stage them with git add",
            snippet=tuple(job.tail()),
        )
        return finding, f"{where} collected no tests in {took}"
    if code is not None and code < 0:
        try:
            status = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            status = f"killed by signal {-code}"
    else:
        status = f"exit {code}"
    finding = Finding(
        "TG401",
        f"{command} failed ({status})",
        path=module.path,
        hint=f"run `{command}` in {module.path}/; {saw}",
        snippet=tuple(job.tail()),
    )
    return finding, f"{where} failed ({status}) in {took}"


def _unusable(module: Module, command: str, why: str) -> Finding:
    return Finding(
        "TG403",
        f"`{command}` {why}",
        path=module.path,
        hint=f"fix the command under [gate.modules.{module.name}] or [gate.{module.language}] "
        "in the policy",
    )


def _missing(module: Module, commands: Sequence[str], found: Resolved) -> Finding:
    name = found.argv[0]
    where = f"{module.path}/.venv/bin, .venv/bin, taskgate's environment or PATH"
    if found.passed_over:
        where += (
            f" (passed over {', '.join(found.passed_over)}: part of the content being "
            "judged, so it cannot be the tool that judges it)"
        )
    if module.language == "python":
        tools: list[str] = []
        for command in commands:
            try:
                first = shlex.split(command)[:1]
            except ValueError:
                continue
            if first and "/" not in first[0] and not first[0].startswith("python"):
                tools.append(first[0])
        venv = shlex.quote(f"{module.path}/.venv")
        tool_list = " ".join(dict.fromkeys(tools or [name]))
        hint = f"python -m venv {venv} && {venv}/bin/pip install {tool_list}"
    else:
        hint = f"install {name} (or put it on PATH), or change the module's gate commands"
    return Finding(
        "TG403",
        f"{found.command}: {name} not found in {where}",
        path=module.path,
        hint=hint,
    )
