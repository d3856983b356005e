"""Test accounting in the gate: the base's record, found in the cache or made on a snapshot.

See `taskgate.gate.testrecord` for what is recorded and how records are compared.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from taskgate.finding import Finding
from taskgate.gate.tools import Resolved
from taskgate.git import Entry

if TYPE_CHECKING:
    from taskgate.change import Change
    from taskgate.gate import ModulePlan
    from taskgate.gate.cache import GateCache, Tool
    from taskgate.git import Repo


class Account(NamedTuple):
    """A module whose tests are compared with the base's."""

    plan: ModulePlan
    pytest: Resolved
    base: BaseListing
    base_config: list[Entry]
    base_key: str
    record: dict[str, Any] | None = None  # the new side's record


class BaseListing(NamedTuple):
    """The base side, seen cheaply: one entry per module folder (its tree id) and per
    root configuration file. The module's files are listed only when the base has to
    be exported (its record is not cached)."""

    repo: Repo
    rev: str
    entries: dict[str, Entry]

    def files(self, module_path: str) -> dict[str, Entry]:
        return self.repo.tree_entries(self.rev, [module_path])


def base_listing(repo: Repo, change: Change, paths: Sequence[str]) -> BaseListing | None:
    """The base side's module folders and root configuration (one `ls-tree`, not
    recursive: a cache hit needs only the folders' tree ids)."""
    from taskgate.gate.snapshot import ROOT_CONFIG
    from taskgate.git import parse_ls
    from taskgate.gitsides import TreeSide

    if not paths or not isinstance(change.before, TreeSide):
        return None
    rev = change.before.rev
    out = repo.git.run(
        "--literal-pathspecs", "ls-tree", "-z", "--full-tree", rev, "--", *paths, *ROOT_CONFIG
    )
    return BaseListing(repo, rev, parse_ls(out, tree=True))


def plan_account(
    plan: ModulePlan,
    tree: str,
    resolved: Sequence[Resolved],
    tools: Sequence[Tool],
    base: BaseListing,
) -> Account | None:
    from taskgate.gate.cache import cache_key
    from taskgate.gate.snapshot import ROOT_CONFIG
    from taskgate.gate.testrecord import is_pytest

    pytest = next((r for r in resolved if is_pytest(r.argv)), None)
    if pytest is None:
        return None
    module = plan.module
    folder = base.entries.get(module.path)
    if folder is None or folder.mode != "040000":
        return None  # a new module: there is nothing to compare with
    if folder.oid == tree:
        return None
    config = [base.entries[p] for p in ROOT_CONFIG if p in base.entries]
    return Account(plan, pytest, base, config, cache_key(module.path, folder.oid, config, tools))


def _cached(caches: Sequence[GateCache], key: str) -> dict[str, Any] | None:
    for cache in caches:
        got = cache.read(key)
        if got is not None and isinstance(got.get("tests"), dict):
            tests: dict[str, Any] = got["tests"]
            return tests
    return None


def settle(
    repo: Repo, accounts: list[Account], cache: GateCache, *, use_cache: bool
) -> tuple[list[Finding], list[str]]:
    """Compare every account's record with its base's; TG601/TG602 findings and notes."""
    from taskgate.gate.cache import GateCache
    from taskgate.gate.testrecord import compare, doubtful, merge_outcomes

    # The bases' collections are kept apart from the passing results.
    collections = GateCache(repo.common_dir, "test-collections")
    findings: list[Finding] = []
    notes: list[str] = []
    bases: dict[int, dict[str, Any]] = {}
    missing: list[int] = []
    for i, account in enumerate(accounts):
        found = _cached((cache, collections), account.base_key) if use_cache else None
        if found is None:
            missing.append(i)
        else:
            bases[i] = found
    if missing:
        collected = _on_base(repo, [(accounts[i], ("--collect-only", "-q")) for i in missing])
        for i, record in zip(missing, collected, strict=True):
            name = accounts[i].plan.module.name
            if record is None:
                notes.append(f"gate: {name}: the base's tests could not be collected; "
                             "test accounting skipped")  # fmt: skip
                continue
            bases[i] = record
            notes.append(f"gate: {name}: the base's tests collected for test accounting")
            collections.store(accounts[i].base_key, {"tests": record})
    unsure = [
        (i, ids)
        for i, base in bases.items()
        if base.get("collect_only") and (ids := doubtful(base, accounts[i].record or {}))
    ]
    if unsure:
        ran = _on_base(repo, [(accounts[i], tuple(ids)) for i, ids in unsure])
        for (i, _ids), record in zip(unsure, ran, strict=True):
            bases[i] = merge_outcomes(bases[i], record)
    for i, base in bases.items():
        account = accounts[i]
        if account.record is not None:
            findings += compare(account.plan.module.path, base, account.record)
    return findings, notes


def _on_base(
    repo: Repo, runs: list[tuple[Account, tuple[str, ...]]]
) -> list[dict[str, Any] | None]:
    """Run each account's pytest (with `extra` arguments) on a snapshot of its base."""
    from pathlib import Path

    from taskgate.gate.progress import Progress
    from taskgate.gate.runner import Interrupts, Job, run_jobs
    from taskgate.gate.snapshot import Snapshot
    from taskgate.gate.testrecord import RECORD_ENV, instrument, load, write_plugin
    from taskgate.gate.tools import command_env

    out: list[dict[str, Any] | None] = []
    with Interrupts() as interrupts:
        with interrupts.deferred():
            snapshot = Snapshot()
        try:
            export: dict[str, Entry] = {}
            for account, _extra in runs:
                export.update({e.path: e for e in account.base_config})
                export.update(account.base.files(account.plan.module.path))
            snapshot.export(repo, export)
            plugin = write_plugin(snapshot.base / "plugin")
            jobs: list[Job] = []
            for n, (account, extra) in enumerate(runs):
                cwd = snapshot.tree / account.plan.module.path
                cwd.mkdir(parents=True, exist_ok=True)
                pythonpath = [plugin, cwd, *([cwd / "src"] if (cwd / "src").is_dir() else [])]
                env = command_env(account.pytest.executable, pythonpath)
                record = snapshot.logs / f"base-{n}.json"
                env[RECORD_ENV] = str(record)
                run = account.pytest._replace(argv=instrument(account.pytest.argv, *extra))
                label = f"{account.plan.module.name}: the base's tests"
                job = Job(label, run, cwd, env, account.plan.timeout, snapshot.logs / f"b{n}.log")
                job.record = Path(record)
                jobs.append(job)
            run_jobs(jobs, interrupts, Progress(sys.stderr), max(4, os.cpu_count() or 1))
            for job in jobs:
                ok = job.error is None and not job.timed_out and job.returncode in (0, 1, 5)
                out.append(load(job.record) if ok and job.record is not None else None)
        finally:
            with interrupts.deferred():
                snapshot.remove()
    return out
