"""Test accounting: which tests ran in the gate, with what outcome, compared with the base.

Name-based checks (TG601/TG602 in `taskgate.rules.deletedtests` and
`taskgate.rules.skips`) are the fast first look; they cannot see a skip through
`_pytest.outcomes.skip`, an aliased `pytest.mark`, a `conftest.py` hook, a test file
renamed out of collection, `del test_add` or `__test__ = False`. Behaviour can: the
gate runs pytest with a small plugin of taskgate's (`PLUGIN`, standalone, put first
on `PYTHONPATH` as `_taskgate_record`) that writes every collected test (file, line,
skip/xfail markers), every deselected one and every outcome to a JSON record in the
snapshot folder. The record is kept with the passing result of that tree in the gate
cache.

The new record is compared with the base's (the cached record of the base tree,
or, when there is none, a `--collect-only` run on a snapshot of the base; tests
that are skipped now and carried no skip marker at the base are run there to
learn their outcome):

- a test id that ran at the base and does not run now is TG601 (a test moved to
  another file under the same name is not gone);
- a test skipped or xfailed now that ran at the base (or a new test that is
  skipped), or more deselected tests, is TG602;

unless the lead made the change. Test ids are the test file's path relative to the
module folder plus pytest's name inside it, so they do not depend on where pytest
puts its rootdir.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from taskgate.finding import Finding

PLUGIN_NAME = "_taskgate_record"
RECORD_ENV = "TASKGATE_TEST_RECORD"
# An xfail marker hides a failure whether the test then fails (xfailed) or not (xpassed).
SKIPPED = frozenset({"skipped", "xfailed", "xpassed"})
MAX_FINDINGS = 20

PLUGIN = '''"""taskgate's test record (written by the gate; see taskgate.gate.testrecord)."""
import json
import os

_ITEMS = {}
_BY_NODEID = {}
_DESELECTED = []
_OUTCOMES = {}
_STATE = {"collect_only": False}


def _id(item):
    rel = os.path.relpath(str(item.path), os.getcwd()).replace(os.sep, "/")
    name = item.nodeid.split("::", 1)[1] if "::" in item.nodeid else item.nodeid
    return rel + "::" + name


def pytest_configure(config):
    _STATE["collect_only"] = bool(config.getoption("collectonly", False))
    _STATE["root"] = str(config.rootpath)


def _id_of_report(nodeid):
    """A report whose item this process did not collect (pytest-xdist's workers do)."""
    file, sep, name = nodeid.partition("::")
    full = os.path.join(_STATE.get("root", os.getcwd()), file)
    rel = os.path.relpath(full, os.getcwd()).replace(os.sep, "/")
    return rel + "::" + name if sep else rel


def pytest_deselected(items):
    _DESELECTED.extend(_id(i) for i in items)


def pytest_collection_finish(session):
    for item in session.items:
        _BY_NODEID[item.nodeid] = _id(item)
        line = item.location[1]
        marks = sorted({m.name for m in item.iter_markers()} & {"skip", "skipif", "xfail"})
        _ITEMS[_id(item)] = {"line": None if line is None else line + 1, "marks": marks}


