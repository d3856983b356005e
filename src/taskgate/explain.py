"""`taskgate rules` and `taskgate explain ID`: the rule documentation, as ruff prints its own."""

from __future__ import annotations

import json
import textwrap

from taskgate.errors import TaskgateError
from taskgate.rules.catalog import all_rules


def rules_table(fmt: str = "text") -> str:
    rules = all_rules()
    if fmt == "json":
        return json.dumps(
            [{"id": r.id, "name": r.name, "stage": r.stage, "summary": r.summary}
             for r in rules.values()],
            indent=2,
        ) + "\n"  # fmt: skip
    lines = [f"{'id':<6} {'stage':<5} {'name':<22} summary"]
    lines += [f"{r.id:<6} {r.stage:<5} {r.name:<22} {r.summary}" for r in rules.values()]
    lines.append("")
    lines.append(
        "stage: pre = pre-commit hook, msg = commit-msg hook (needs the actor), "
        "ci = ci / pre-push / pre-receive only, agent = `taskgate guard` before an agent's "
        "tool call; `taskgate explain ID` for details."
    )
    return "\n".join(lines) + "\n"


# `taskgate explain policy|board`: the shipped references (docs/*.md).
REFERENCES = {"policy": "policy-reference.md", "board": "board-reference.md"}


def reference(name: str) -> str:
    """The text of a shipped reference document."""
    from taskgate.resources import data_dir

    try:
        return (data_dir("docs") / REFERENCES[name]).read_text(encoding="utf-8")
    except (OSError, KeyError) as exc:
        raise TaskgateError(f"the {name} reference is missing from this installation") from exc


_SEE_ALSO = {
    "board": "the board's fields and who may change what: `taskgate explain board`",
    "policy": "every policy table and key: `taskgate explain policy`",
}


def explain(rule_id: str) -> str:
    if rule_id.lower() in REFERENCES:
        return reference(rule_id.lower())
    rules = all_rules()
    rule = rules.get(rule_id.upper())
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id.upper(), list(rules), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise TaskgateError(
            f"unknown rule id '{rule_id}'{hint}; `taskgate rules` lists them "
            "(`taskgate explain policy` and `taskgate explain board` print the references)"
        )

    def para(text: str) -> str:
        return "\n".join(textwrap.fill(p, 88) for p in text.split("\n"))

    def block(text: str) -> str:
        return textwrap.indent(text, "    ")

    return (
        f"{rule.id} ({rule.name}) — {rule.summary}\n"
        f"stage: {rule.stage}\n\n"
        f"## What it does\n{para(rule.what)}\n\n"
        f"## Why is this bad?\n{para(rule.why)}\n\n"
        f"## Example\n{block(rule.example)}\n\n"
        f"## Use instead\n{block(rule.fix)}\n\n"
        f"## See also\n{_SEE_ALSO[rule.see_also]}\n"
    )
