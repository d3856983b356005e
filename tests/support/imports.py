"""What a commit-msg run imports, measured in a real process (tests of the import budget)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import PYTHON, GitRepo

# Run the hook in-process exactly as the shim does, then list what got imported.
PROBE = """
import json, sys
from taskgate.cli import main
code = main(["hook", "commit-msg", sys.argv[1]])
with open(sys.argv[2], "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""


def imported_by_commit_msg(repo: GitRepo, message: str, tmp_path: Path) -> tuple[int, set[str]]:
    msg = tmp_path / "COMMIT_EDITMSG"
    msg.write_text(message)
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [PYTHON, "-P", "-c", PROBE, str(msg), str(out)],
        cwd=repo.path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    return doc["code"], set(doc["modules"])


def top_level(modules: set[str]) -> set[str]:
    return {m.split(".", 1)[0] for m in modules}
