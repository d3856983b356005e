"""Signed mode's commit hooks look keys up without verifying anything: no `cryptography`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import GitRepo
from tests.identity.support import SIGNED_POLICY, signers_text
from tests.support.imports import imported_by_commit_msg, top_level


def test_signed_commit_msg_needs_no_cryptography(
    workflow_repo: GitRepo, tmp_path: Path, keys: dict[str, Path]
) -> None:
    repo = workflow_repo
    repo.write("taskgate.toml", SIGNED_POLICY)
    repo.write("shared/allowed_signers", signers_text(keys))
    repo.add()
    repo.commit("chore(lead): sign from now on", "--no-verify", check=True)
    for key, value in (("gpg.format", "ssh"), ("user.signingkey", str(keys["lead"])),
                       ("commit.gpgsign", "true")):  # fmt: skip
        repo.git("config", key, value)
    code, modules = imported_by_commit_msg(repo, "chore(lead): tidy up\n", tmp_path)
    assert code == 0
    assert "taskgate.identity.verdict" in modules  # the probe sees signed mode at work
    assert "cryptography" not in top_level(modules)
    code, modules = imported_by_commit_msg(repo, "feat(python): as a coder\n", tmp_path)
    assert code == 1  # the lead's key under the python scope: TG706
