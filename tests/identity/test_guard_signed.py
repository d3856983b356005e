"""The agent guard in signed mode: the key git will sign with names the agent (issue 16 + 13)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.agentside.support import assert_allowed, assert_blocked, edit_event, guard
from tests.identity.support import signed_setup


@pytest.fixture
def signing_clone(
    tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, dict[str, Path]]:
    monkeypatch.delenv("TASKGATE_AGENT", raising=False)
    monkeypatch.delenv("CLAUDE_PROJECT_DIR", raising=False)
    _, _, work = signed_setup(tmp_path, keys)
    work.git("config", "gpg.format", "ssh")
    work.git("config", "commit.gpgsign", "true")
    return work.path, keys


def test_the_signing_key_names_the_agent_whose_lane_is_guarded(
    signing_clone: tuple[Path, dict[str, Path]],
) -> None:
    repo, keys = signing_clone
    subprocess.run(
        ["git", "config", "user.signingkey", str(keys["python-coder"])], cwd=repo, check=True
    )
    assert_allowed(
        "claude-code",
        guard("claude-code", edit_event("claude-code", repo, "services/api/app/x.py")),
    )
    verdict = guard("claude-code", edit_event("claude-code", repo, "web/index.html"))
    assert_blocked("claude-code", verdict, "TG201")
    assert "web/index.html" in verdict.stderr


def test_the_lead_key_may_edit_anywhere_and_a_stranger_key_names_no_agent(
    signing_clone: tuple[Path, dict[str, Path]],
) -> None:
    repo, keys = signing_clone
    subprocess.run(["git", "config", "user.signingkey", str(keys["lead"])], cwd=repo, check=True)
    assert_allowed(
        "claude-code", guard("claude-code", edit_event("claude-code", repo, "web/index.html"))
    )
    subprocess.run(
        ["git", "config", "user.signingkey", str(keys["stranger"])], cwd=repo, check=True
    )
    # An unlisted key proves nobody: edits are allowed as with no actor (the hooks refuse
    # the commit with TG703), bypass commands stay blocked either way.
    assert_allowed(
        "claude-code", guard("claude-code", edit_event("claude-code", repo, "web/index.html"))
    )
