"""Golden copies of the rule documentation as taskgate prints it, one file per rule id.

`tests/golden/rules/TGnnn.txt` holds, for one rule, its row of `taskgate rules`, its
entry of `taskgate rules --format json`, the whole of `taskgate explain TGnnn` and its
SARIF reportingDescriptor (from `taskgate check --format sarif`); `frame.txt` holds
what is not any one rule's: the table's header and footer and the SARIF driver.
tests/test_golden.py compares them with what the current code prints.

Regenerate (after a deliberate change, or for a new rule id) with one command, and
review the diff before committing it:

    make golden          # = .venv/bin/python -m tests.golden
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.support.inprocess import run_main

HERE = Path(__file__).resolve().parent
RULES_DIR = HERE / "rules"
FRAME = HERE / "frame.txt"
REGENERATE = "make golden (= .venv/bin/python -m tests.golden), then review `git diff tests/golden`"

# git without the user's configuration, and no agent claim: the same output everywhere.
_ENV: dict[str, str | None] = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "TASKGATE_AGENT": None,
    "GIT_DIR": None,
    "GIT_INDEX_FILE": None,
    "GIT_WORK_TREE": None,
    "NO_COLOR": None,
}


def _taskgate(*args: str, cwd: Path) -> str:
    proc = run_main(*args, cwd=cwd, env=_ENV)
    assert proc.returncode == 0, f"taskgate {' '.join(args)}: exit {proc.returncode}\n{proc.stderr}"
    return proc.stdout


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class Printed:
    """Everything taskgate prints about its rules, split by rule id."""

    def __init__(self) -> None:
        with tempfile.TemporaryDirectory(prefix="taskgate-golden-") as tmp:
            cwd = Path(tmp)
            self.table = _taskgate("rules", cwd=cwd)
            self.entries: list[dict[str, Any]] = json.loads(
                _taskgate("rules", "--format", "json", cwd=cwd)
            )
            self.ids = [e["id"] for e in self.entries]
            self.explained = {rid: _taskgate("explain", rid, cwd=cwd) for rid in self.ids}
            subprocess.run(
                ["git", "init", "-q", "-b", "main", tmp], check=True, capture_output=True
            )
            sarif = json.loads(
                _taskgate(
                    "check", "-m", "docs(readme): golden", "--no-gate", "--format", "sarif", cwd=cwd
                )
            )
        (run,) = sarif["runs"]
        driver = run["tool"]["driver"]
        self.descriptors: list[dict[str, Any]] = driver.pop("rules")
        self.driver = driver
        self.sarif_head = {k: v for k, v in sarif.items() if k != "runs"}
        lines = self.table.splitlines()
        self.rows = {line.split(" ", 1)[0]: line for line in lines if line.startswith("TG")}
        self.header = [line for line in lines if not line.startswith("TG")]

    def rule(self, rid: str) -> str:
        """The golden text of one rule id."""
        entry = next(e for e in self.entries if e["id"] == rid)
        descriptor = next(d for d in self.descriptors if d["id"] == rid)
        return (
            "# taskgate rules (its row)\n"
            f"{self.rows[rid]}\n"
            "# taskgate rules --format json (its entry)\n"
            f"{_json(entry)}"
            f"# taskgate explain {rid}\n"
            f"{self.explained[rid]}"
            "# SARIF reportingDescriptor (taskgate check --format sarif)\n"
            f"{_json(descriptor)}"
        )

    def frame(self) -> str:
        """What belongs to no one rule: table header and footer, SARIF log and driver.
        (The rule order is checked, not stored: a new rule id must not change this file.)"""
        return (
            "# taskgate rules: every line but the rule rows\n"
            + "".join(f"{line}\n" for line in self.header)
            + "# SARIF log and driver, without the rule descriptors\n"
            + _json({**self.sarif_head, "driver": self.driver})
        )

    def orders(self) -> dict[str, list[str]]:
        """The rule ids in the order each output lists them."""
        return {
            "taskgate rules": list(self.rows),
            "taskgate rules --format json": self.ids,
            "SARIF rule descriptors": [d["id"] for d in self.descriptors],
            "taskgate explain": [text.split(" ", 1)[0] for text in self.explained.values()],
        }


def golden_path(rid: str) -> Path:
    return RULES_DIR / f"{rid}.txt"


def golden_ids() -> list[str]:
    return sorted(p.stem for p in RULES_DIR.glob("*.txt"))


def write_all() -> list[str]:
    """Rewrite every golden file from the current code; the paths that changed."""
    printed = Printed()
    RULES_DIR.mkdir(parents=True, exist_ok=True)
    changed: list[str] = []
    wanted = {golden_path(rid): printed.rule(rid) for rid in printed.ids}
    wanted[FRAME] = printed.frame()
    for path, text in wanted.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(str(path.relative_to(HERE.parent.parent)))
    for path in RULES_DIR.glob("*.txt"):
        if path not in wanted:
            path.unlink()
            changed.append(f"{path.relative_to(HERE.parent.parent)} (removed)")
    return changed
