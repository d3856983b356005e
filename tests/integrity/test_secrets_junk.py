"""TG604 (secrets) and TG605 (junk) on in-memory changes.

The fake secrets are assembled at run time, so this file holds none a scanner
(taskgate's own TG604 included) would find.
"""

from __future__ import annotations

import base64
import string

import pytest

from taskgate.rules.junk import junk_added
from taskgate.rules.secrets import entropy, fingerprint, secrets_added
from tests.support.fakes import fake
from tests.support.memory import LEAD, make_change, policy, run

CFG = "services/api/app/config.py"
PRE = "import os\n\n"


def jwt() -> str:
    def seg(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return ".".join([seg(b'{"alg":"HS256","typ":"JWT"}'), seg(b'{"sub":"1234567890"}'), fake(43)])


SECRETS = {
    "AWS access key": lambda: (
        f'KEY_ID = "{"AK" + "IA" + fake(16, string.ascii_uppercase + string.digits)}"'
    ),
    "GitHub token": lambda: f'GH = "{"gh" + "p_" + fake(36)}"',
    "GitHub fine-grained token": lambda: (
        f'GH = "{"github" + "_pat_" + fake(82, string.ascii_letters + string.digits + "_")}"'
    ),
    "GitLab token": lambda: f'GL = "{"glp" + "at-" + fake(20)}"',
    "Slack token": lambda: f'SLACK = "{"xo" + "xb-" + "2847561930-" + fake(24)}"',
    "OpenAI-style API key": lambda: f'OPENAI = "{"s" + "k-proj-" + fake(48)}"',
    "JSON Web Token": lambda: f'AUTH = "{jwt()}"',
    "password in a URL": lambda: f'DB = "postgres://app:{fake(16)}@db.internal:5432/app"',
    "password assignment": lambda: (
        f'db_password = "{fake(18, string.ascii_letters + string.digits + "#$%")}"'
    ),
    "camelCase key": lambda: f'    apiKey: "{fake(32)}",',
    "annotated": lambda: f'SECRET_KEY: str = "{fake(40)}"',
    "dict entry": lambda: f'settings = {{"client_secret": "{fake(24)}"}}',
}


@pytest.mark.parametrize("kind", list(SECRETS))
def test_secret_in_an_added_line(kind: str) -> None:
    line = SECRETS[kind]()
    change = make_change({}, {CFG: PRE + line + "\n"})
    found = list(secrets_added(change, policy()))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG604", CFG, 3)]
    longest = max(line.replace("@", '"').replace(":", '"').split('"'), key=len)
    assert longest not in found[0].message  # the secret is never printed in full
    assert found[0].hint is not None
    assert "fingerprint" in found[0].hint


def test_private_key_block() -> None:
    body = "\n".join(
        fake(64, string.ascii_letters + string.digits + "+/", seed=s) for s in range(5)
    )
    pem = "-----BEGIN " + "RSA PRIVATE KEY-----\n" + body + "\n-----END " + "RSA PRIVATE KEY-----\n"
    path = "deploy/server.key"
    assert run(secrets_added, make_change({}, {path: pem})) == [("TG604", path, 1)]


def test_private_key_in_a_python_string() -> None:
    body = fake(64, string.ascii_letters + string.digits + "+/")
    code = 'KEY = "-----BEGIN ' + "PRIVATE KEY-----\\n" + body + '\\n-----END PRIVATE KEY-----"\n'
    assert run(secrets_added, make_change({}, {CFG: PRE + code})) == [("TG604", CFG, 3)]


def test_unquoted_value_in_a_config_file() -> None:
    path = "services/api/settings.ini"
    text = f"[auth]\nuser = api\napi_key = {fake(30)}\n"
    assert run(secrets_added, make_change({}, {path: text})) == [("TG604", path, 3)]


def test_unquoted_value_in_an_env_file() -> None:
    path = "services/api/.env.production"
    text = f"DEBUG=0\nexport STRIPE_SECRET={fake(30)}\n"
    assert run(secrets_added, make_change({}, {path: text})) == [("TG604", path, 2)]


@pytest.mark.parametrize(
    "line",
    [
        'password = "changeme-please"',
        'password = "${DB_PASSWORD}"',
        'token = os.environ["API_TOKEN"]',
        'API_KEY = os.getenv("API_KEY", "")',
        'API_KEY = "your-api-key-here"',
        'secret = "aaaaaaaaaaaaaaaaaaaa"',
        'password = "correct horse battery staple"',
        'token_url = "https://auth.example.com/oauth/token/v2"',
        'password_field = "Xk9mP2vL7qR4wZ"',
        'KEY = "AK" + "IA"',
        'ACCESS = "' + "AKIA" + 'IOSFODNN7EXAMPLE"',
        'DB = "postgres://user:password@localhost/db"',
        'DB = "http://user:pass@host.example.com/x"',
        'URL = "redis://foo:bar@somehost:6379/0"',
        'DB = "postgres://app:app@localhost/app"',
        'MARK = "-----BEGIN ' + 'RSA PRIVATE KEY-----"',
        'model = "sk-learn-linear-regression-model"',
        'TOKEN_NAME = "refresh_token_expired"',
        'password = "<your password>"',
        'password = "%(password)s-template"',
        "token = get_token()",
    ],
)
def test_near_misses(line: str) -> None:
    assert run(secrets_added, make_change({}, {CFG: PRE + line + "\n"})) == []


def test_secret_already_in_history_is_not_reported_again() -> None:
    line = SECRETS["GitHub token"]()
    before = PRE + line + "\n"
    after = before + "\n\ndef f() -> int:\n    return 1\n"
    assert run(secrets_added, make_change({CFG: before}, {CFG: after})) == []


def test_reindented_or_moved_secret_is_not_new() -> None:
    line = SECRETS["password assignment"]()
    other = "services/api/app/settings.py"
    before = {CFG: PRE + line + "\n"}
    assert (
        run(secrets_added, make_change(before, {CFG: PRE + "if True:\n    " + line + "\n"})) == []
    )
    assert run(secrets_added, make_change(before, {CFG: PRE, other: line + "\n"})) == []


def test_copying_a_secret_to_a_second_place_is_new() -> None:
    line = SECRETS["GitHub token"]()
    other = "services/api/app/settings.py"
    change = make_change({CFG: PRE + line + "\n"}, {CFG: PRE + line + "\n", other: line + "\n"})
    assert run(secrets_added, change) == [("TG604", other, 1)]


def test_binary_files_are_skipped() -> None:
    data = b"\x00\x01" + SECRETS["GitHub token"]().encode()
    assert run(secrets_added, make_change({}, {"services/api/blob.bin": data})) == []


def test_files_over_the_size_limit_are_left_to_tg605() -> None:
    text = PRE + SECRETS["GitHub token"]() + "\n" + "#" * 200 + "\n"
    assert run(secrets_added, make_change({}, {CFG: text}), policy(max_file_bytes=100)) == []


def test_fingerprint_allow_list() -> None:
    token = "gh" + "p_" + fake(36)
    change = make_change({}, {CFG: f'{PRE}GH = "{token}"\n'})
    (finding,) = secrets_added(change, policy())
    fp = fingerprint(CFG, token)
    assert finding.hint is not None
    assert fp in finding.hint
    assert run(secrets_added, change, policy(allow=[fp])) == []
    # The same secret elsewhere has another fingerprint: an allowance is per place.
    other = make_change({}, {"services/api/other.py": f'GH = "{token}"\n'})
    assert run(secrets_added, other, policy(allow=[fp])) == [("TG604", "services/api/other.py", 1)]


def test_an_inline_comment_does_not_silence_it() -> None:
    line = SECRETS["GitHub token"]() + "  # noqa  # taskgate: allow  # nosec"
    assert run(secrets_added, make_change({}, {CFG: PRE + line + "\n"})) == [("TG604", CFG, 3)]


@pytest.mark.parametrize("actor", [LEAD, None])
def test_applies_to_everyone(actor: object) -> None:
    change = make_change({}, {CFG: PRE + SECRETS["Slack token"]() + "\n"}, actor=actor)  # type: ignore[arg-type]
    assert run(secrets_added, change) == [("TG604", CFG, 3)]


def test_only_added_lines_of_a_modified_file_are_scanned() -> None:
    before = PRE + "X = 1\n" * 50
    after = before + SECRETS["AWS access key"]() + "\n"
    assert run(secrets_added, make_change({CFG: before}, {CFG: after})) == [("TG604", CFG, 53)]


def test_entropy() -> None:
    assert entropy("aaaa") == 0
    assert entropy("abcd") == 2
    assert entropy(fake(40)) > 4


# --- TG605 ---------------------------------------------------------------------------


def test_virtual_environment_is_one_finding() -> None:
    files = {
        f"services/api/.venv/lib/python3.11/site-packages/m{i}.py": "x = 1\n" for i in range(30)
    }
    found = list(junk_added(make_change({}, files), policy()))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG605", "services/api/.venv", None)]
    assert "30 files" in found[0].message


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("web/node_modules/left-pad/index.js", "web/node_modules"),
        ("services/api/app/__pycache__/main.cpython-311.pyc", "services/api/app/__pycache__"),
        ("services/api/venv/bin/python", "services/api/venv"),
        ("services/api/.mypy_cache/3.11/x.json", "services/api/.mypy_cache"),
        ("services/api/app/main.pyc", "services/api/app/main.pyc"),
        ("services/api/.env", "services/api/.env"),
        (".env.local", ".env.local"),
        ("web/.DS_Store", "web/.DS_Store"),
        ("services/api/app/.main.py.swp", "services/api/app/.main.py.swp"),
        ("services/api/app/.main.py.swo", "services/api/app/.main.py.swo"),
        ("services/api/app/main.py~", "services/api/app/main.py~"),
        ("services/api/app/.#main.py", "services/api/app/.#main.py"),
    ],
)
def test_junk_paths(path: str, where: str) -> None:
    assert run(junk_added, make_change({}, {path: "x\n"})) == [("TG605", where, None)]


