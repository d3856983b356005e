"""The taskgate.toml reference, its JSON Schema and the policy loader agree (issue 15)."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from taskgate.policy import TABLES, check_gate_names, policy_from_table
from taskgate.rules.catalog import RULE_IDS
from tests.conftest import GitRepo, run_taskgate

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "policy-reference.md"
SCHEMA = ROOT / "schemas" / "taskgate.schema.json"
CHECK_JSONSCHEMA = ROOT / ".venv" / "bin" / "check-jsonschema"
# Placeholders of the reference, and the name the full example uses for each.
PLACEHOLDERS = {"<language>": "python", "<module>": "python"}


def reference_keys() -> list[str]:
    """Every `table.key` the reference documents (its `###`/`####` headings)."""
    text = REFERENCE.read_text(encoding="utf-8")
    return re.findall(r"^#{3,4} `([a-z_<>.]+)`$", text, flags=re.MULTILINE)


def full_example() -> dict[str, Any]:
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("## Every key at once", 1)[1]
    block = section.split("```toml\n", 1)[1].split("```", 1)[0]
    return tomllib.loads(block)


def schema_node(schema: dict[str, Any], key: str) -> dict[str, Any] | None:
    node: dict[str, Any] = schema
    parts = key.split(".")
    for i, part in enumerate(parts):
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        props = node.get("properties", {})
        if part in props:
            node = props[part]
        elif part.startswith("<") and isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return None
        del i
    return node


def lookup(table: dict[str, Any], key: str) -> bool:
    node: Any = table
    for part in key.split("."):
        part = PLACEHOLDERS.get(part, part)
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_reference_documents_every_table_of_the_loader() -> None:
    keys = reference_keys()
    assert len(keys) >= 20
    assert {k.split(".")[0] for k in keys} == set(TABLES)


def test_every_reference_key_is_in_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    assert set(schema["properties"]) == set(TABLES)
    missing = [key for key in reference_keys() if schema_node(schema, key) is None]
    assert missing == []


def test_every_reference_key_is_in_the_loader() -> None:
    example = full_example()
    # The full example sets every key the reference documents ...
    assert [key for key in reference_keys() if not lookup(example, key)] == []
    # ... and the loader accepts all of it, with the values it says.
    policy = policy_from_table(example, "reference", rule_ids=RULE_IDS)
    check_gate_names(policy, {"python": "python"})
    assert policy.commit.header_max == 100
    assert policy.gate.modules["python"].timeout == 300
    assert policy.history.baseline == example["history"]["baseline"]
    assert policy.rules.warn == frozenset({"TG112"})


def test_the_example_and_the_scaffold_pass_check_jsonschema(repo: GitRepo, tmp_path: Path) -> None:
    example = tmp_path / "example.toml"
    text = REFERENCE.read_text(encoding="utf-8").split("## Every key at once", 1)[1]
    example.write_text(text.split("```toml\n", 1)[1].split("```", 1)[0])
    assert run_taskgate("init", cwd=repo.path).returncode == 0
    for instance in (example, repo.path / "taskgate.toml"):
        proc = subprocess.run(
            [str(CHECK_JSONSCHEMA), "--schemafile", str(SCHEMA), str(instance)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[gate.modules.web]\ncommands = 'pytest'\n[comit]\n")
    proc = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(SCHEMA), str(bad)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "gate.modules.web.commands" in proc.stdout
    assert "comit" in proc.stdout


def test_explain_reaches_the_references(tmp_path: Path) -> None:
    policy = run_taskgate("explain", "policy", cwd=tmp_path)
    assert policy.returncode == 0
    assert "### `history.baseline`" in policy.stdout
    board = run_taskgate("explain", "board", cwd=tmp_path)
    assert "review_comments" in board.stdout
    assert "| `done → review_feedback` |" in board.stdout
    tg304 = run_taskgate("explain", "TG304", cwd=tmp_path).stdout
    assert "SPEC" not in tg304
    assert "taskgate explain board" in tg304
    assert "taskgate explain policy" in run_taskgate("explain", "TG105", cwd=tmp_path).stdout


def test_rule_docs_never_cite_the_spec() -> None:
    from taskgate.rules.catalog import RULES

    for rule in RULES.values():
        text = " ".join((rule.summary, rule.what, rule.why, rule.example, rule.fix))
        assert "SPEC" not in text, rule.id
