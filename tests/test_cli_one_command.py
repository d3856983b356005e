"""A run that names its command builds only that command's parser (taskgate.cli): the
others' parsers cost ~10 ms of every `check`, `ci` or `board` process. What the user
sees is the same: the parse, the usage line and the errors of the whole parser."""

from __future__ import annotations

import contextlib
import io

import pytest

from taskgate.cli import COMMANDS, build_parser
from taskgate.errors import TaskgateError

ARGVS = [
    ["check", "-m", "feat(web): x", "--format", "json", "--no-cache"],
    ["ci", "--range", "a..b", "--no-gate"],
    ["rules"],
    ["explain", "TG201"],
    ["board", "--format", "json"],
]


def _outcome(only: str | None, argv: list[str]) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            parsed: object = vars(build_parser(only).parse_args(argv))
        except SystemExit as exc:  # --help
            parsed = exc.code
        except TaskgateError as exc:  # a usage error: the usage line, then exit 2
            parsed = str(exc)
    return parsed, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", ARGVS, ids=lambda a: a[0])
def test_one_command_parses_as_the_whole_parser_does(argv: list[str]) -> None:
    whole = _outcome(None, argv)
    assert isinstance(whole[0], dict)
    assert _outcome(argv[0], argv) == whole


@pytest.mark.parametrize(
    "argv", [["check", "--bogus"], ["rules", "extra"], ["ci", "-h"], ["board", "--format", "x"]]
)
def test_errors_and_help_read_the_same(argv: list[str]) -> None:
    whole = _outcome(None, argv)
    assert whole[0] == 0 or "usage: taskgate" in whole[2]
    assert _outcome(argv[0], argv) == whole


def test_only_the_named_command_is_built() -> None:
    (sub,) = [a for a in build_parser("check")._actions if a.dest == "command"]
    assert list(sub.choices) == ["check"]  # type: ignore[arg-type]
    (sub,) = [a for a in build_parser("chek")._actions if a.dest == "command"]
    assert list(sub.choices) == list(COMMANDS)  # type: ignore[arg-type]