@pytest.mark.parametrize(
    "path",
    [
        "services/api/.env.example",
        "services/api/.env.sample",
        "services/api/.env.template",
        "Lib/venv/__init__.py",
        "services/api/app/environment.py",
        "docs/node_modules.md",
        "services/api/app/main.py",
    ],
)
def test_not_junk(path: str) -> None:
    assert run(junk_added, make_change({}, {path: "x = 1\n"})) == []


def test_junk_tracked_before_is_not_reported_on_each_edit() -> None:
    path = "services/api/.env"
    assert run(junk_added, make_change({path: "A=1\n"}, {path: "A=2\n"})) == []


def test_file_over_the_size_limit() -> None:
    path = "services/api/data/dump.sql"
    found = list(junk_added(make_change({}, {path: "x" * 2000}), policy(max_file_bytes=1000)))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG605", path, None)]
    assert "2.0 KiB, over the limit of 1000 bytes" in found[0].message


def test_file_growing_over_the_limit_is_reported_and_one_already_over_is_not() -> None:
    path = "services/api/data/dump.sql"
    grow = make_change({path: "x" * 10}, {path: "x" * 2000})
    assert run(junk_added, grow, policy(max_file_bytes=1000)) == [("TG605", path, None)]
    stay = make_change({path: "x" * 1500}, {path: "x" * 2000})
    assert run(junk_added, stay, policy(max_file_bytes=1000)) == []


def test_default_limit_is_one_mebibyte() -> None:
    path = "services/api/data/blob.bin"
    assert run(junk_added, make_change({}, {path: b"\0" * (1 << 20)})) == []
    assert run(junk_added, make_change({}, {path: b"\0" * ((1 << 20) + 1)})) == [
        ("TG605", path, None)
    ]


def test_junk_applies_to_the_lead_too() -> None:
    change = make_change({}, {"services/api/.env": "A=1\n"}, actor=LEAD)
    assert run(junk_added, change) == [("TG605", "services/api/.env", None)]


def test_deleting_junk_is_welcome() -> None:
    assert run(junk_added, make_change({"services/api/.env": "A=1\n"}, {})) == []


def test_prose_keeps_to_the_specific_shapes() -> None:
    path = "docs/config.md"
    example = f"Set it like this:\n\n    SECRET_KEY = '{fake(32, '0123456789abcdef')}'\n"
    assert run(secrets_added, make_change({}, {path: example})) == []
    token = SECRETS["GitHub token"]()
    assert run(secrets_added, make_change({}, {path: example + token + "\n"})) == [
        ("TG604", path, 4)
    ]
