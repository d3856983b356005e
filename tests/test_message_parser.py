"""The message parser and git's clean-up: unit cases, properties, and git itself as the oracle."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskgate.cli import main
from taskgate.message import (
    Header,
    HeaderProblem,
    auto_comment_char,
    caret,
    clean,
    decode,
    message_from_bytes,
    parse_header,
)
from tests.conftest import PYTHON

TYPES = ("feat", "fix", "chore", "docs", "revert")


# --- the header ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "column", "words"),
    [
        ("feat (python): add", 4, "between the type and '('"),
        ("feat\t(python): add", 4, "between the type and '('"),
        ("feat(python) : add", 12, "before the ':'"),
        ("feat : add", 4, "before the ':'"),
        ("feat!(python): add", 4, "'!' must come after the scope"),
        ("feat(): add", 4, "empty scope"),
        ("feat(  ): add", 4, "empty scope"),
        ("feat(python,web): add", 11, "one scope per commit"),
        ("feat(python/web): add", 11, "one scope per commit"),
        ("feat(python)(web): add", 12, "only one scope"),
        ("feat(py(thon)): add", 7, "may not contain '('"),
        ("feat(python:add", 15, "not closed"),
        ("feat(python):add", 13, "expected a space after the ':'"),
        ("feat(python):", 13, "description after ':' is empty"),
        ("feat(python): ", 14, "description after ':' is empty"),
        (" feat(python): add", 0, "starts with white space"),
        ("feat2(python): add", 4, "only contain letters"),
        ("feat add login", 4, "right after the type"),
        ("feat", 4, "after the type"),
        ("Added login", 0, "no type"),
        ("Merge branch 'x'", 0, "no type"),
        ("feat(python)x: add", 12, "expected ':'"),
        ("feat(python) add", 12, "right after the scope"),
        ("", 0, "empty"),
    ],
)
def test_header_problems_point_at_the_problem(header: str, column: int, words: str) -> None:
    problem = parse_header(header, TYPES)
    assert isinstance(problem, HeaderProblem), problem
    assert problem.column == column
    assert words in problem.reason


@pytest.mark.parametrize(
    ("header", "type_", "scope", "breaking", "description"),
    [
        ("feat(python): add login", "feat", "python", False, "add login"),
        ("FEAT(Python)!: drop v1", "FEAT", "Python", True, "drop v1"),
        ("fix: a typo", "fix", None, False, "a typo"),
        ("fix!: a typo", "fix", None, True, "a typo"),
        ("docs(web): a\u2028b\x0cc", "docs", "web", False, "a\u2028b\x0cc"),
        ("feat(a-b_c.d): x", "feat", "a-b_c.d", False, "x"),
    ],
)
def test_good_headers_parse(
    header: str, type_: str, scope: str | None, breaking: bool, description: str
) -> None:
    parsed = parse_header(header, TYPES)
    assert isinstance(parsed, Header), parsed
    assert (parsed.type, parsed.scope, parsed.breaking, parsed.description) == (
        type_,
        scope,
        breaking,
        description,
    )


def test_double_space_is_parsed_and_flagged() -> None:
    parsed = parse_header("feat(python):   add", TYPES)
    assert isinstance(parsed, Header)
    assert parsed.double_space
    assert parsed.description == "add"
    assert parsed.description_column == 16


def test_caret_lines_up_under_tabs() -> None:
    assert caret("a\tb c", 4) == ("a\tb c", " \t  ^")


@given(st.text(max_size=200), st.sampled_from([(), TYPES]))
def test_parser_never_raises_and_columns_stay_in_the_header(
    header: str, types: tuple[str, ...]
) -> None:
    parsed = parse_header(header, types)
    if isinstance(parsed, HeaderProblem):
        assert 0 <= parsed.column <= len(header)
        assert parsed.reason
        assert len(caret(header, parsed.column)[1]) == parsed.column + 1
    else:
        assert header.startswith(parsed.type)
        assert header[parsed.description_column :] == parsed.description
        if parsed.scope is not None:
            assert header[parsed.scope_column : parsed.scope_column + len(parsed.scope)] == (
                parsed.scope
            )


_PIECES = [*"feat fix ( ) python ! : , x web Feat () / é \u2028".split(" "), " ", "  ", "\t"]  # noqa: SIM905
_HEADERISH = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@given(_HEADERISH)
def test_parser_on_header_like_text(header: str) -> None:
    parsed = parse_header(header, TYPES)
    if isinstance(parsed, HeaderProblem):
        assert 0 <= parsed.column <= len(header)
    else:
        assert header[parsed.description_column :] == parsed.description


# --- clean-up -----------------------------------------------------------------


def test_decode_strips_bom_and_flags_bad_bytes() -> None:
    assert decode(b"\xef\xbb\xbffeat: x") == ("feat: x", False)
    text, bad = decode(b"caf\xe9")
    assert bad
    assert text == "caf\ufffd"


def test_lines_split_on_newline_only() -> None:
    msg = message_from_bytes("feat(x): a\u2028b\x0cc\x1cd\n".encode(), "#", "strip")
    assert msg.lines == ["feat(x): a\u2028b\x0cc\x1cd"]


def test_scissors_line_needs_its_newline_as_in_git() -> None:
    line = "# ------------------------ >8 ------------------------"
    assert clean(f"feat: x\n{line}\ndiff\n", "#", "whitespace") == "feat: x"
    # Without a newline after it, git does not see a scissors line; neither do we.
    assert clean(f"feat: x\n{line}", "#", "whitespace") == f"feat: x\n{line}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("feat: x\n\n; with ';' will be ignored\n", ";"),
        ("#1\n@a\n\n; Please enter the commit message\n;\n", ";"),
        ("#1\n;2\n@3\n\n! Lines starting with '!'\n", "!"),
        ("feat: x\n", "#"),
        ("#1 first line\nhelp text deleted\n", ";"),
        ("x\n\n@ ------------------------ >8 ------------------------\ndiff\n", "@"),
    ],
)
def test_auto_comment_char_read_back(text: str, expected: str) -> None:
    assert auto_comment_char(text) == expected


_LINES = st.lists(
    st.tuples(
        st.sampled_from(["", "#", ";", "@", "!", " ", "\t", "# ", "; "]),
        st.sampled_from(["", "feat(x): y", "text", "  ", "\t", "é", "a\r", "\x0c", "\u2028"]),
    ).map("".join),
    max_size=8,
).map("\n".join)


@settings(max_examples=60, deadline=None)
@given(_LINES, st.booleans())
def test_clean_matches_git_stripspace(text: str, strip_comments: bool) -> None:
    """git's own `git stripspace` is the oracle for both clean-up modes."""
    args = ["git", "stripspace", *(["--strip-comments"] if strip_comments else [])]
    git_out = subprocess.run(args, input=text.encode(), capture_output=True, check=True).stdout
    ours = clean(text, "#", "strip" if strip_comments else "whitespace")
    assert (ours + "\n" if ours else "") == git_out.decode()


