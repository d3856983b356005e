"""TG604: secrets in the lines a change adds, by everyone (SPEC §7).

Only added lines are scanned (a line multiset against the before side: fast, and
a secret already in history is not reported on every later commit), and only
text files under the size limit. A file whose added lines show no sign of a
secret (one combined pattern) is never run through the specific patterns.

Every finding carries a fingerprint (sha256 of rule, path and the secret, first
16 hex digits). The lead allows a false positive by adding its fingerprint to
`[secrets] allow` in the policy, which coders cannot change; an inline comment
an agent could add never silences this rule. The secret itself is never
printed in full: reports end up in CI logs.
"""

# No `from __future__ import annotations`: on the hook's path, where NamedTuple would
# compile each string annotation at import (see taskgate.finding).

import re
from collections.abc import Iterable, Iterator
from typing import AnyStr, Generic, NamedTuple

from taskgate.change import Change, FileChange
from taskgate.finding import Finding
from taskgate.policy import Policy
from taskgate.rules.changedlines import (
    after_path,
    basename,
    before_path,
    line_delta,
    line_hint,
    prefetch,
    side_bytes,
    side_text,
)
from taskgate.rules.registry import PRE_COMMIT_CHECK_CI, check, rule
from taskgate.rules.secretshapes import SHAPES

# Signs of a secret (lower case): only text showing one meets the patterns below. Plain
# substring tests: a regular expression alternating these is several times slower.
_SIGNS = (
    "private key", "akia", "asia", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "glpat-", "xox", "sk-", "_live_", "eyj", "://", "passw", "passphrase", "pwd", "secret",
    "token", "api_key", "api-key", "apikey", "access_key", "access-key", "accesskey",
    "auth_key", "auth-key", "authkey", "credential",
)  # fmt: skip


# The same signs, grouped so that a text is scanned 16 times rather than 30 (each scan
# of a large file costs the same whatever it looks for): the key names share "key" and
# are told apart by what precedes it; the GitHub prefixes and the passwords are two
# patterns with a literal head, which the regular-expression engine finds quickly.
_DIRECT = ("://", "token", "secret", "pwd", "eyj", "sk-", "xox", "akia", "asia", "_live_",
           "glpat-", "github_pat_", "credential")  # fmt: skip
_KEY_HEADS = ("private ", "api_", "api-", "api", "access_", "access-", "access", "auth_",
              "auth-", "auth")  # fmt: skip
_HEADED = (r"gh[pousr]_", r"pass(?:w|phrase)")


class _Scan(NamedTuple, Generic[AnyStr]):
    direct: tuple[AnyStr, ...]
    key: AnyStr
    heads: tuple[AnyStr, ...]
    headed: tuple[re.Pattern[AnyStr], ...]


_TEXT_SCAN = _Scan(_DIRECT, "key", _KEY_HEADS, tuple(re.compile(p) for p in _HEADED))
_BYTES_SCAN = _Scan(
    tuple(d.encode() for d in _DIRECT),
    b"key",
    tuple(h.encode() for h in _KEY_HEADS),
    tuple(re.compile(p.encode()) for p in _HEADED),
)


def _signed(low: AnyStr, scan: _Scan[AnyStr]) -> bool:
    """Whether lower-cased `low` holds one of `_SIGNS`."""
    if any(d in low for d in scan.direct) or any(p.search(low) for p in scan.headed):
        return True
    i = low.find(scan.key)
    while i >= 0:
        if low[max(0, i - 8) : i].endswith(scan.heads):
            return True
        i = low.find(scan.key, i + 3)
    return False


def has_sign(text: str) -> bool:
    return _signed(text.lower(), _TEXT_SCAN)


def has_sign_bytes(raw: bytes) -> bool:
    return _signed(raw.lower(), _BYTES_SCAN)  # ASCII letters only: every sign is ASCII


_PEM_NOISE = re.compile(r"^[A-Za-z-]+:[^\n]*$|[^A-Za-z0-9+/=]", re.M)  # headers, wrapping
# `name = "literal"`, `name: str = "literal"`, `"name": "literal"`, `name => 'literal'`.
_ASSIGNED = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)["']?[ \t]*"""
    r"""(?::[ \t]*[A-Za-z_][\w\[\], .|]*[ \t]*)?(?::=|=>|=|:)[ \t]*"""
    r"""[rbuf]?(?P<q>["'`])(?P<value>[^"'`\n]{12,256})(?P=q)"""
)
# `NAME=value` without quotes, in .env, INI, YAML and properties files.
_BARE = re.compile(
    r"^[ \t]*(?:export[ \t]+)?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*[=:][ \t]*"
    r"(?P<value>[^\s\"'#;]{12,256})[ \t]*$",
    re.M,
)
_BARE_SUFFIXES = (".env", ".ini", ".cfg", ".conf", ".properties", ".yaml", ".yml")
_LOCKFILES = frozenset(
    {"poetry.lock", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "uv.lock",
     "Pipfile.lock", "composer.lock", "Gemfile.lock", "go.sum"}
)  # fmt: skip

