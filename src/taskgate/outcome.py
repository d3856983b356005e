"""Outcome: what a run found, as the entry points hand it to a reporter.

Plain data on purpose: the reporters (`taskgate.report`) import this and
`taskgate.finding`, never git or the entry points, so data flows one way.
"""

from __future__ import annotations

from taskgate.finding import Finding


class Outcome:
    """What a run found, plus informational notes (cache hits, timings) for the reporter."""

    def __init__(
        self,
        findings: list[Finding] | None = None,
        notes: list[str] | None = None,
        title: str = "taskgate",
    ) -> None:
        self.findings = findings if findings is not None else []
        self.notes = notes if notes is not None else []
        self.title = title
        # Who the change is by (a module name or role), for the rejection log.
        self.actor: str | None = None
        self.subject: str | None = None
