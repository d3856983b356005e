"""The pre-commit framework route (SPEC §5.1): `pre-commit install`, then real commits and a push.

A copy of this tree becomes a repository tagged v0.1.0; a consumer repository points
its `.pre-commit-config.yaml` at it, exactly as a user would point at GitHub. The
framework clones it and pip-installs taskgate into its own environment.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.support.framework import PRE_COMMIT, base_env, shared_framework

# pip-installs taskgate into the framework's own environment: seconds, not milliseconds.
pytestmark = pytest.mark.slow

CONFIG = """default_install_hook_types: [pre-commit, commit-msg, pre-push]
repos:
  - repo: {source}
    rev: v0.1.0
    hooks: [{{id: taskgate}}, {{id: taskgate-commit-msg}}, {{id: taskgate-pre-push}}]
"""


class Consumer(NamedTuple):
    path: Path
    remote: Path
    env: dict[str, str]

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=self.path, env=self.env, capture_output=True, text=True,
            check=False,
        )  # fmt: skip


def finding_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """Finding lines as the framework relays them (it prints hook output on stdout)."""
    out = []
    for line in (proc.stdout + proc.stderr).splitlines():
        word = line.split(" ", 1)[0]
        if len(word) == 5 and word.startswith("TG") and word[2:].isdigit():
            out.append(line)
    return out


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Consumer:
    base = tmp_path_factory.mktemp("framework")
    home = base / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Lead\n\temail = lead@example.invalid\n[init]\n\tdefaultBranch = main\n"
    )
    # Module-scoped: the per-test environment does not exist yet, so spell it all out.
    env = base_env(home)
    # The source repository and the framework's home are the run's (tests/support/framework.py).
    framework = shared_framework(tmp_path_factory)
    env["PRE_COMMIT_HOME"] = str(framework.home)
    source = framework.source

    path = base / "consumer"
    path.mkdir()
    _run(["git", "init", "-q", "-b", "main"], path, env)
    (path / ".pre-commit-config.yaml").write_text(CONFIG.format(source=source))
    # The gate has nothing to run in this repository.
    (path / "taskgate.toml").write_text("[gate]\nenabled = false\n")
    (path / "README.md").write_text("# consumer\n")
    _run([str(PRE_COMMIT), "install"], path, env)
    for hook in ("pre-commit", "commit-msg", "pre-push"):
        assert "pre-commit" in (path / ".git" / "hooks" / hook).read_text()
    remote = base / "remote.git"
    _run(["git", "init", "-q", "--bare", str(remote)], base, env)
    _run(["git", "remote", "add", "origin", str(remote)], path, env)
    return Consumer(path, remote, env)


@pytest.mark.slow
def test_commits_through_the_framework(consumer: Consumer) -> None:
    consumer.git("add", ".")
    bad = consumer.git("commit", "-m", "Initial commit")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    (line,) = finding_lines(bad)
    assert line.startswith("TG101 error")
    assert "COMMIT_EDITMSG:1:" in line
    assert "taskgate (commit message)" in bad.stdout + bad.stderr
    assert consumer.git("rev-parse", "-q", "--verify", "HEAD").returncode != 0

    missing_scope = consumer.git("commit", "-m", "docs: start")
    assert missing_scope.returncode == 1
    assert [x.split(" ", 1)[0] for x in finding_lines(missing_scope)] == ["TG103"]

    good = consumer.git("commit", "-m", "docs(readme): start the consumer")
    assert good.returncode == 0, good.stdout + good.stderr
    assert consumer.git("log", "--format=%s").stdout == "docs(readme): start the consumer\n"


@pytest.mark.slow
def test_push_through_the_framework_catches_a_bypassed_commit(consumer: Consumer) -> None:
    if consumer.git("rev-parse", "-q", "--verify", "HEAD").returncode != 0:
        consumer.git("add", ".")
        assert consumer.git("commit", "-m", "docs(readme): start").returncode == 0
    pushed = consumer.git("push", "-q", "origin", "main")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr

    (consumer.path / "README.md").write_text("# consumer\n\nmore\n")
    consumer.git("add", "README.md")
    bypass = consumer.git("commit", "--no-verify", "-m", "more readme")
    assert bypass.returncode == 0
    refused = consumer.git("push", "-q", "origin", "main")
    assert refused.returncode != 0
    lines = finding_lines(refused)
    assert [x.split(" ", 1)[0] for x in lines] == ["TG101"], refused.stdout + refused.stderr
    assert "COMMIT_EDITMSG" in lines[0]
    remote_head = subprocess.run(
        ["git", "rev-parse", "main"], cwd=consumer.remote, env=consumer.env,
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert remote_head != consumer.git("rev-parse", "HEAD").stdout
