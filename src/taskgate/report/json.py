"""JSON output: `{"version": 1, "ok", "findings": [...], "duration_ms"}` (stable shape)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from taskgate.finding import Finding, Severity

if TYPE_CHECKING:
    from taskgate.commithooks import Outcome


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "commit": f.commit,
        "hint": f.hint,
        "snippet": list(f.snippet),
    }


def render_json(outcome: Outcome, stream: TextIO, elapsed_ms: int) -> None:
    doc = {
        "version": 1,
        "ok": not any(f.severity is Severity.ERROR for f in outcome.findings),
        "findings": [finding_dict(f) for f in outcome.findings],
        "notes": outcome.notes,
        "duration_ms": elapsed_ms,
    }
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    # A path that is not UTF-8 is held with lone surrogates; they must not reach the
    # output (invalid UTF-8, or a UnicodeEncodeError on a strict stdout).
    text = text.encode("utf-8", "replace").decode("utf-8")
    stream.write(text + "\n")
    stream.flush()
