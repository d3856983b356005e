"""Finding: one broken rule, with where and how to fix it."""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Finding(NamedTuple):
    """One rule violation. `snippet` holds pre-rendered context (a header and its caret).

    NamedTuple rather than a dataclass: it is on the hook's hot path, where each
    dataclass costs a code generation at import.
    """

    rule: str
    message: str
    path: str | None = None
    line: int | None = None
    hint: str | None = None
    severity: Severity = Severity.ERROR
    commit: str | None = None
    subject: str | None = None
    snippet: tuple[str, ...] = ()

    def at_commit(self, sha: str, subject: str) -> "Finding":
        return self._replace(commit=sha, subject=subject)

    def with_severity(self, severity: Severity) -> "Finding":
        return self._replace(severity=severity)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
