"""Shell words as `shlex` splits them for the guard, without importing `shlex` (and `re`).

`split` is `list(shlex.shlex(text, posix=True, punctuation_chars=True))` with
`whitespace_split = True` and no comment characters — the lexer `shell.split_words` used —
written out as the same state machine, so that a shell command on the guard's quick path
does not load `shlex`, `re` and `enum` (a few milliseconds of every Bash call). Same
words, same errors (ValueError "No closing quotation" / "No escaped character"):
tests/agentside/test_shellwords.py compares the two on many commands, random ones included.
"""

_WHITESPACE = " \t\r\n"
_PUNCTUATION = "();<>|&"
_QUOTES = "'\""


def split(text: str) -> list[str]:
    """The words and operator runs of `text`, as the shlex lexer above yields them."""
    words: list[str] = []
    state: str | None = " "  # " " between words, "a" in a word, "c" in operators, a quote, "\\"
    pushback: list[str] = []
    i, end = 0, len(text)
    while True:  # one token (shlex.read_token) a round
        token = ""
        quoted = False
        escaped = " "  # the state an escape returns to
        while True:
            if pushback:
                ch = pushback.pop()
            elif i < end:
                ch = text[i]
                i += 1
            else:
                ch = ""
            if state is None:
                token = ""
                break
            if state == " ":
                if not ch:
                    state = None
                    break
                if ch in _WHITESPACE:
                    if token or quoted:
                        break
                    continue
                if ch == "\\":
                    escaped, state = "a", "\\"
                elif ch in _PUNCTUATION:
                    token, state = ch, "c"
                elif ch in _QUOTES:
                    state = ch
                else:
                    token, state = ch, "a"
            elif state in _QUOTES:
                quoted = True
                if not ch:
                    raise ValueError("No closing quotation")
                if ch == state:
                    state = "a"
                elif ch == "\\" and state == '"':
                    escaped, state = state, "\\"
                else:
                    token += ch
            elif state == "\\":
                if not ch:
                    raise ValueError("No escaped character")
                if escaped in _QUOTES and ch not in ("\\", escaped):
                    token += "\\"  # inside double quotes only `\"` and `\\` are escapes
                token += ch
                state = escaped
            else:  # "a" or "c"
                if not ch:
                    state = None
                    break
                if ch in _WHITESPACE:
                    state = " "
                    if token or quoted:
                        break
                    continue
                if state == "c":
                    if ch in _PUNCTUATION:
                        token += ch
                    else:
                        pushback.append(ch)
                        state = " "
                        break
                elif ch in _QUOTES:
                    state = ch
                elif ch == "\\":
                    escaped, state = "a", "\\"
                elif ch not in _PUNCTUATION:
                    token += ch
                else:
                    pushback.append(ch)
                    state = " "
                    if token or quoted:
                        break
                    continue
        if not quoted and not token:
            return words  # shlex's end of input (posix: None)
        words.append(token)
