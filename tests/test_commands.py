"""One module per command (taskgate.commands): the CLI's table names each one."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from taskgate.cli import COMMANDS, build_parser, command_module, main

COMMANDS_DIR = Path(__file__).resolve().parents[1] / "src" / "taskgate" / "commands"


def test_every_command_has_its_module_and_every_module_its_command() -> None:
    files = {p.stem for p in COMMANDS_DIR.glob("*.py") if p.stem != "__init__"}
    assert set(COMMANDS.values()) == files
    for name in COMMANDS:
        module = command_module(name)
        assert callable(module.add_parser), name
        assert callable(module.run), name


def test_the_parser_offers_the_commands_in_the_table_order() -> None:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    assert list(sub.choices) == list(COMMANDS)  # type: ignore[arg-type]


def test_guard_found_by_argparse_is_still_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`taskgate -- guard` skips the guard's own entry: argparse says no (exit 2)."""
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["--", "guard"])
    assert code == 2
    assert "taskgate: error: " in err.getvalue()
