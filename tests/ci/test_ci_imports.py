"""What `taskgate ci` (and so pre-push and pre-receive, which judge commits the same way)
imports in claimed mode: nothing of the signature verifier, which only signed mode needs."""

from __future__ import annotations

import subprocess
import sys

from tests.ci.support import commit
from tests.conftest import GitRepo


def test_claimed_mode_ci_does_not_import_the_signature_verifier(workflow_repo: GitRepo) -> None:
    base = workflow_repo.head()
    commit(workflow_repo, "docs(lead): reword the page", {"web/index.html": "<p>x</p>\n"},
           verify=False)  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "taskgate", "ci", "--no-gate",
         "--range", f"{base}..HEAD"],
        cwd=workflow_repo.path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    modules = [line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
               if line.startswith("import time:") and "|" in line]  # fmt: skip
    assert "taskgate.ci" in modules  # the listing is real
    assert "checked 1 commit" in proc.stderr
    assert [m for m in modules if m.startswith("taskgate.identity")] == []
    assert "hashlib" not in modules