def pytest_runtest_logreport(report):
    key = _BY_NODEID.get(report.nodeid) or _id_of_report(report.nodeid)
    if report.skipped:
        outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
    elif report.failed:
        outcome = "failed" if report.when == "call" else "error"
    elif report.when == "call":
        outcome = "xpassed" if hasattr(report, "wasxfail") else "passed"
    else:
        return
    if _OUTCOMES.get(key) in (None, "passed"):
        _OUTCOMES[key] = outcome


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("TASKGATE_TEST_RECORD")
    if not target:
        return
    doc = {"version": 1, "collect_only": _STATE["collect_only"], "items": _ITEMS,
           "deselected": sorted(set(_DESELECTED)), "outcomes": _OUTCOMES}
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
'''


def is_pytest(argv: Sequence[str]) -> bool:
    name = os.path.basename(argv[0])
    if name in ("pytest", "py.test"):
        return True
    return name.startswith("python") and list(argv[1:3]) == ["-m", "pytest"]


def instrument(argv: Sequence[str], *extra: str) -> tuple[str, ...]:
    """`argv` with taskgate's plugin loaded (and `extra` arguments at the end)."""
    cut = 1 if os.path.basename(argv[0]) in ("pytest", "py.test") else 3
    return (*argv[:cut], "-p", PLUGIN_NAME, *argv[cut:], *extra)


def write_plugin(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{PLUGIN_NAME}.py").write_text(PLUGIN, encoding="utf-8")
    return folder


def load(path: Path) -> dict[str, Any] | None:
    """A record pytest wrote; None when it is missing or damaged."""
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("version") != 1:
        return None
    for key, kind in (("items", dict), ("outcomes", dict), ("deselected", list)):
        if not isinstance(doc.get(key), kind):
            return None
    return doc


def _tail(test_id: str) -> str:
    return test_id.split("::", 1)[1] if "::" in test_id else test_id


def _ran(record: dict[str, Any]) -> set[str]:
    """The ids that ran (a full run), or were selected to run (a collection)."""
    if record.get("collect_only"):
        return set(record["items"])
    return set(record["outcomes"])


def _skipped_at_base(base: dict[str, Any], test_id: str) -> bool | None:
    """Whether the base skipped or xfailed `test_id`; None: cannot tell (collected only,
    no skip marker: a skip inside the test only shows when it runs)."""
    outcome = base["outcomes"].get(test_id)
    if outcome is not None:
        return outcome in SKIPPED
    item = base["items"].get(test_id)
    if item is not None and item.get("marks"):
        return True
    return None if base.get("collect_only") else False


def doubtful(base: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Ids skipped now whose fate at the base only a run there can tell."""
    outcomes = new.get("outcomes", {})
    return sorted(
        test_id
        for test_id, outcome in outcomes.items()
        if outcome in SKIPPED
        and test_id in base["items"]
        and _skipped_at_base(base, test_id) is None
    )


def compare(module_path: str, base: dict[str, Any], new: dict[str, Any]) -> list[Finding]:
    """TG601 for tests gone, TG602 for tests skipped now (and more deselected)."""
    findings: list[Finding] = []
    before, now = _ran(base), _ran(new)
    moved = Counter(_tail(t) for t in now - before)
    for test_id in sorted(before - now):
        if moved[_tail(test_id)] > 0:
            moved[_tail(test_id)] -= 1
            continue
        file, _, name = test_id.partition("::")
        how = "deselected" if test_id in new["deselected"] else "not collected"
        findings.append(
            Finding(
                "TG601",
                f"test {name} ran at the base and does not run now ({how})",
                path=f"{module_path}/{file}",
                hint="restore the test (or let pytest collect it again); only the lead may "
                "remove tests",
            )
        )
    skipped_before = {t for t in base["items"] if _skipped_at_base(base, t)}
    skipped_tails = Counter(_tail(t) for t in skipped_before)
    for test_id, outcome in sorted(new["outcomes"].items()):
        if outcome not in SKIPPED:
            continue
        if test_id in base["items"] or test_id in base["outcomes"]:
            if _skipped_at_base(base, test_id) is not False:
                continue
        elif skipped_tails[_tail(test_id)] > 0:
            skipped_tails[_tail(test_id)] -= 1  # moved along with its marker
            continue
        file, _, name = test_id.partition("::")
        item = new["items"].get(test_id) or {}
        line = item.get("line")
        findings.append(
            Finding(
                "TG602",
                f"test {name} is {outcome} now; it ran at the base"
                if test_id in base["items"]
                else f"new test {name} is {outcome}",
                path=f"{module_path}/{file}",
                line=line if isinstance(line, int) else None,
                hint="make the test pass instead of skipping it; only the lead may skip tests",
            )
        )
    more = len(new["deselected"]) - len(base["deselected"])
    if more > 0:
        findings.append(
            Finding(
                "TG602",
                f"{more} more test{'s' * (more != 1)} deselected than at the base "
                f"({len(new['deselected'])} now)",
                path=module_path,
                hint="do not narrow the selection (-k, -m, --deselect); only the lead may",
            )
        )
    if len(findings) > MAX_FINDINGS:
        extra = len(findings) - MAX_FINDINGS + 1
        rest = Finding(
            findings[MAX_FINDINGS - 1].rule,
            f"and {extra} more tests gone or skipped",
            path=module_path,
        )
        findings = [*findings[: MAX_FINDINGS - 1], rest]
    return findings


def merge_outcomes(base: dict[str, Any], run: dict[str, Any] | None) -> dict[str, Any]:
    """The base's collection with the outcomes of the doubtful tests run there."""
    if run is None:
        return base
    return {**base, "outcomes": {**base["outcomes"], **run["outcomes"]}}
