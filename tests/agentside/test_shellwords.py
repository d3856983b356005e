"""`shellwords.split` splits as the shlex lexer the guard used does (same words, same errors),
on hand-picked shell commands and on random strings of the characters that matter."""

from __future__ import annotations

import random
import shlex

import pytest

from taskgate.agentside.shellwords import split


def shlex_words(text: str) -> list[str] | str:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as exc:
        return f"ValueError: {exc}"


def ours(text: str) -> list[str] | str:
    try:
        return split(text)
    except ValueError as exc:
        return f"ValueError: {exc}"


COMMANDS = [
    "", "   ", "git commit --no-verify -m 'feat(python): x'", "pytest -q && git commit -m x",
    'bash -c "git commit -n -m \\"x\\""', "a|b||c&&d;e;;f&g|&h", "cat <<EOF >out 2>&1",
    "echo ''", 'echo ""', "echo 'a'\"b\"c", "echo a\\ b \\\\ \\'", 'echo "a\\$b\\\\c\\"d"',
    "x=1 y='2 3' cmd", "(cd web && rm -rf .git/hooks)", "echo 'unclosed", 'echo "unclosed',
    "echo trailing\\", "echo # not a comment", "a>b<c", "echo é ß ü", "git push -f origin main",
    "echo 'a\\'", "ls\t-la\r\n;pwd", "2>/dev/null", "&>log", "a'b'c\"d\"e", "''''", '"""',
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_known_commands_split_alike(command: str) -> None:
    assert ours(command) == shlex_words(command)


def test_random_commands_split_alike() -> None:
    rng = random.Random(16)
    alphabet = "ab -=./~*?é" + " \t\n\r" + "'\"\\" + "();<>|&" + "#$`"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert ours(text) == shlex_words(text), repr(text)
