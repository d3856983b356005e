"""The policy: `taskgate.toml` or `[tool.taskgate]` in `pyproject.toml`, frozen.

Read from the base of the change (HEAD, the index on a first commit, a commit's
first parent in CI), never from the change itself, so a commit cannot weaken the
rules it is checked against.
"""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from taskgate.errors import ConfigError
from taskgate.policytoml import parse_toml
from taskgate.repopath import path_problem

POLICY_FILE = "taskgate.toml"
PYPROJECT = "pyproject.toml"

DEFAULT_TYPES = (
    "build", "chore", "ci", "docs", "feat", "fix", "perf", "refactor", "revert", "style", "test",
)  # fmt: skip
DEFAULT_PYTHON_COMMANDS = ("ruff check .", "mypy .", "pytest -q")


class Paths(NamedTuple):
    structure: str = "shared/project_structure.json"
    tasks: str = "shared/task_list.json"
    plan: str = "shared/plan.md"
    api: str = "shared/api"


class CommitPolicy(NamedTuple):
    types: tuple[str, ...] = DEFAULT_TYPES
    require_scope: bool = True
    header_max: int = 100
    require_task_trailer: bool = False
    allow_fixup_in_ci: bool = False


class RulePolicy(NamedTuple):
    ignore: frozenset[str] = frozenset()
    warn: frozenset[str] = frozenset()


class GateCommands(NamedTuple):
    commands: tuple[str, ...]
    timeout: float | None = None


class GatePolicy(NamedTuple):
    timeout: float = 600.0
    enabled: bool = True
    pre_push: bool = False
    # Shared defaults are never mutated: policies are read-only once built.
    languages: Mapping[str, GateCommands] = {"python": GateCommands(DEFAULT_PYTHON_COMMANDS)}
    modules: Mapping[str, GateCommands] = {}


class IntegrityPolicy(NamedTuple):
    max_file_bytes: int = 1024 * 1024
    secrets_allow: frozenset[str] = frozenset()


class HistoryPolicy(NamedTuple):
    """What may enter shared history besides ordinary commits (see docs/security.md)."""

    allow_new_roots: bool = False  # a lead's parentless commit in a repository with history
    allow_replace_refs: bool = False  # pushes to refs/replace/* (pre-receive)
    # The last commit from before taskgate: it and its ancestors are never judged.
    baseline: str | None = None


IDENTITY_MODES = ("claimed", "signed")


class IdentityPolicy(NamedTuple):
    """SPEC §10.4: who a commit is from, claimed by its scope or proven by its signature."""

    mode: str = "claimed"
    allowed_signers: str = "shared/allowed_signers"


class Policy(NamedTuple):
    """Everything configurable, with the defaults of docs/policy-reference.md."""

    paths: Paths = Paths()
    commit: CommitPolicy = CommitPolicy()
    rules: RulePolicy = RulePolicy()
    gate: GatePolicy = GatePolicy()
    integrity: IntegrityPolicy = IntegrityPolicy()
    source: str = "defaults"
    history: HistoryPolicy = HistoryPolicy()
    identity: IdentityPolicy = IdentityPolicy()


# --- strict reading -------------------------------------------------------

_Table = dict[str, Any]


def _expect_table(value: object, where: str, source: str) -> _Table:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: [{where}] must be a table, got {type(value).__name__}")
    return value


