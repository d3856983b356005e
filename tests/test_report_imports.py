"""Reporters only format findings (STYLE.md): no module under src/taskgate/report/ imports
the git adapter or an entry point, directly (any import: at module level, inside a
function or under TYPE_CHECKING) or transitively at module level (what its module-level
imports load in turn). A function-level import is held to its own target only: what
that module loads is the rules' business (SARIF asks the rule catalog for descriptors)."""

from __future__ import annotations

from tests.support.importgraph import edges, graph_of, module_files, reachable

# The git adapter and the entry points (hooks, check, ci, the command line).
FORBIDDEN = (
    "taskgate.git",
    "taskgate.commithooks",
    "taskgate.push",
    "taskgate.ci",
    "taskgate.checkall",
    "taskgate.amend",
    "taskgate.cli",
    "taskgate.commands",
)

# (report module, forbidden module) pairs tolerated: none (Outcome lives in taskgate.outcome).
ALLOWLIST: set[tuple[str, str]] = set()


def _forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def _offences() -> dict[tuple[str, str], str]:
    """(report module, forbidden module) → how it gets there."""
    all_edges = edges()
    loaded = graph_of(all_edges, {"module"})
    reporters = [
        m for m in module_files() if m == "taskgate.report" or m.startswith("taskgate.report.")
    ]
    out: dict[tuple[str, str], str] = {}
    for e in all_edges:
        if e.source not in reporters:
            continue
        routes = reachable(loaded, e.target).values() if e.kind == "module" else [[e.target]]
        for path in routes:
            hit = next((i for i, m in enumerate(path) if _forbidden(m)), None)
            if hit is not None:
                route = " -> ".join([e.source, *path[: hit + 1]])
                out.setdefault((e.source, path[hit]), f"{route} ({e.kind} import, line {e.line})")
    return out


def test_no_reporter_imports_git_or_an_entry_point() -> None:
    offences = _offences()
    new = {k: v for k, v in offences.items() if k not in ALLOWLIST}
    assert new == {}, "a reporter reaches git or an entry point:\n" + "\n".join(new.values())
    gone = sorted(ALLOWLIST - set(offences))
    assert gone == [], f"fixed: remove these from ALLOWLIST: {gone}"


def test_the_check_sees_a_reporter_import() -> None:
    """The check can fail: the reporters' TYPE_CHECKING import of Outcome is an edge it
    sees (were Outcome an entry point's, that edge would be an offence), and what the
    report package loads at module level is followed (it reaches taskgate.finding)."""
    seen = {(e.source, e.target, e.kind) for e in edges()}
    assert ("taskgate.report.text", "taskgate.outcome", "typing") in seen
    assert _forbidden("taskgate.commithooks")
    assert _forbidden("taskgate.git.repo")
    loaded = graph_of(edges(), {"module"})
    assert "taskgate.finding" in reachable(loaded, "taskgate.report.text")