# --- against real commits: what git stores is what we checked --------------------

_EDITOR = """#!/bin/sh
cp "$1" "$1.seen"
"""


@pytest.fixture(scope="module")
def oracle_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("oracle")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    (root / "editor.sh").write_text(_EDITOR)
    (root / "editor.sh").chmod(0o755)
    (root / "f.txt").write_text("0\n")
    subprocess.run(["git", "add", "f.txt"], cwd=root, check=True)
    return root


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    _LINES,
    st.sampled_from(["#", ";", "auto"]),
    st.sampled_from(["default", "strip", "whitespace", "scissors", "verbatim"]),
    st.booleans(),
)
def test_cleanup_matches_what_git_commits(
    oracle_repo: Path, body: str, comment: str, mode: str, verbose: bool
) -> None:
    """Commit through git with an editor, read back the stored message, compare with ours."""
    root = oracle_repo
    env = {
        **os.environ,
        "GIT_EDITOR": str(root / "editor.sh"),
        "GIT_AUTHOR_NAME": "o",
        "GIT_AUTHOR_EMAIL": "o@example.invalid",
        "GIT_COMMITTER_NAME": "o",
        "GIT_COMMITTER_EMAIL": "o@example.invalid",
    }
    (root / "f.txt").write_text((root / "f.txt").read_text() + "1\n")
    (root / "msg").write_text(body)
    args = ["git", "-c", f"core.commentChar={comment}", "-c", f"commit.cleanup={mode}",
            "commit", "-q", "-a", "-e", "-F", "msg", *(["-v"] if verbose else [])]  # fmt: skip
    proc = subprocess.run(args, cwd=root, env=env, capture_output=True, check=False)
    seen_path = root / ".git" / "COMMIT_EDITMSG.seen"
    assert seen_path.exists(), proc.stderr
    seen = seen_path.read_bytes()
    seen_path.unlink()
    effective = "strip" if mode == "default" else mode
    ours = message_from_bytes(seen, comment, effective)
    if proc.returncode != 0:
        assert b"empty commit message" in proc.stderr, proc.stderr
        assert ours.is_empty
        return
    stored = subprocess.run(
        ["git", "log", "-1", "--format=%B"], cwd=root, capture_output=True, check=True
    ).stdout.decode()
    # %B adds one newline; verbatim keeps CRs, which we read as line ends.
    expected = stored[:-1].rstrip("\n")
    if effective == "verbatim":
        expected = expected.replace("\r\n", "\n")
    assert ours.text == expected


