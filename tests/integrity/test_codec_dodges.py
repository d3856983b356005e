"""A Python file is judged as Python reads it: a UTF-8 byte-order mark or a coding
declaration (`# coding: utf-7`, `unicode_escape`) hides nothing from TG404, TG601,
TG602, TG603 or TG604 (issue 14). Each dodge has its honest twin, which passes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from taskgate.rules.python import check_annotations
from taskgate.rules.secrets import secrets_added
from taskgate.rules.suppressions import suppressions_added
from taskgate.rules.testintegrity import deleted_tests, skipped_tests
from tests.support.codecs import TEST, TESTS
from tests.support.codecs import escaped as _escaped
from tests.support.codecs import utf7 as _utf7
from tests.support.memory import make_change, policy

BOM = b"\xef\xbb\xbf"
APP = "services/api/app/calc.py"


def test_the_dodged_sources_are_what_python_runs() -> None:
    code = "def f(x):\n    return x\n"
    for data in (_utf7(code), _escaped(code), BOM + code.encode()):
        namespace: dict[str, object] = {}
        exec(compile(data, "m.py", "exec"), namespace)  # noqa: S102 (our own test source)
        assert callable(namespace["f"])
        assert b"def" not in data or data.startswith(BOM)


@pytest.mark.parametrize("encode", [lambda c: BOM + c.encode(), _utf7, _escaped])
def test_unannotated_function_in_a_recoded_new_file_is_tg404(
    encode: Callable[[str], bytes],
) -> None:
    data = encode("VALUE = 1\n\n\ndef twice(x):\n    return 2 * x\n")
    found = list(check_annotations(make_change({}, {APP: data}), policy()))
    assert [(f.rule, f.path) for f in found] == [("TG404", APP)]
    assert "`twice` is not fully annotated" in found[0].message


def test_annotated_bom_file_passes_tg404() -> None:
    data = BOM + b"VALUE = 1\n\n\ndef twice(x: int) -> int:\n    return 2 * x\n"
    assert list(check_annotations(make_change({}, {APP: data}), policy())) == []


def test_an_edit_to_a_bom_file_is_judged() -> None:
    before = BOM + b"def one() -> int:\n    return 1\n"
    after = before + b"\n\ndef two(x):\n    return x\n"
    found = list(check_annotations(make_change({APP: before}, {APP: after}), policy()))
    assert [(f.rule, f.path, f.line) for f in found] == [("TG404", APP, 5)]


@pytest.mark.parametrize("encode", [_utf7, _escaped])
def test_suppression_hidden_by_a_codec_is_tg603(encode: Callable[[str], bytes]) -> None:
    code = "import os\n\n\ndef home() -> str:\n    return os.getcwd()\n"
    hidden = encode(code.replace("os.getcwd()", "os.getcwd()  # type: ignore"))
    found = list(suppressions_added(make_change({APP: code}, {APP: hidden}), policy()))
    assert [(f.rule, f.path) for f in found] == [("TG603", APP)]
    assert not list(suppressions_added(make_change({APP: code}, {APP: encode(code)}), policy()))


@pytest.mark.parametrize("encode", [_utf7, _escaped])
def test_skip_hidden_by_a_codec_is_tg602(encode: Callable[[str], bytes]) -> None:
    skipped = TESTS.replace("def test_add", "@pytest.mark.skip\ndef test_add")
    found = list(skipped_tests(make_change({TEST: TESTS}, {TEST: encode(skipped)}), policy()))
    assert [(f.rule, f.path) for f in found] == [("TG602", TEST)]
    assert not list(skipped_tests(make_change({TEST: TESTS}, {TEST: encode(TESTS)}), policy()))


def test_test_removed_behind_a_codec_is_tg601() -> None:
    before = TESTS + "\n\ndef test_sub() -> None:\n    assert 2 - 1 == 1\n"
    found = list(deleted_tests(make_change({TEST: before}, {TEST: _utf7(TESTS)}), policy()))
    assert [(f.rule, f.path) for f in found] == [("TG601", TEST)]
    assert not list(deleted_tests(make_change({TEST: before}, {TEST: _utf7(before)}), policy()))


def test_secret_hidden_by_a_codec_is_tg604() -> None:
    key = "AKIA" + "Q3EGRIZ7NVXL2KHW"
    found = list(secrets_added(make_change({}, {APP: _escaped(f'KEY = "{key}"\n')}), policy()))
    assert [(f.rule, f.path) for f in found] == [("TG604", APP)]


def test_a_latin_1_file_is_read_as_latin_1() -> None:
    """The honest use of a declaration: the text is right, and nothing is reported."""
    data = "# -*- coding: latin-1 -*-\nNAME = 'café'\n\n\ndef f() -> str:\n    return NAME\n"
    change = make_change({}, {APP: data.encode("latin-1")})
    assert change.text_after(APP) == data
    assert list(check_annotations(change, policy())) == []