def _did_you_mean(word: str, choices: Collection[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word.lower(), sorted(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_keys(table: _Table, allowed: set[str], where: str, source: str) -> None:
    for key in table:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigError(
                f"{source}: unknown key '{key}' in [{where}]{_did_you_mean(key, allowed)} "
                f"(known keys: {known})"
            )


def _str(table: _Table, key: str, where: str, source: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{source}: {where}.{key} must be a non-empty string")
    return value


def _repo_path(table: _Table, key: str, where: str, source: str, default: str) -> str:
    """A repository-relative POSIX path: git would refuse anything else, mid-run."""
    value = _str(table, key, where, source, default).strip("/")
    # A drive letter is a name git can store; a control character would reach its command line.
    if path_problem(value, drive_letter=False, control=True) is not None:
        raise ConfigError(
            f"{source}: {where}.{key} must be a path inside the repository such as "
            f"'{default}', got {table.get(key)!r}"
        )
    return value


def _bool(table: _Table, key: str, where: str, source: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{source}: {where}.{key} must be true or false, got {value!r}")
    return value


def _number(table: _Table, key: str, where: str, source: str, default: float) -> float:
    value = table.get(key, default)
    # TOML allows inf and nan; neither is a usable timeout (nan even passes `<= 0`).
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value < float("inf")
    ):
        raise ConfigError(f"{source}: {where}.{key} must be a positive number, got {value!r}")
    return float(value)


def _str_list(
    table: _Table, key: str, where: str, source: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{source}: {where}.{key} must be a list of non-empty strings")
    return tuple(value)


def _gate_commands(value: object, where: str, source: str) -> GateCommands:
    table = _expect_table(value, where, source)
    _check_keys(table, {"commands", "timeout"}, where, source)
    commands = _str_list(table, "commands", where, source, ())
    timeout = _number(table, "timeout", where, source, 1.0) if "timeout" in table else None
    return GateCommands(commands, timeout)


# The top-level tables of the policy (docs/policy-reference.md documents each).
TABLES = ("paths", "commit", "rules", "gate", "integrity", "secrets", "history", "identity")
# Languages with built-in gate defaults; [gate.<language>] may also name any language
# a module declares in project_structure.json.
BUILTIN_LANGUAGES = ("python",)


def _history(data: _Table, source: str) -> HistoryPolicy:
    h = _expect_table(data.get("history", {}), "history", source)
    _check_keys(h, {"allow_new_roots", "allow_replace_refs", "baseline"}, "history", source)
    d = HistoryPolicy()
    value = h.get("baseline")
    if value is not None and (
        not isinstance(value, str)
        or len(value) not in (40, 64)
        or any(ch not in "0123456789abcdef" for ch in value)
    ):
        raise ConfigError(
            f"{source}: history.baseline must be a full commit id (40 or 64 lower-case hex "
            f"digits, as `git rev-parse HEAD` prints it), got {value!r}"
        )
    return HistoryPolicy(
        allow_new_roots=_bool(h, "allow_new_roots", "history", source, d.allow_new_roots),
        allow_replace_refs=_bool(h, "allow_replace_refs", "history", source, d.allow_replace_refs),
        baseline=value,
    )


def policy_from_table(data: _Table, source: str, *, rule_ids: Collection[str]) -> Policy:
    """Build a Policy from parsed TOML; unknown keys and wrong types are ConfigErrors."""
    _check_keys(data, set(TABLES), "taskgate", source)

    p = _expect_table(data.get("paths", {}), "paths", source)
    _check_keys(p, {"structure", "tasks", "plan", "api"}, "paths", source)
    d = Paths()
    paths = Paths(
        structure=_repo_path(p, "structure", "paths", source, d.structure),
        tasks=_repo_path(p, "tasks", "paths", source, d.tasks),
        plan=_repo_path(p, "plan", "paths", source, d.plan),
        api=_repo_path(p, "api", "paths", source, d.api),
    )

    c = _expect_table(data.get("commit", {}), "commit", source)
    _check_keys(
        c,
        {"types", "require_scope", "header_max", "require_task_trailer", "allow_fixup_in_ci"},
        "commit",
        source,
    )
    dc = CommitPolicy()
    header_max = c.get("header_max", dc.header_max)
    if isinstance(header_max, bool) or not isinstance(header_max, int) or header_max < 10:
        raise ConfigError(f"{source}: commit.header_max must be an integer of at least 10")
    types = tuple(t.lower() for t in _str_list(c, "types", "commit", source, dc.types))
    if not types:
        raise ConfigError(f"{source}: commit.types must name at least one type")
    commit = CommitPolicy(
        types=types,
        require_scope=_bool(c, "require_scope", "commit", source, dc.require_scope),
        header_max=header_max,
        require_task_trailer=_bool(
            c, "require_task_trailer", "commit", source, dc.require_task_trailer
        ),
        allow_fixup_in_ci=_bool(c, "allow_fixup_in_ci", "commit", source, dc.allow_fixup_in_ci),
    )

    r = _expect_table(data.get("rules", {}), "rules", source)
    _check_keys(r, {"ignore", "warn"}, "rules", source)
    ignore = frozenset(x.upper() for x in _str_list(r, "ignore", "rules", source, ()))
    warn = frozenset(x.upper() for x in _str_list(r, "warn", "rules", source, ()))
    for rule_id in sorted(ignore | warn):
        if rule_id not in rule_ids:
            raise ConfigError(f"{source}: [rules] names unknown rule id '{rule_id}'")

    g = _expect_table(data.get("gate", {}), "gate", source)
    dg = GatePolicy()
    languages = dict(dg.languages)
    modules: dict[str, GateCommands] = {}
    for key, value in g.items():
        if key in {"timeout", "enabled", "pre_push"}:
            continue
        if key == "modules":
            for name, spec in _expect_table(value, "gate.modules", source).items():
                modules[name] = _gate_commands(spec, f"gate.modules.{name}", source)
        elif isinstance(value, dict):
            languages[key] = _gate_commands(value, f"gate.{key}", source)
        else:
            keys = {"timeout", "enabled", "pre_push", "modules"}
            raise ConfigError(
                f"{source}: unknown key '{key}' in [gate]{_did_you_mean(key, keys)} (known "
                "keys: timeout, enabled, pre_push, modules, and one table per language such "
                "as [gate.python])"
            )
    gate = GatePolicy(
        timeout=_number(g, "timeout", "gate", source, dg.timeout),
        enabled=_bool(g, "enabled", "gate", source, dg.enabled),
        pre_push=_bool(g, "pre_push", "gate", source, dg.pre_push),
        languages=languages,
        modules=modules,
    )

    i = _expect_table(data.get("integrity", {}), "integrity", source)
    _check_keys(i, {"max_file_bytes"}, "integrity", source)
    s = _expect_table(data.get("secrets", {}), "secrets", source)
    _check_keys(s, {"allow"}, "secrets", source)
    max_bytes = i.get("max_file_bytes", IntegrityPolicy().max_file_bytes)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ConfigError(f"{source}: integrity.max_file_bytes must be a positive integer")
    integrity = IntegrityPolicy(
        max_file_bytes=max_bytes,
        secrets_allow=frozenset(_str_list(s, "allow", "secrets", source, ())),
    )
    identity = _identity(data, source)
    return Policy(
        paths,
        commit,
        RulePolicy(ignore, warn),
        gate,
        integrity,
        source,
        _history(data, source),
        identity,
    )


def _identity(data: _Table, source: str) -> IdentityPolicy:
    t = _expect_table(data.get("identity", {}), "identity", source)
    _check_keys(t, {"mode", "allowed_signers"}, "identity", source)
    d = IdentityPolicy()
    mode = _str(t, "mode", "identity", source, d.mode)
    if mode not in IDENTITY_MODES:
        raise ConfigError(f'{source}: identity.mode must be "claimed" or "signed", got {mode!r}')
    signers = _repo_path(t, "allowed_signers", "identity", source, d.allowed_signers)
    return IdentityPolicy(mode, signers)


def check_gate_names(
    policy: Policy, modules: Mapping[str, str | None] | None, structure_path: str = ""
) -> None:
    """Every [gate.<x>] and [gate.modules.<x>] must name something (ConfigError otherwise).

    `modules` maps each module of the module map to its language (None: no module map).
    A table that names nothing would be accepted without a word while other commands run.
    """
    source = policy.source
    module_names = dict(modules or {})
    languages = set(BUILTIN_LANGUAGES) | {lang for lang in module_names.values() if lang}
    where = structure_path or "project_structure.json"
    for name in policy.gate.languages:
        if name in languages:
            continue
        if name.lower() in module_names:
            raise ConfigError(
                f"{source}: [gate.{name}] names the module '{name.lower()}', not a language; "
                f"a module's own commands go under [gate.modules.{name.lower()}]"
            )
        known = ", ".join(sorted(languages))
        raise ConfigError(
            f"{source}: [gate.{name}] names no language{_did_you_mean(name, languages)}; "
            f'the languages are {known} (a module\'s "language" in {where}); '
            f"one module's commands go under [gate.modules.<module>]"
        )
    for name in policy.gate.modules:
        if name.lower() in module_names:
            continue
        if modules is None:
            raise ConfigError(
                f"{source}: [gate.modules.{name}] names no module: there is no module map ({where})"
            )
        raise ConfigError(
            f"{source}: [gate.modules.{name}] names no module of {where}"
            f"{_did_you_mean(name, module_names)} (modules: {', '.join(module_names) or 'none'})"
        )


def load_policy(
    read: Callable[[str], bytes | None],
    where: str,
    cache: Path | None = None,
    *,
    rule_ids: Collection[str],
) -> Policy:
    """Load the policy through `read(path)` (a reader of the base side); `where` names it.

    `rule_ids`: the ids `[rules]` may name (`taskgate.rules.catalog.RULE_IDS`: the rules
    layer knows them, the policy only checks against them).

    `cache` is a file of TOML texts already parsed (taskgate.policytoml); None parses afresh.
    """
    own = read(POLICY_FILE)
    pyproject = read(PYPROJECT)
    tool_table: _Table | None = None
    if pyproject is not None and b"taskgate" in pyproject:
        pdata = parse_toml(pyproject, f"{PYPROJECT} ({where})", cache)
        tool = pdata.get("tool", {})
        if isinstance(tool, dict) and "taskgate" in tool:
            tool_table = _expect_table(tool["taskgate"], "tool.taskgate", PYPROJECT)
    if own is not None and tool_table is not None:
        raise ConfigError(
            f"both {POLICY_FILE} and [tool.taskgate] in {PYPROJECT} exist ({where}); "
            "keep one of them"
        )
    if own is not None:
        source = f"{POLICY_FILE} ({where})"
        return policy_from_table(parse_toml(own, source, cache), source, rule_ids=rule_ids)
    if tool_table is not None:
        source = f"{PYPROJECT} [tool.taskgate] ({where})"
        return policy_from_table(tool_table, source, rule_ids=rule_ids)
    return Policy()
