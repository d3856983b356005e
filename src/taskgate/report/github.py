"""GitHub Actions output: one workflow command per finding, plus a job summary.

`::error file=web/app.ts,line=3,title=TG201::message` becomes an annotation on the
pull request; GitHub shows at most ten errors and ten warnings per step as
annotations, so every finding is also a row of the Markdown table appended to
`$GITHUB_STEP_SUMMARY` (when set), which has no such limit.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

from taskgate.finding import Finding, Severity

if TYPE_CHECKING:
    from taskgate.commithooks import Outcome

# The pseudo-path the message rules report: no file of the repository to annotate.
MESSAGE_PATH = "COMMIT_EDITMSG"


def escape_data(text: str) -> str:
    """The message part of a workflow command: %, CR and LF are encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title): also ':' and ',' that would end it early."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _commit_words(f: Finding) -> str:
    if not f.commit:
        return ""
    return f"commit {f.commit[:10]}" + (f" {f.subject}" if f.subject else "")


def workflow_command(f: Finding) -> str:
    """The `::error …::…` (or `::warning`) line for one finding."""
    level = "error" if f.severity is Severity.ERROR else "warning"
    props = []
    if f.path and f.path != MESSAGE_PATH:
        props.append(f"file={escape_property(f.path)}")
        if f.line:
            props.append(f"line={f.line}")
    props.append(f"title={escape_property(f.rule)}")
    body = [f.message]
    if f.commit:
        body.append(_commit_words(f))
    body.extend(f.snippet)
    if f.hint:
        body.append(f"hint: {f.hint}")
    return f"::{level} {','.join(props)}::{escape_data(chr(10).join(body))}"


def _cell(text: str) -> str:
    """Markdown table cell: no pipes, no line breaks, no raw HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _code(text: str) -> str:
    return f"`{_cell(text)}`" if "`" not in text else _cell(text)


def job_summary(outcome: Outcome, elapsed_ms: int) -> str:
    """The Markdown appended to $GITHUB_STEP_SUMMARY: a heading and one row per finding."""
    errors = sum(1 for f in outcome.findings if f.severity is Severity.ERROR)
    warnings = len(outcome.findings) - errors
    mark = "❌" if errors else "✅"
    lines = [
        f"### {mark} taskgate {outcome.title}: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}",
        "",
    ]
    if outcome.findings:
        lines += ["| rule | severity | where | commit | finding |", "|---|---|---|---|---|"]
        for f in outcome.findings:
            where = ""
            if f.path:
                where = _code(f.path + (f":{f.line}" if f.line else ""))
            commit = ""
            if f.commit:
                commit = _code(f.commit[:10]) + (f" {_cell(f.subject)}" if f.subject else "")
            text = _cell(f.message) + (f"<br>*hint:* {_cell(f.hint)}" if f.hint else "")
            lines.append(f"| {f.rule} | {f.severity.value} | {where} | {commit} | {text} |")
        lines.append("")
    lines += [f"- {_cell(note)}" for note in outcome.notes]
    lines.append(f"\n*{elapsed_ms} ms; `taskgate explain <rule>` documents each rule.*\n")
    return "\n".join(lines)


def render_github(outcome: Outcome, stream: TextIO, elapsed_ms: int) -> None:
    """Workflow commands on `stream`; the job summary appended to $GITHUB_STEP_SUMMARY."""
    out = [workflow_command(f) for f in outcome.findings]
    out.extend(outcome.notes)
    errors = sum(1 for f in outcome.findings if f.severity is Severity.ERROR)
    warnings = len(outcome.findings) - errors
    out.append(
        f"taskgate {outcome.title}: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)} in {elapsed_ms} ms"
    )
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8", errors="replace") as fh:
                fh.write(job_summary(outcome, elapsed_ms))
        except OSError as exc:
            out.append(f"taskgate: could not append the job summary to {summary_path}: {exc}")
    # Paths that are not UTF-8 are held with lone surrogates; never let them reach stdout.
    text = "\n".join(out).encode("utf-8", "replace").decode("utf-8")
    stream.write(text + "\n")
    stream.flush()
