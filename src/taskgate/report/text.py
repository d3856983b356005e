"""Text output for people: one finding a line, an indented hint, a closing count."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

from taskgate.finding import Finding, Severity

if TYPE_CHECKING:
    from taskgate.outcome import Outcome

_RED, _YELLOW, _DIM, _BOLD, _GREEN, _RESET = (
    "\033[31m", "\033[33m", "\033[2m", "\033[1m", "\033[32m", "\033[0m",
)  # fmt: skip


def use_colour(stream: TextIO) -> bool:
    if "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def format_finding(f: Finding, colour: bool) -> list[str]:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    sev = paint(_RED if f.severity is Severity.ERROR else _YELLOW, f"{f.severity.value:<6}")
    where = ""
    if f.path:
        where = f.path + (f":{f.line}" if f.line else "") + ": "
    lines = []
    if f.commit:
        subject = f" {f.subject}" if f.subject else ""
        lines.append(paint(_DIM, f"{f.commit[:10]}{subject}"))
    lines.append(f"{paint(_BOLD, f.rule)} {sev} {where}{f.message}")
    lines.extend("    " + s for s in f.snippet)
    if f.hint:
        lines.append(paint(_DIM, f"    hint: {f.hint}"))
    return lines


def render_text(outcome: Outcome, stream: TextIO, elapsed_ms: int) -> None:
    colour = use_colour(stream)
    out: list[str] = []
    last_commit: str | None = None
    plain = {sev: f"{sev.value:<6}" for sev in Severity}
    for f in outcome.findings:
        if not (colour or f.commit or f.snippet):
            # The common case, inline: a change of a hundred files can have thousands.
            where = (f"{f.path}:{f.line}: " if f.line else f"{f.path}: ") if f.path else ""
            out.append(f"{f.rule} {plain[f.severity]} {where}{f.message}")
            if f.hint:
                out.append(f"    hint: {f.hint}")
            last_commit = None
            continue
        block = format_finding(f, colour)
        if f.commit and f.commit == last_commit:
            block = block[1:]  # the commit line once per group
        last_commit = f.commit
        out.extend(block)
    out.extend(f"  {note}" for note in outcome.notes)
    errors = sum(1 for f in outcome.findings if f.severity is Severity.ERROR)
    warnings = len(outcome.findings) - errors
    summary = (
        f"taskgate {outcome.title}: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)} in {elapsed_ms} ms"
    )
    if errors:
        summary = (_RED if colour else "") + summary + (_RESET if colour else "")
    elif colour:
        summary = _GREEN + summary + _RESET
    out.append(summary)
    stream.write("\n".join(out) + "\n")
    stream.flush()