_PROSE_SUFFIXES = (".md", ".rst", ".txt", ".adoc")
_NAME_SIGNS = ("passw", "passphrase", "pwd", "pw", "secret", "token", "key", "credential")
_SECRET_WORDS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credential")
_NOT_SECRET_TAIL = frozenset(
    {"url", "uri", "type", "name", "path", "file", "env", "var", "field", "label", "len",
     "length", "prefix", "header", "endpoint", "id", "ttl", "timeout", "expiry", "expires",
     "count", "format", "pattern", "regex", "param", "method", "mode", "version", "hint",
     "policy", "validator", "dir", "key_name", "class", "attr", "column", "table", "size",
     "location", "store", "cache", "option", "setting", "description", "help", "message",
     "error", "kind", "scheme", "alg", "algorithm"}
)  # fmt: skip
_PLACEHOLDER_PARTS = (
    "example", "changeme", "change_me", "change-me", "placeholder", "dummy", "your", "xxx",
    "***", "...", "fake", "sample", "redacted", "todo", "insert", "replace", "test",
    "password", "passwd", "secret", "token", "${", "{{", "%(", "%s", "<", ">", "os.environ",
    "getenv", "env(", "0000", "1234", "abcd",
)  # fmt: skip


class Secret(NamedTuple):
    kind: str
    value: str  # what the fingerprint is made of
    shown: str  # a masked form for the report
    line: int


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    import math
    from collections import Counter

    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values()) if n else 0.0


def _classes(text: str) -> int:
    return (
        any(c.islower() for c in text)
        + any(c.isupper() for c in text)
        + any(c.isdigit() for c in text)
        + any(not c.isalnum() for c in text)
    )


def placeholder(value: str) -> bool:
    """Obvious stand-ins: "changeme", "xxx…", "${VAR}", "<token>", repeated characters."""
    low = value.lower()
    return len(set(value)) <= 3 or any(p in low for p in _PLACEHOLDER_PARTS)


