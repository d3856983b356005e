"""Helpers for the gate tests: a module with a small test suite, policies, state snapshots."""

from __future__ import annotations

import copy
import os
import re
import subprocess
from pathlib import Path

from tests.conftest import BOARD, GitRepo

CALC_OK = "def add(a: int, b: int) -> int:\n    return a + b\n"
CALC_BAD = "def add(a: int, b: int) -> int:\n    return a - b\n"
TEST_CALC = "from app.calc import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n"
PYTEST_ONLY = '[gate]\ntimeout = 120\n[gate.python]\ncommands = ["pytest -q"]\n'
MODULE = "services/api"
CODER = "feat(python): change the calculator"

_FINDING = re.compile(r"^(TG\d{3}) (?:error|warning)\s+(.*)$")


def policy(commands: list[str] | None = None, timeout: float = 120) -> str:
    """A taskgate.toml with the gate on; `commands=None` keeps the three defaults."""
    text = f"[gate]\ntimeout = {timeout}\n"
    if commands is not None:
        quoted = ", ".join(f'"{c}"' for c in commands)
        text += f"[gate.python]\ncommands = [{quoted}]\n"
    return text


def set_up(repo: GitRepo, policy_text: str = PYTEST_ONLY, *, tests: bool = True) -> None:
    """The lead turns the gate on, starts T1 and commits a module with a passing test."""
    board = copy.deepcopy(BOARD)
    board["tasks"][0]["status"] = "in_progress"  # type: ignore[index]
    repo.write_json("shared/task_list.json", board)
    repo.write("taskgate.toml", policy_text)
    repo.write(f"{MODULE}/app/calc.py", CALC_OK)
    if tests:
        repo.write(f"{MODULE}/tests/test_calc.py", TEST_CALC)
    repo.add()
    repo.commit_no_hooks("chore(lead): turn the gate on")


def set_policy(repo: GitRepo, policy_text: str) -> None:
    repo.write("taskgate.toml", policy_text)
    repo.add("taskgate.toml")
    repo.commit_no_hooks("chore(lead): gate policy")


def text_findings(stderr: str) -> list[tuple[str, str | None]]:
    """(rule, path) of every text-format finding line (`TG401 error  path: message`)."""
    out: list[tuple[str, str | None]] = []
    for line in stderr.splitlines():
        match = _FINDING.match(line)
        if not match:
            continue
        rest = match.group(2)
        path: str | None = rest.split(": ", 1)[0] if ": " in rest else None
        if path is not None:
            path = re.sub(r":\d+$", "", path)
        out.append((match.group(1), path))
    return out


def gate_findings(stderr: str) -> list[tuple[str, str | None]]:
    """Only the gate's and the Python rules' findings (TG401-TG405), without the TG401
    findings on the lines a failed tool names (tests/gate/test_findings_on_lines.py)."""
    return [
        f
        for f in text_findings(stderr)
        if f[0].startswith("TG40") and not (f[0] == "TG401" and (f[1] or "").endswith(".py"))
    ]


def state(repo: GitRepo) -> dict[str, object]:
    """Working tree (every file, untracked too), index, status, refs."""
    files: dict[str, bytes | str] = {}
    for path in sorted(repo.path.rglob("*")):
        rel = path.relative_to(repo.path)
        if rel.parts[0] == ".git":
            continue
        if path.is_symlink():
            files[str(rel)] = "-> " + os.readlink(path)
        elif path.is_file():
            files[str(rel)] = path.read_bytes()
        else:
            files[str(rel)] = "dir"
    return {
        "files": files,
        "index": repo.git("ls-files", "-s", "-z").stdout,
        "status": repo.git("status", "--porcelain=v2", "-z", "--untracked-files=all").stdout,
        "refs": repo.git("for-each-ref").stdout + repo.git("rev-parse", "HEAD").stdout,
    }


def alive(pid: int) -> bool:
    """Whether `pid` is a running (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def tree_of(repo: GitRepo, rev: str = "HEAD") -> str:
    return repo.git("rev-parse", f"{rev}:{MODULE}").stdout.strip()


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)


# A stub gate command for the tests of the cache, the runner and the staged snapshot:
# they need a command that runs the module's tests against the staged code and passes
# or fails with it, not pytest itself (~0.35 s of CPU a run, twice on a pass: the base
# is collected for test accounting). Real ruff, mypy and pytest keep the tests whose
# subject is the tools' contract (test_gate_commit.py, test_test_accounting.py,
# test_findings_on_lines.py, test_fake_tools.py).
#
# The runner executes every tests/test_*.py of the module and calls its test_* functions
# (a `tmp_path` parameter gets a fresh folder under TMPDIR); it imports nothing it does
# not need (~15 ms a run). It sits in a subfolder, so `app` is found only through the
# PYTHONPATH the gate gives its commands (the snapshot first), as a test runner's would
# be. Its output names no `file:line` place.
STUB_FILE = "checks/run_tests.py"
STUB = f"python {STUB_FILE}"
STUB_SCRIPT = """\
import os
import sys

ran = failed = 0
for file in sorted(os.listdir("tests")):
    if not (file.startswith("test_") and file.endswith(".py")):
        continue
    path = os.path.join("tests", file)
    space = {"__name__": file[:-3], "__file__": path}
    try:
        with open(path, encoding="utf-8") as fh:
            exec(compile(fh.read(), path, "exec"), space)
    except Exception:
        import traceback

        traceback.print_exc()
        print(f"ERROR {path}")
        failed += 1
        continue
    for name, test in list(space.items()):
        if not name.startswith("test_") or not hasattr(test, "__code__"):
            continue
        ran += 1
        code = test.__code__
        folder = None
        if "tmp_path" in code.co_varnames[: code.co_argcount]:
            import pathlib
            import tempfile

            folder = pathlib.Path(tempfile.mkdtemp())
        try:
            test(**({"tmp_path": folder} if folder is not None else {}))
        except Exception:
            import traceback

            traceback.print_exc()
            print(f"FAILED {path}::{name}")
            failed += 1
        finally:
            if folder is not None:
                import shutil

                shutil.rmtree(folder, ignore_errors=True)
print(f"{ran} ran, {failed} failed")
sys.exit(1 if failed else 0 if ran else 5)
"""
