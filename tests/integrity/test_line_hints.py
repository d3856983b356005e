"""git's added and removed lines (taskgate.git.patch): what a hook's change carries, and
that they only ever let a rule skip a file, never change what it reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.builders import CommitChanges, staged_change
from taskgate.change import Change, PlainSide, Stage
from taskgate.git import NO_LINES, Repo, parse_patch
from taskgate.rules.changedlines import line_delta, line_hint
from taskgate.rules.contracts import endpoints_declared
from taskgate.rules.secrets import secrets_added
from taskgate.rules.suppressions import suppressions_added
from taskgate.rules.testintegrity import deleted_tests, skipped_tests
from tests.conftest import GitRepo
from tests.support import memory
from tests.support.memory import policy

CHECKS = (deleted_tests, skipped_tests, suppressions_added, secrets_added, endpoints_declared)

# Lines that carry a sign for some rule, and lines that carry none.
VOCABULARY = [
    "import pytest",
    "from unittest import skip as later",
    "def test_one():",
    "def test_two():",
    "class TestThing:",
    "    def test_method(self):",
    "    assert f() == 1",
    "@pytest.mark.skip(reason='flaky')",
    "@later('no time')",
    "    pytest.skip('later')",
    "x = compute()  # noqa: E501",
    "y = other()  # type: ignore[attr-defined]",
    "s = '# noqa in a string'",
    "@app.get('/items/{item_id}')",
    "@router.post('/orders')",
    "def handler():",
    "    return 1",
    'API_TOKEN = "ghp_Zk2mQ9xR4tL8vN3pW7yB1cD6fH0jS5aE2uK9"',
    'password = "hunter2-Xq9!vR7#kL2@"',
    "",
    "# a comment",
    "value = 3",
]
FILES = st.lists(st.sampled_from(VOCABULARY), max_size=12)


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


def _findings(change: Change) -> list[tuple[str, str | None, int | None, str]]:
    pol = policy()
    return [(f.rule, f.path, f.line, f.message) for fn in CHECKS for f in fn(change, pol)]


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["tests/test_a.py", "services/api/app/routes.py"]), FILES),
    st.dictionaries(st.sampled_from(["tests/test_a.py", "services/api/app/routes.py"]), FILES),
)
def test_git_lines_never_change_a_finding(
    before: dict[str, list[str]], after: dict[str, list[str]]
) -> None:
    old = {p: _text(lines) for p, lines in before.items()}
    new = {p: _text(lines) for p, lines in after.items()}
    memory.WITH_GIT_LINES = False
    plain = memory.make_change(old, new)
    memory.WITH_GIT_LINES = True
    try:
        hinted = memory.make_change(old, new)
    finally:
        memory.WITH_GIT_LINES = False
    assert _findings(hinted) == _findings(plain)
    for fc in hinted.files:
        hint = line_hint(hinted, fc)
        if hint is None:
            assert fc.old is None or fc.new is None  # only new and deleted files lack one
            continue
        # By content, git's lines hold every line the exact delta finds (but the empty
        # string after a file's last newline, which the delta counts as a line).
        delta = line_delta(hinted, fc)
        assert not Counter(text for _, text in delta.lines if text) - Counter(hint.added)
        assert not delta.removed - Counter(line.strip() for line in hint.removed)


def test_a_hook_change_carries_git_lines(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    r.write("services/api/app/edit.py", "a = 1\nb = 2\n")
    r.write("services/api/app/old_name.py", "".join(f"line_{i} = {i}\n" for i in range(20)))
    r.write("services/api/app/blob.bin", b"\0\1\2binary\n")
    r.write("services/api/app/mode.sh", "echo hi\n")
    r.add()
    r.git("commit", "-q", "--no-verify", "-m", "chore(lead): files")
    # Lines that look like patch syntax must come back as the file's own lines.
    r.write("services/api/app/edit.py", "a = 1\n++ not a header\ndiff --git a/x b/x\n-- x")
    r.git("mv", "services/api/app/old_name.py", "services/api/app/new_name.py")
    r.write(
        "services/api/app/new_name.py",
        "".join(f"line_{i} = {i}\n" for i in range(20)) + "extra = 1  # noqa\n",
    )
    r.write("services/api/app/blob.bin", b"\0\1\2binary, changed\n")
    r.add()
    r.git("update-index", "--chmod=+x", "services/api/app/mode.sh")
    with Repo(r.path, hook=True) as repo:
        change = staged_change(repo, Stage.PRE_COMMIT).change
        assert change.hints is not None  # collected while the repository is open
    by_path = {fc.path: fc for fc in change.files}
    edit = line_hint(change, by_path["services/api/app/edit.py"])
    assert edit is not None
    assert edit.added == ("++ not a header", "diff --git a/x b/x", "-- x")
    assert edit.removed == ("b = 2",)
    renamed = by_path["services/api/app/new_name.py"]
    assert renamed.status == "R"
    assert line_hint(change, renamed) == (("extra = 1  # noqa",), (), "extra = 1  # noqa")
    # A binary file has no lines to offer: the rules read it themselves.
    assert line_hint(change, by_path["services/api/app/blob.bin"]) is None
    assert line_hint(change, by_path["services/api/app/mode.sh"]) == NO_LINES


def test_outside_a_hook_the_rules_read_the_files(workflow_repo: GitRepo) -> None:
    """Only a hook asks git for the patch (with the raw diff, in one process): `taskgate
    check` and a commit re-checked by `ci` are built without it."""
    r = workflow_repo
    r.write("services/api/app/__init__.py", "x = 1\n")
    r.add()
    with Repo(r.path) as repo:
        assert staged_change(repo, Stage.CHECK).change.hints is None
    r.git("commit", "-q", "--no-verify", "-m", "feat(python): x")
    with Repo(r.path) as repo:
        (info,) = repo.read_commits([r.head()])
        builder = CommitChanges(repo)
        built = builder.build(info, repo.commit_diff(info.parents[0], info.sha))
        assert built.change.hints is None


def test_a_hook_with_nothing_modified_or_no_head_has_no_patch(repo: GitRepo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.add()
    with Repo(repo.path, hook=True) as r:  # no HEAD yet: the early process fails
        change = staged_change(r, Stage.PRE_COMMIT).change
        assert [fc.path for fc in change.files] == ["a.py"]
        assert change.hints is None
    repo.git("commit", "-q", "--no-verify", "-m", "chore: a")
    with Repo(repo.path, hook=True) as r:  # nothing staged
        change = staged_change(r, Stage.PRE_COMMIT).change
        assert change.files == ()
        assert change.hints is None
    repo.write("b.py", "y = 2\n")
    repo.git("rm", "-q", "a.py")
    repo.add()
    with Repo(repo.path, hook=True) as r:  # only a new and a deleted file
        change = staged_change(r, Stage.PRE_COMMIT).change
        assert sorted(fc.status for fc in change.files) == ["A", "D"]
        assert change.hints == {}


class CountingSide(PlainSide):
    """A side that records which paths the rules read."""

    def __init__(self, inner: memory.MemorySide) -> None:
        self.inner = inner
        self.read_paths: list[str] = []

    def read(self, path: str) -> bytes | None:
        self.read_paths.append(path)
        return self.inner.read(path)

    def exists(self, paths: Iterable[str]) -> set[str]:
        return self.inner.exists(paths)


def test_git_lines_spare_reading_files_without_a_sign() -> None:
    files = {f"services/api/app/m{i}.py": f"def f{i}() -> int:\n    return {i}\n" for i in range(8)}
    files["services/api/tests/test_m.py"] = "def test_m() -> None:\n    assert True\n"
    edited = {p: text + "\n\ndef more() -> int:\n    return 0\n" for p, text in files.items()}
    edited["services/api/app/m3.py"] += 'z = "# type: ignore"\n'  # a sign, in a string
    memory.WITH_GIT_LINES = True
    try:
        change = memory.make_change(files, edited)
    finally:
        memory.WITH_GIT_LINES = False
    before, after = CountingSide(change.before), CountingSide(change.after)  # type: ignore[arg-type]
    change.before, change.after = before, after
    found = [(f.rule, f.path, f.line) for fn in CHECKS for f in fn(change, policy())]
    assert found == []
    # Only the file whose new lines show a sign is read, plus the test file (for a
    # marker imported under another name), never the quiet ones.
    assert set(before.read_paths) == {"services/api/app/m3.py"}
    assert set(after.read_paths) == {"services/api/app/m3.py", "services/api/tests/test_m.py"}


def test_patch_parser_keys_by_blob_ids() -> None:
    one, two, three, four = (str(n).encode() * 40 for n in (1, 2, 3, 4))
    patch = (
        b"diff --git a/a.py b/a.py\n"
        b"index " + one + b".." + two + b" 100644\n"
        b"--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-old\n+new \xff\n\\ No newline at end of file\n"
        b"diff --git a/b.bin b/b.bin\n"
        b"index " + three + b".." + four + b" 100644\n"
        b"Binary files a/b.bin and b/b.bin differ\n"
    )  # fmt: skip
    hints = parse_patch(patch)
    assert hints == {("1" * 40, "2" * 40): (("new \ufffd",), ("old",), "new \ufffd")}
    assert parse_patch(b"") == {}


def test_paths_are_irrelevant_to_the_key(tmp_path: Path) -> None:
    """A path with spaces, quotes and a newline changes nothing: the key is the blob pair."""
    repo = GitRepo(tmp_path)
    repo.git("init", "-q", "-b", "main")
    name = 'odd "dir"/a\nb c.py'
    repo.write(name, "x = 1\n")
    repo.add()
    repo.git("commit", "-q", "--no-verify", "-m", "chore: one")
    repo.write(name, "x = 2\n")
    repo.add()
    with Repo(tmp_path, hook=True) as r:
        change = staged_change(r, Stage.PRE_COMMIT).change
        assert change.hints is not None
    (fc,) = change.files
    assert fc.path == name
    assert line_hint(change, fc) == (("x = 2",), ("x = 1",), "x = 2")


def test_the_users_diff_settings_change_nothing(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    r.write("services/api/app/edit.py", "a = 1\n")
    r.add()
    r.git("commit", "-q", "--no-verify", "-m", "chore(lead): a file")
    for key, value in (
        ("diff.external", "false"),
        ("color.diff", "always"),
        ("color.ui", "always"),
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("diff.submodule", "diff"),
        ("diff.context", "9"),
        ("diff.interHunkContext", "9"),
        ("diff.algorithm", "patience"),
    ):
        r.git("config", key, value)
    r.write("services/api/app/edit.py", "a = 2\nb = 3  # noqa\n")
    r.add()
    with Repo(r.path, hook=True) as repo:
        change = staged_change(repo, Stage.PRE_COMMIT).change
        (fc,) = change.files
        assert line_hint(change, fc) == (
            ("a = 2", "b = 3  # noqa"),
            ("a = 1",),
            "a = 2\nb = 3  # noqa",
        )


def test_a_raw_part_larger_than_a_pipe_read(repo: GitRepo) -> None:
    """Thousands of staged files: the raw records span many reads before the patch."""
    repo.write("keep.py", "x = 1\n")
    repo.add()
    repo.git("commit", "-q", "--no-verify", "-m", "chore: one")
    for i in range(3000):
        repo.write(f"many/deep/folder/with/a/long/name/file_{i:05d}.txt", f"{i}\n")
    repo.write("keep.py", "x = 2\n")
    repo.add()
    with Repo(repo.path, hook=True) as r:
        change = staged_change(r, Stage.PRE_COMMIT).change
        assert len(change.files) == 3001
        keep = next(fc for fc in change.files if fc.path == "keep.py")
        assert line_hint(change, keep) == (("x = 2",), ("x = 1",), "x = 2")
    with Repo(repo.path) as r:  # the same change, from a plain diff-index
        assert [fc.path for fc in staged_change(r, Stage.CHECK).change.files] == [
            fc.path for fc in change.files
        ]