def secret_name(name: str) -> bool:
    """Whether an assigned name says it holds a secret (`db_password`, `apiKey`, `TOKEN`),
    and not something about one (`token_url`, `password_field`)."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    words = [w for w in re.split(r"[_.\-]+", snake) if w]
    if not words or words[-1] in _NOT_SECRET_TAIL:
        return False
    if any(w in ("pwd", "pw") for w in words):
        return True
    joined = "".join(words)
    if any(k in joined for k in ("apikey", "accesskey", "privatekey", "authkey", "signingkey")):
        return True
    return any(w.endswith(_SECRET_WORDS) or w.startswith(_SECRET_WORDS) for w in words)


def literal_looks_secret(value: str) -> bool:
    """A literal worth reporting: long, no spaces, mixed, random-looking, not a stand-in,
    not a path, URL or identifier."""
    if len(value) < 12 or any(c.isspace() for c in value) or placeholder(value):
        return False
    if value.startswith(("/", "./", "~", "http:", "https:")) or "://" in value:
        return False
    if re.fullmatch(r"[a-z_][a-z0-9_.:\-]*|[A-Z_][A-Z0-9_]*", value):
        return False  # an identifier, a dotted name, a constant's name
    classes = _classes(value)
    has_digit = any(c.isdigit() for c in value)
    return entropy(value) >= 3.0 and classes >= 2 and (has_digit or classes >= 3)


def _url_password_placeholder(user: str, password: str, host: str) -> bool:
    from urllib.parse import unquote

    pw = unquote(password)
    low = pw.lower()
    host = host.lower()
    if pw == unquote(user) or len(set(pw)) <= 2 or pw.startswith(("$", "%", "{", "<", "*")):
        return True
    if host.endswith(("example.com", "example.org", "example.net", ".example", ".invalid")):
        return True
    # "user:pass@host", "foo:bar@host": how documentation and tests spell a URL.
    if any(word in low for word in ("pass", "foo", "bar", "baz", "qux")):
        return True
    return low in ("pw", "p", "pwd") or any(p in low for p in _PLACEHOLDER_PARTS)


def _mask(kind: str, value: str) -> str:
    if kind in ("private key", "password in a URL"):
        return f"{len(value)} characters"
    return f"{value[:4]}…, {len(value)} characters"


def find_secrets(text: str, numbers: list[int], bare: bool, shapes_only: bool) -> list[Secret]:
    """Secrets in `text` (added lines joined by newlines; `numbers[i]` is the file line of
    the text's line i). `bare` allows unquoted values (config files); `shapes_only` keeps
    to the specific shapes (keys, tokens, URLs), without password-literal guessing.
    The caller has seen a sign of a secret in `text` (only such text meets the patterns)."""

    def line_at(pos: int) -> int:
        return numbers[text.count("\n", 0, pos)]

    out: list[Secret] = []
    seen: set[tuple[int, str]] = set()

    def add(kind: str, value: str, shown: str, pos: int) -> None:
        line = line_at(pos)
        if kind == "private key":
            if (line, kind) in seen:
                return  # one block, one finding
            seen.add((line, kind))
        if (line, value) not in seen:
            seen.add((line, value))
            out.append(Secret(kind, value, shown, line))

    def lines_with(needles: tuple[str, ...], haystack: str) -> list[tuple[int, int]]:
        """(start, end) of every line of `text` where `haystack` holds a needle."""
        found = set()
        for needle in needles:
            i = haystack.find(needle)
            while i >= 0:
                end = text.find("\n", i)
                end = len(text) if end < 0 else end
                found.add((text.rfind("\n", 0, i) + 1, end))
                i = haystack.find(needle, end)
        return sorted(found)

    for pattern in SHAPES:
        if pattern.gates:
            where = lines_with(pattern.gates, text)
        else:
            where = [(0, len(text))] if "PRIVATE KEY" in text else []
        for m in (m for start, end in where for m in pattern.regex.finditer(text, start, end)):
            if pattern.kind == "password in a URL":
                user, password, host = m.group(1), m.group(2), m.group(3)
                if not _url_password_placeholder(user, password, host):
                    scheme = m.group(0).split("://", 1)[0]
                    add(pattern.kind, password, f"{scheme}://{user}:****@{host}", m.start())
                continue
            value = m.group(1)
            if pattern.kind == "private key":
                # The block's base64, whatever wraps it: line breaks, quotes, `\n` escapes.
                value = _PEM_NOISE.sub("", value.replace("\\n", "\n"))
                if len(value) < 40:
                    continue
            if _shape_placeholder(pattern.kind, value):
                continue
            add(pattern.kind, value, _mask(pattern.kind, value), m.start())
    if shapes_only:
        return out
    reported = {(s.line, s.value) for s in out}
    regexes = (_ASSIGNED, _BARE) if bare else (_ASSIGNED,)
    # A password literal sits on a line that names one: only those lines meet the patterns.
    named = lines_with(_NAME_SIGNS, text.lower())
    # A quoted literal needs a quote on its line: the other named lines skip _ASSIGNED.
    quoted = [(s, e) for s, e in named if _has_quote(text, s, e)]
    for regex in regexes:
        spans = quoted if regex is _ASSIGNED else named
        for m in (m for start, end in spans for m in regex.finditer(text, start, end)):
            name, value = m.group("name"), m.group("value")
            if not secret_name(name) or not literal_looks_secret(value):
                continue
            line = line_at(m.start("value"))
            if any(v in value or value in v for ln, v in reported if ln == line):
                continue
            add(
                "password or token literal",
                value,
                f"`{name}` = {len(value)} characters",
                m.start("value"),
            )
    return out


def _has_quote(text: str, start: int, end: int) -> bool:
    return (
        text.find('"', start, end) >= 0
        or text.find("'", start, end) >= 0
        or (text.find("`", start, end) >= 0)
    )


def _shape_placeholder(kind: str, value: str) -> bool:
    body = value.split("_", 1)[-1] if kind == "GitHub token" else value
    if kind == "AWS access key":
        return value.endswith("EXAMPLE") or entropy(value[4:]) < 2.5
    if kind == "private key":
        return entropy(value) < 3.0
    if kind == "OpenAI-style API key":
        rest = value[3:]
        return _classes(rest) < 3 or entropy(rest) < 3.5 or placeholder(rest)
    if kind == "Slack token":
        return sum(c.isdigit() for c in value) < 6 or placeholder(value[5:])
    if kind == "JSON Web Token":
        return not _jwt_header(value.split(".", 1)[0])
    return entropy(body) < 3.0 or placeholder(body)


def _jwt_header(segment: str) -> bool:
    import base64

    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except ValueError:
        return False
    return b'"alg"' in raw or b'"typ"' in raw


def fingerprint(path: str, value: str) -> str:
    import hashlib

    return hashlib.sha256(f"TG604\0{path}\0{value}".encode()).hexdigest()[:16]


def _added_text(change: Change, fc: FileChange, after: str) -> tuple[str, list[int]]:
    if before_path(fc) is None:
        return after, list(range(1, after.count("\n") + 2))
    lines = line_delta(change, fc).lines
    return "\n".join(text for _, text in lines), [n for n, _ in lines]


TG604 = rule(
    id="TG604",
    name="secrets",
    stages=PRE_COMMIT_CHECK_CI,
    summary="a secret in the change",
    what=(
        "Private keys, cloud keys, tokens, JWTs, URLs with passwords and high-entropy "
        "password/secret/token literals in added lines."
    ),
    why="A secret in git history is a leaked secret.",
    example='AWS_KEY = "AKIA................"',
    fix=(
        "Read it from the environment; rotate the leaked one. False positive: the lead adds "
        "its fingerprint to [secrets] allow."
    ),
)


@check(TG604)
def secrets_added(change: Change, policy: Policy) -> Iterable[Finding]:
    """Secrets in added lines of any text file (everyone)."""
    return list(secret_findings(change, policy))


def secret_findings(change: Change, policy: Policy) -> Iterator[Finding]:
    """TG604 over every added or modified text file of the change."""
    candidates: list[tuple[str, Secret]] = []
    limit = policy.integrity.max_file_bytes
    hints = {id(fc): line_hint(change, fc) for fc in change.files}
    prefetch(change, [fc for fc in change.files if hints[id(fc)] is None], "after")
    # Only a file showing a sign of a secret needs its added lines worked out: a sign in
    # git's added lines when the change has them (the file is not read otherwise), else
    # a sign anywhere in the file.
    signed = [
        fc
        for fc in change.files
        if (
            has_sign(hint.added_text)
            if (hint := hints[id(fc)]) is not None
            else 0 < len(raw := side_bytes(change, fc, "after")) <= limit and has_sign_bytes(raw)
        )
    ]
    prefetch(change, signed, "after")
    prefetch(change, signed, "before")
    for fc in signed:
        path = after_path(fc) or ""
        if not 0 < len(side_bytes(change, fc, "after")) <= limit:
            continue  # too large to scan (TG605 reports it) or empty
        after = side_text(change, fc, "after")
        if after is None:
            continue
        text, numbers = _added_text(change, fc, after)
        if before_path(fc) is not None and not has_sign(text):
            continue  # the sign was elsewhere in the file (a new file's text is all added)
        name = basename(path)
        bare = name.startswith(".env") or name.endswith(_BARE_SUFFIXES)
        # Lock files hold hashes, prose holds examples: there only the specific shapes count.
        shapes_only = name in _LOCKFILES or name.endswith(_PROSE_SUFFIXES)
        for secret in find_secrets(text, numbers, bare, shapes_only):
            candidates.append((path, secret))
    if not candidates:
        return
    # A secret the change only moves or re-indents was in history already: not new here.
    before_texts = [t for fc in change.files if (t := side_text(change, fc, "before"))]
    after_texts = [t for fc in change.files if (t := side_text(change, fc, "after"))]
    for path, secret in candidates:
        had = sum(t.count(secret.value) for t in before_texts)
        if had and had >= sum(t.count(secret.value) for t in after_texts):
            continue
        fp = fingerprint(path, secret.value)
        if fp in policy.integrity.secrets_allow:
            continue
        yield Finding(
            "TG604",
            f"adds {_article(secret.kind)} {secret.kind} ({secret.shown})",
            path=path,
            line=secret.line,
            hint=f"fingerprint {fp}. Read it from the environment or a secret store and "
            "rotate it. Not a secret? The lead adds the fingerprint to [secrets] allow "
            "in the policy.",
        )


def _article(kind: str) -> str:
    """'an AWS access key', 'an OpenAI-style API key', 'a GitHub token'."""
    return "an" if kind[:1].lower() in "aeio" else "a"