# --- arbitrary bytes never crash the hook ------------------------------------------


@pytest.fixture(scope="module")
def bytes_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bytes")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    return root


def _main_quiet(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=400), comment=st.sampled_from(["#", "auto"]), editor=st.booleans())
def test_arbitrary_bytes_never_crash_in_process(
    bytes_repo: Path, raw: bytes, comment: str, editor: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.commentChar")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", comment)
    monkeypatch.setenv("GIT_EDITOR", "vi" if editor else ":")
    path = bytes_repo / "MSG"
    path.write_bytes(raw)
    code, out, err = _main_quiet(
        ["hook", "commit-msg", str(path), "--repo", str(bytes_repo), "--format", "json"]
    )
    assert code in (0, 1), err
    assert "Traceback" not in err
    assert "internal error" not in err
    findings = json.loads(out)["findings"]
    for f in findings:
        # Nothing is staged: only message rules can speak, always about the message file.
        assert f["rule"].startswith("TG1"), f
        assert f["path"] == "COMMIT_EDITMSG", f
    assert (code == 1) == any(f["severity"] == "error" for f in findings)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\x00f\x00e\x00a\x00t",  # UTF-16 with its BOM
        b"\x00\x00\x00",
        b"\xef\xbb\xbf\xef\xbb\xbf",
        b"feat(x): " + b"\xc3" * 5000,
        b"\r\r\r\n\x0b\x0c",
        bytes(range(256)),
    ],
)
def test_arbitrary_bytes_never_crash_as_a_process(bytes_repo: Path, raw: bytes) -> None:
    path = bytes_repo / "MSG"
    path.write_bytes(raw)
    proc = subprocess.run(
        [PYTHON, "-m", "taskgate", "hook", "commit-msg", str(path)],
        cwd=bytes_repo, capture_output=True, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    assert b"Traceback" not in proc.stderr
    assert b"internal error" not in proc.stderr
    assert (
        proc.stderr.decode("utf-8", "replace")
        .rstrip()
        .splitlines()[-1]
        .startswith("taskgate commit-msg:")
    )
