"""Hostile policies: typos, wrong types, both files, bad encodings. Exit 2 naming the fix.

The two tables are judged by `check` in memory (tests/support/staged.py), their first case
also through `cli.main` in a real repository, with the same error line; the tests after
them start real processes.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import GitRepo
from tests.hostile.support import assert_clean, check_text, lead_commit, usage_error
from tests.support.staged import HEAD, MemoryScene

# (taskgate.toml content, words the one error line must contain)
BAD_POLICIES: list[tuple[str, bytes, tuple[str, ...]]] = [
    ("top-level typo", b"[comit]\ntypes = ['feat']\n", ("unknown key 'comit'", "[taskgate]")),
    ("key typo", b"[commit]\ntpyes = ['feat']\n", ("unknown key 'tpyes'", "[commit]", "types")),
    ("types not a list", b"[commit]\ntypes = 'feat'\n", ("commit.types",)),
    ("types empty", b"[commit]\ntypes = []\n", ("commit.types",)),
    ("types of numbers", b"[commit]\ntypes = [1, 2]\n", ("commit.types",)),
    ("header_max string", b"[commit]\nheader_max = '100'\n", ("commit.header_max",)),
    ("header_max bool", b"[commit]\nheader_max = true\n", ("commit.header_max",)),
    ("header_max tiny", b"[commit]\nheader_max = 0\n", ("commit.header_max",)),
    ("require_scope string", b"[commit]\nrequire_scope = 'yes'\n", ("commit.require_scope",)),
    ("commit not a table", b"commit = 3\n", ("[commit] must be a table",)),
    ("paths not a table", b"paths = 3\n", ("[paths] must be a table",)),
    ("path number", b"[paths]\nstructure = 3\n", ("paths.structure",)),
    ("path empty", b"[paths]\ntasks = ''\n", ("paths.tasks",)),
    ("path slash only", b"[paths]\nstructure = '/'\n", ("paths.structure",)),
    ("path escapes", b"[paths]\nplan = '../../etc/passwd'\n", ("paths.plan", "inside")),
    ("path inner dotdot", b"[paths]\nplan = 'shared/../../x'\n", ("paths.plan",)),
    ("path backslash", b"[paths]\ntasks = 'shared\\\\tasks.json'\n", ("paths.tasks",)),
    ("path newline", b"[paths]\napi = \"shared/a\\nb\"\n", ("paths.api",)),
    ("unknown rule id", b"[rules]\nignore = ['TG999']\n", ("TG999",)),
    ("warn not a list", b"[rules]\nwarn = 'TG101'\n", ("rules.warn",)),
    ("rules typo", b"[rules]\nignroe = []\n", ("unknown key 'ignroe'", "[rules]")),
    ("timeout negative", b"[gate]\ntimeout = -1\n", ("gate.timeout",)),
    ("timeout nan", b"[gate]\ntimeout = nan\n", ("gate.timeout",)),
    ("timeout inf", b"[gate]\ntimeout = inf\n", ("gate.timeout",)),
    ("timeout string", b"[gate]\ntimeout = '10s'\n", ("gate.timeout",)),
    ("enabled number", b"[gate]\nenabled = 1\n", ("gate.enabled",)),
    ("gate scalar key", b"[gate]\npython = 3\n", ("unknown key 'python' in [gate]",)),
    ("commands string", b"[gate.python]\ncommands = 'pytest'\n", ("gate.python.commands",)),
    ("commands typo", b"[gate.python]\ncomands = []\n", ("unknown key 'comands'",)),
    ("module commands empty", b"[gate.modules.web]\ncommands = ['']\n",
     ("gate.modules.web.commands",)),
    ("module timeout nan", b"[gate.modules.web]\ncommands = ['x']\ntimeout = nan\n",
     ("gate.modules.web.timeout",)),
    ("modules scalar", b"[gate]\nmodules = 3\n", ("[gate.modules] must be a table",)),
    ("max bytes zero", b"[integrity]\nmax_file_bytes = 0\n", ("integrity.max_file_bytes",)),
    ("max bytes float", b"[integrity]\nmax_file_bytes = 1.5\n", ("integrity.max_file_bytes",)),
    ("secrets allow numbers", b"[secrets]\nallow = [1]\n", ("secrets.allow",)),
    ("invalid toml", b"[commit\ntypes = []\n", ("invalid TOML",)),
    ("duplicate table", b"[commit]\n[commit]\n", ("invalid TOML",)),
    ("duplicate key", b"[commit]\nheader_max = 50\nheader_max = 60\n", ("invalid TOML",)),
    ("binary", b"\x00\x01\x02\x03", ("invalid TOML",)),
    ("not utf-8", b"\xff\xfe[commit]\n", ("not UTF-8",)),
    ("utf-16", "[commit]\n".encode("utf-16"), ("not UTF-8",)),
]  # fmt: skip


def _scene_with_base(name: str, content: bytes) -> MemoryScene:
    """`_repo_with_base` in memory."""
    scene = MemoryScene({"README.md": "hello\n", name: content})
    scene.write("README.md", "changed\n")
    return scene


def _base_error(
    request: pytest.FixtureRequest, name: str, content: bytes, real: bool
) -> subprocess.CompletedProcess[str]:
    """`taskgate check` on a base holding `content` at `name`, judged in memory; `real`:
    in a real repository through `cli.main` too, with the same error line (but for the
    commit's id)."""
    proc = _scene_with_base(name, content).check("docs: readme")
    if real:
        repo: GitRepo = request.getfixturevalue("repo")
        _repo_with_base(repo, name, content)
        real_proc = check_text(repo, "check", "-m", "docs: readme", "--no-gate")
        assert real_proc.returncode == proc.returncode == 2, real_proc.stderr
        assert re.sub(r"commit [0-9a-f]{12}", "commit " + HEAD[:12], real_proc.stderr) == (
            proc.stderr
        )
        return real_proc
    return proc


def _repo_with_base(repo: GitRepo, name: str, content: bytes) -> None:
    repo.write("README.md", "hello\n")
    repo.add()
    lead_commit(repo, "chore: start")
    repo.write(name, content)
    repo.add()
    lead_commit(repo)
    repo.write("README.md", "changed\n")
    repo.add()


@pytest.mark.parametrize(
    ("content", "words"), [pytest.param(c, w, id=i) for i, c, w in BAD_POLICIES]
)
def test_bad_taskgate_toml_is_exit_2_naming_the_key(
    request: pytest.FixtureRequest, content: bytes, words: tuple[str, ...]
) -> None:
    proc = _base_error(request, "taskgate.toml", content, content == BAD_POLICIES[0][1])
    line = usage_error(proc, "taskgate.toml", *words)
    # The message names the commit the policy was read from, so the lead knows what to fix.
    assert "commit " in line


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(b"[tool.taskgate]\ncomit = {}\n", ("unknown key 'comit'",), id="typo"),
        pytest.param(b"[tool]\ntaskgate = 3\n", ("tool.taskgate", "table"), id="not-a-table"),
        pytest.param(
            b"[tool.taskgate.commit]\nheader_max = 'x'\n", ("commit.header_max",), id="type"
        ),
        pytest.param(b"[tool.taskgate\n", ("invalid TOML",), id="invalid-toml"),
        pytest.param(b"# taskgate\n\xff\n", ("not UTF-8",), id="not-utf8"),
    ],
)
def test_bad_pyproject_tool_table_is_exit_2(
    request: pytest.FixtureRequest, content: bytes, words: tuple[str, ...]
) -> None:
    proc = _base_error(request, "pyproject.toml", content, words == ("unknown key 'comit'",))
    usage_error(proc, "pyproject.toml", *words)


