"""Reporters: they only format findings (text, json, github, sarif)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from taskgate.commithooks import Outcome

FORMATS = ("text", "json", "github", "sarif")


def render(outcome: Outcome, fmt: str, *, stdout: TextIO, stderr: TextIO, elapsed_ms: int) -> None:
    """Write the outcome in `fmt`; text goes to stderr, machine formats to stdout."""
    if fmt == "json":
        from taskgate.report.json import render_json

        render_json(outcome, stdout, elapsed_ms)
    elif fmt == "github":
        from taskgate.report.github import render_github

        render_github(outcome, stdout, elapsed_ms)
    elif fmt == "sarif":
        from taskgate.report.sarif import render_sarif

        render_sarif(outcome, stdout, elapsed_ms)
    else:
        from taskgate.report.text import render_text

        render_text(outcome, stderr, elapsed_ms)
