"""`taskgate config`: the policy in force with every default filled in, and each module's
gate commands with the executable each would run (also `taskgate doctor`'s gate lines),
as `pre-commit validate-config`, `commitlint --print-config` and `lefthook dump` do."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from taskgate.errors import TaskgateError
from taskgate.git import Repo


def base_of_head(repo: Repo) -> Any:
    """The policy and module map in force: HEAD's (the index's before a first commit)."""
    from taskgate.builders import load_base
    from taskgate.gitsides import IndexSide, TreeSide

    head = repo.head()
    side = TreeSide(repo, head) if head else IndexSide(repo)
    return load_base(side.read, f"commit {head[:12]}" if head else "the index")


def gate_commands(repo: Repo, base: Any) -> list[dict[str, Any]]:
    """Each module's gate commands and where each one's executable comes from."""
    from taskgate.change import Change, EmptySide, Stage
    from taskgate.gate import plan_modules
    from taskgate.gate.tools import resolve, search_path

    structure = base.structure
    if structure is None:
        return []
    change = Change(files=(), before=EmptySide(), after=EmptySide(), stage=Stage.CHECK,
                    structure=structure)  # fmt: skip
    root = None if repo.bare else repo.root
    out = []
    for plan in plan_modules(change, base.policy, list(structure.modules)):
        dirs = search_path(root, plan.module.path)
        tools = []
        for command in plan.commands:
            try:
                argv = shlex.split(command)
            except ValueError:
                argv = []
            if not argv:
                tools.append({"command": command, "program": "", "executable": None,
                              "from": "cannot be split into words"})  # fmt: skip
                continue
            found = resolve(command, argv, dirs)
            tools.append({"command": command, "program": argv[0],
                          "executable": found.executable,
                          "from": _origin(found.executable, root, plan.module.path)})  # fmt: skip
        out.append({"module": plan.module.name, "path": plan.module.path,
                    "timeout": plan.timeout, "tools": tools})  # fmt: skip
    return out


def _origin(executable: str | None, root: Path | None, module_path: str) -> str:
    if executable is None:
        return "not found"
    if not os.path.isabs(executable):
        return "a path inside the module"
    folder = str(Path(executable).parent)
    if root is not None and folder == str(root / module_path / ".venv" / "bin"):
        return "the module's .venv"
    if root is not None and folder == str(root / ".venv" / "bin"):
        return "the repository's .venv"
    if folder == str(Path(sys.executable).parent):
        return "taskgate's environment"
    return "PATH"


def effective_config(repo: Repo) -> dict[str, Any]:
    """The policy in force (defaults filled in) and each module's resolved gate commands."""
    base = base_of_head(repo)
    p = base.policy
    return {
        "source": p.source,
        "paths": p.paths._asdict(),
        "commit": {**p.commit._asdict(), "types": list(p.commit.types)},
        "rules": {"ignore": sorted(p.rules.ignore), "warn": sorted(p.rules.warn)},
        "gate": {
            "timeout": p.gate.timeout,
            "enabled": p.gate.enabled,
            "pre_push": p.gate.pre_push,
            **{lang: _commands_table(spec) for lang, spec in sorted(p.gate.languages.items())},
            "modules": {name: _commands_table(spec) for name, spec in p.gate.modules.items()},
        },
        "integrity": {"max_file_bytes": p.integrity.max_file_bytes},
        "secrets": {"allow": sorted(p.integrity.secrets_allow)},
        "history": {"baseline": p.history.baseline},
        "resolved_gate": gate_commands(repo, base),
    }


def _commands_table(spec: Any) -> dict[str, Any]:
    table: dict[str, Any] = {"commands": list(spec.commands)}
    if spec.timeout is not None:
        table["timeout"] = spec.timeout
    return table


def config_text(repo: Repo, fmt: str) -> str:
    data = effective_config(repo)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    if fmt != "text":
        raise TaskgateError(f"taskgate config --format {fmt}: use --format text or json")
    return _toml(data)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _toml(data: dict[str, Any]) -> str:
    lines = [f"# effective policy: {data['source']} (every default filled in)"]
    for table in ("paths", "commit", "rules", "gate", "integrity", "secrets", "history"):
        values = data[table]
        lines.append(f"\n[{table}]")
        nested = []
        for key, value in values.items():
            if value is None:
                lines.append(f"# {key} is not set")
            elif isinstance(value, dict):
                nested.append((key, value))
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        for key, value in nested:
            if key == "modules":
                for name, spec in value.items():
                    lines.append(f"\n[gate.modules.{name}]")
                    lines += [f"{k} = {_toml_value(v)}" for k, v in spec.items()]
            else:
                lines.append(f"\n[{table}.{key}]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in value.items()]
    lines.append("\n# each module's gate, as it would run now")
    if not data["resolved_gate"]:
        lines.append("# (no module has gate commands)")
    for gate in data["resolved_gate"]:
        lines.append(f"# {gate['module']} ({gate['path']}/, timeout {gate['timeout']:g} s):")
        for tool in gate["tools"]:
            lines.append(f"#   {tool['command']}  →  {tool['executable'] or 'NOT FOUND'}"
                         f" ({tool['from']})")  # fmt: skip
    return "\n".join(lines) + "\n"