def test_broken_pyproject_without_taskgate_is_not_our_business(repo: GitRepo) -> None:
    _repo_with_base(repo, "pyproject.toml", b"[project\nname = 'x'\n")
    proc = repo.taskgate("check", "-m", "docs(readme): x", "--no-gate", "--format", "json")
    assert_clean(proc, 0)


def test_both_policy_files_is_a_configuration_error(repo: GitRepo) -> None:
    repo.write("README.md", "hello\n")
    repo.write("taskgate.toml", "[commit]\nheader_max = 72\n")
    repo.write("pyproject.toml", "[tool.taskgate.commit]\nheader_max = 80\n")
    repo.add()
    lead_commit(repo, "chore: start")
    repo.write("README.md", "changed\n")
    repo.add()
    proc = repo.taskgate("check", "-m", "docs: readme", "--no-gate")
    usage_error(proc, "taskgate.toml", "[tool.taskgate]", "keep one")


def test_empty_policy_file_means_defaults(repo: GitRepo) -> None:
    _repo_with_base(repo, "taskgate.toml", b"")
    proc = repo.taskgate("check", "-m", "Docs readme", "--no-gate", "--format", "json")
    assert_clean(proc, 1)
    assert '"TG101"' in proc.stdout


def test_first_commit_reads_the_policy_from_the_index(repo: GitRepo) -> None:
    repo.write("taskgate.toml", "[commit]\ntpyes = []\n")
    repo.add()
    proc = repo.taskgate("check", "-m", "chore: start", "--no-gate")
    usage_error(proc, "taskgate.toml", "the index", "tpyes")


def test_broken_policy_blocks_the_commit_through_the_hooks(workflow_repo: GitRepo) -> None:
    """Fail closed: a policy that cannot be read stops every commit, with the reason."""
    workflow_repo.write("taskgate.toml", "[gate]\nenabled = false\ntimeout = nan\n")
    workflow_repo.add()
    lead_commit(workflow_repo)
    head = workflow_repo.head()
    workflow_repo.write("web/index.html", "<p>changed</p>\n")
    workflow_repo.add()
    proc = workflow_repo.commit("chore(lead): change the page")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "gate.timeout" in proc.stderr
    assert workflow_repo.head() == head
