"""SARIF 2.1.0 output, for code-scanning uploads (e.g. github/codeql-action/upload-sarif).

One run, with every rule of the catalog as a reportingDescriptor (so the rule's
documentation shows beside each alert), and one result per finding: ruleId,
level, message, a location (repository-relative URI, line when known) and a
partial fingerprint that stays the same while the finding does, so an alert is
tracked across runs instead of reopened.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from taskgate import __version__
from taskgate.finding import Finding, Severity

if TYPE_CHECKING:
    from taskgate.commithooks import Outcome
    from taskgate.rules.registry import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "taskgateFinding/v1"


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.ERROR else "warning"


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """The catalog's documentation of one rule in SARIF's reportingDescriptor shape."""
    markdown = (
        f"**{rule.id} {rule.name}** — {rule.summary}\n\n{rule.what}\n\n**Why:** {rule.why}\n\n"
        f"**Fails:**\n\n```\n{rule.example}\n```\n\n**Fix:** {rule.fix}\n"
    )
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {
            "text": f"{rule.what}\nWhy: {rule.why}\nFails: {rule.example}\nFix: {rule.fix}",
            "markdown": markdown,
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["taskgate", f"stage:{rule.stage}"], "precision": "very-high"},
    }


def _uri(path: str) -> str:
    # A URI reference: percent-encode spaces, '#', '?' and non-ASCII bytes (also non-UTF-8).
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def fingerprint(f: Finding) -> str:
    """Stable across runs for the same finding on the same commit (and line-independent)."""
    key = "\0".join([f.rule, f.path or "", f.commit or "", f.message])
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    """One finding as a SARIF result."""
    text = f.message
    if f.commit:
        text += f" (commit {f.commit[:10]}" + (f" {f.subject}" if f.subject else "") + ")"
    if f.hint:
        text += f"\nhint: {f.hint}"
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": _uri(f.path or "."), "uriBaseId": "%SRCROOT%"}
    }
    if f.line and f.line > 0:
        physical["region"] = {"startLine": f.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if f.commit:
        location["logicalLocations"] = [{"name": f.commit[:10], "fullyQualifiedName": f.commit,
                                         "kind": "commit"}]  # fmt: skip
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "level": _level(f.severity),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
    }
    if f.rule in index:
        out["ruleIndex"] = index[f.rule]
    props: dict[str, Any] = {}
    if f.commit:
        props["commit"] = f.commit
        if f.subject:
            props["subject"] = f.subject
    if f.snippet:
        props["snippet"] = list(f.snippet)
    if props:
        out["properties"] = props
    return out


def sarif_log(outcome: Outcome, elapsed_ms: int) -> dict[str, Any]:
    """The whole SARIF log as a JSON-ready dict."""
    from taskgate.rules.catalog import RULES

    rules = [rule_descriptor(r) for r in RULES.values()]
    index = {r.id: i for i, r in enumerate(RULES.values())}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "taskgate",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [result(f, index) for f in outcome.findings],
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "note", "message": {"text": note}} for note in outcome.notes
                ],
                "properties": {"duration_ms": elapsed_ms, "command": outcome.title},
            }
        ],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(outcome: Outcome, stream: TextIO, elapsed_ms: int) -> None:
    text = json.dumps(sarif_log(outcome, elapsed_ms), ensure_ascii=False, indent=2)
    # Lone surrogates (paths that are not UTF-8) must not reach the output.
    stream.write(text.encode("utf-8", "replace").decode("utf-8") + "\n")
    stream.flush()
