"""git's allowed-signers format (`gpg.ssh.allowedSignersFile`, `ssh-keygen -Y verify`).

One key a line: `principals [options] keytype base64 [comment]`. Principals are a
comma-separated list (here: agent ids and role names, taken literally); options are
`namespaces="git,…"`, `valid-after="YYYYMMDD[HHMM[SS]][Z]"`, `valid-before=…` and
`cert-authority`, which this verifier refuses (certificates are not supported: list
the agents' keys themselves). Blank lines and `#` comments are ignored. A line that
cannot be used is kept as a problem with its line number, never a traceback.
"""

# No `from __future__ import annotations`: NamedTuple fields would be compiled ForwardRefs
# on the signed-mode hook path (see docs/architecture.md, "The hot path").

import base64
import binascii
import time
from typing import NamedTuple

from taskgate.identity.sshsig import KEY_TYPES, key_type

_KNOWN_TYPES = KEY_TYPES | {"ssh-dss", "sk-ssh-ed25519@openssh.com",
                            "sk-ecdsa-sha2-nistp256@openssh.com"}  # fmt: skip


class Signer(NamedTuple):
    """One usable line of the file."""

    principals: tuple[str, ...]
    key: bytes  # SSH wire blob
    line: int
    namespaces: str | None = None  # pattern list, None: any namespace
    valid_after: float | None = None
    valid_before: float | None = None

    def allows_namespace(self, namespace: str) -> bool:
        return self.namespaces is None or match_pattern_list(namespace, self.namespaces)

    def valid_at(self, when: float) -> bool:
        if self.valid_after is not None and when < self.valid_after:
            return False
        return self.valid_before is None or when <= self.valid_before


class AllowedSigners(NamedTuple):
    signers: tuple[Signer, ...]
    problems: tuple[tuple[int, str], ...]  # (line number, what is wrong)
    by_key: dict[bytes, tuple[Signer, ...]]


def match_pattern_list(name: str, patterns: str) -> bool:
    """OpenSSH's match_pattern_list: `*`/`?` wildcards, a `!pattern` match vetoes."""
    import fnmatch

    found = False
    for raw in patterns.split(","):
        pattern = raw.strip()
        negated = pattern.startswith("!")
        if fnmatch.fnmatchcase(name, pattern[1:] if negated else pattern):
            if negated:
                return False
            found = True
    return found


def _token(line: str, pos: int) -> tuple[str, int]:
    """The next white-space separated token; double quotes may hold white space."""
    while pos < len(line) and line[pos] in " \t":
        pos += 1
    start, quoted = pos, False
    while pos < len(line):
        ch = line[pos]
        if ch == "\\" and quoted and pos + 1 < len(line):
            pos += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch in " \t" and not quoted:
            break
        pos += 1
    if quoted:
        raise ValueError("unbalanced double quote")
    return line[start:pos], pos


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('\\"', '"')
    return text


def _split_options(text: str) -> list[str]:
    out, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return out


def parse_time(text: str) -> float:
    """`YYYYMMDD[HHMM[SS]]` local time, or UTC with a trailing `Z` (as ssh-keygen reads it)."""
    utc = text.endswith(("Z", "z"))
    digits = text[:-1] if utc else text
    if not digits.isdigit() or len(digits) not in (8, 12, 14):
        raise ValueError(f"'{text}' is not YYYYMMDD[HHMM[SS]][Z]")
    digits = digits.ljust(14, "0")
    fields = (int(digits[0:4]), int(digits[4:6]), int(digits[6:8]),
              int(digits[8:10]), int(digits[10:12]), int(digits[12:14]))  # fmt: skip
    import calendar

    parsed = time.strptime(" ".join(map(str, fields)), "%Y %m %d %H %M %S")
    return float(calendar.timegm(parsed) if utc else time.mktime(parsed))


def _parse_line(text: str, number: int) -> Signer:
    principals_raw, pos = _token(text, 0)
    principals = tuple(p for p in _unquote(principals_raw).split(",") if p)
    if not principals:
        raise ValueError("no principal")
    word, pos = _token(text, pos)
    options: dict[str, str | None] = {}
    if word not in _KNOWN_TYPES:
        for item in _split_options(word):
            name, eq, value = item.partition("=")
            options[name.lower()] = _unquote(value) if eq else None
        word, pos = _token(text, pos)
    if not word:
        raise ValueError("no key type and key")
    blob_text, pos = _token(text, pos)
    try:
        blob = base64.b64decode(blob_text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"the {word} key is not valid base64") from None
    if key_type(blob) != word:
        raise ValueError(f"the key's own type is not '{word}'")
    for name in options:
        if name == "cert-authority":
            raise ValueError(
                "cert-authority lines are not supported: list each agent's own key instead"
            )
        if name not in ("namespaces", "valid-after", "valid-before"):
            raise ValueError(f"unknown option '{name}'")
    if word not in KEY_TYPES:
        raise ValueError(f"key type '{word}' is not supported (use ssh-ed25519, ecdsa or rsa)")
    after, before = options.get("valid-after"), options.get("valid-before")
    return Signer(
        principals,
        blob,
        number,
        options.get("namespaces"),
        parse_time(after) if after else None,
        parse_time(before) if before else None,
    )


def parse_allowed_signers(data: bytes) -> AllowedSigners:
    """Every usable line, and what is wrong with the others."""
    signers: list[Signer] = []
    problems: list[tuple[int, str]] = []
    text = data.decode("utf-8", "replace")
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            signers.append(_parse_line(line, number))
        except ValueError as exc:
            problems.append((number, str(exc)))
    by_key: dict[bytes, tuple[Signer, ...]] = {}
    for signer in signers:
        by_key[signer.key] = (*by_key.get(signer.key, ()), signer)
    return AllowedSigners(tuple(signers), tuple(problems), by_key)


_PARSED: dict[bytes, AllowedSigners] = {}


def allowed_signers(data: bytes) -> AllowedSigners:
    """Parsed once per distinct content (thousands of commits share a handful of files)."""
    found = _PARSED.get(data)
    if found is None:
        found = _PARSED[data] = parse_allowed_signers(data)
    return found
