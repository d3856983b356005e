"""TG404's line scanner against the whole-file `ast` walk it replaced (the oracle in
tests/support/tg404_oracle.py): the same findings (line, name, missing parameters and
return, hence the same message) on every standard-library file that parses, and on
hand-written hostile sources."""

from __future__ import annotations

import functools
import os
import sysconfig
from pathlib import Path

import pytest

from taskgate.change import Change, EmptySide, FileChange, PlainSide, Stage
from taskgate.git import Entry
from taskgate.policy import Policy
from taskgate.rules.python import annotation_message, check_annotations
from taskgate.rules.signatures import unannotated
from taskgate.workflow.structure import Module, Structure
from tests.support.tg404_oracle import old_tg404, parses

STDLIB = Path(sysconfig.get_paths()["stdlib"])
CHUNKS = 8


def new_tg404(text: str) -> list[tuple[int, str]]:
    return sorted((f.line, annotation_message(f.name, f.missing)) for f in unannotated(text))


@functools.cache
def _stdlib_files() -> list[Path]:
    """Every .py file of the standard library, listed once per process (a walk that skips
    site-packages: `rglob` went through it, ~0.9 s for each of the chunks)."""
    found = []
    for folder, dirs, names in os.walk(STDLIB):
        dirs[:] = [d for d in dirs if d not in ("site-packages", "__pycache__")]
        found.extend(Path(folder, n) for n in names if n.endswith(".py"))
    return sorted(found)


@pytest.mark.slow  # every standard-library file, parsed twice
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_same_findings_as_ast_on_the_standard_library(chunk: int) -> None:
    files = _stdlib_files()[chunk::CHUNKS]
    assert len(files) > 100
    differing = []
    judged = 0
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        expected = old_tg404(text)
        if expected is None:
            unannotated(text)  # judged signature by signature: it must not crash
            continue
        judged += 1
        if new_tg404(text) != expected:
            differing.append(str(path))
    assert differing == []
    assert judged > 0.95 * len(files)


HOSTILE = {
    "defs in strings": (
        'DOC = """\ndef not_a_function(x):\n    pass\nclass NotAClass:\n    def m(x): ...\n"""\n'
        "S = 'def f(x):'\nT = r'''\n  def g(y): pass'''\n"
        "def real(x):\n    '''\n    def fake(z): ...\n    '''\n"
    ),
    "defs in comments": "# def commented(x):\n#   class C:\ndef f(x):  # def g(y):\n    pass\n",
    "nested functions and classes": (
        "class A:\n    def m(self, x):\n        def inner(self, y):\n            class B:\n"
        "                def bm(self, z): ...\n            return B\n        return inner\n"
        "    class C:\n        def cm(cls, q): ...\n    def after(self): ...\n"
        "def top(self): ...\n"
    ),
    "lambdas": (
        "f = lambda x: x\nclass A:\n    g = lambda self, y: y\n"
        "    def m(self, key=lambda a, b: (a, b), *, k=lambda: 0): ...\n"
        "def h(x=lambda: 1, y=lambda q, r=2: q) -> None: ...\n"
    ),
    "stars and slashes": (
        "def a(*args, **kwargs): ...\ndef b(x, /, y, *, z): ...\ndef c(x, /): ...\n"
        "def d(*, k: int = 1, j) -> None: ...\ndef e(*args: int, **kw: str) -> int: ...\n"
        "class K:\n    def m(self, /, x): ...\n    def n(*args): ...\n    def o(**kw): ...\n"
        "    def p(*, self): ...\n    def q(x, self): ...\n    def r(self, * args, ** kw): ...\n"
    ),
    "defaults with brackets, colons and arrows": (
        "def f(a={'k': (1, 2)}, b=[x for x in 'ab'], c=(lambda: 0), d='->:', e=\"(\") : ...\n"
        "def g(a: dict[str, int] = {}, b: 'A:B' = None, c=f(1, 2)[0]) -> dict[str, int]: ...\n"
        "def h(a=1 if x else 2, b=x[1:2], c={1: 2}[1], d=(y := 3)) -> None: ...\n"
        "def i(a='\\'', b=\"\\\"\", c=b'\\x00', d=rb'\\\\', e=f'{1:>{2}}'): ...\n"
    ),
    "decorators over several lines": (
        "class A:\n    @decorator(\n        'x',\n        key=staticmethod,\n    )\n"
        "    def m(self, x): ...\n    @staticmethod\n    def s(self, x): ...\n"
        "    @some.staticmethod\n    def t(self): ...\n    @staticmethod()\n    def u(self): ...\n"
        "    @(staticmethod)\n    def v(self): ...\n    @staticmethod  # why\n\n    # more\n"
        "    @other\n    def w(self): ...\n    @x[staticmethod]\n    def y(self): ...\n"
        "    @staticmethod.__func__\n    def z(self): ...\n"
        "    x = staticmethod(len)\n    def after(self, q): ...\n"
    ),
    "async defs": (
        "async def a(x): ...\nclass A:\n    async def m(self, y): ...\n"
        "    async  def n(self) -> None: ...\n"
        "async \\\ndef b(z): ...\n"
    ),
    "methods with self and cls": (
        "class A:\n    def a(self): ...\n    @classmethod\n    def b(cls, x): ...\n"
        "    def c(this): ...\n    def d(cls): ...\n    if True:\n        def e(self, y): ...\n"
        "    try:\n        def f(self): ...\n    except E:\n        def g(self): ...\n"
        "    else:\n        def h(self): ...\n    finally:\n        def i(self): ...\n"
        "    with x:\n        for y in z:\n            while w:\n                def j(self): ...\n"
        "    match v:\n        case 1:\n            def k(self): ...\n"
    ),
    "overloads": (
        "from typing import overload\nclass A:\n"
        "    @overload\n    def f(self, x: int) -> int: ...\n"
        "    @overload\n    def f(self, x: str) -> str: ...\n    def f(self, x): return x\n"
    ),
    "signatures split over lines with comments": (
        "def f(\n    a,  # the first\n    b: int,  # (the second\n    *,\n    c=(1,\n       2),\n"
        ") -> None:  # done\n    pass\nclass A:\n    def g(\n        self,\n        x\n    ):\n"
        "        pass\n    def h(self, x,\n          y) \\\n        -> int:\n        pass\n"
        "    def i(self, x\n          ): pass\n"
        "def \\\n  j(x): ...\n"
    ),
    "tabs": (
        "class A:\n\tdef m(self, x):\n\t\tpass\n\tdef n(self): pass\n"
        "class B:\n  \tdef o(self, y): ...\n  \tdef p(self): ...\n"
        "def f(\tx\t,\ty):\n\tpass\n"
    ),
    "unicode names": (
        "def ﬁle(ℌ, ｓｅｌｆ): ...\nclass Ä:\n    def métode(self, ñ): ...\n"
        "    def ｓｅｌｆish(ｓｅｌｆ, x): ...\ndef 函数(参数): ...\n"
    ),
    "CRLF": "class A:\r\n    def m(self, x):\r\n        pass\r\ndef f(y):\r\n    return y\r\n",
    "lone CR and form feeds": (
        "class A:\r    def m(self, x): pass\r\x0c\rdef f(y): pass\r"
        "class B:\n\x0c    def g(self, z): ...\n  \x0c    def h(self): ...\n"
    ),
    "dedented continuation lines": (
        "class A:\n    X = [\n1,\n2]\n    Y = '''\nnot a dedent\n'''\n    Z = 1 + \\\n2\n"
        "    def m(self, x): ...\n    def n(self): return (\n1)\n    def o(self): ...\n"
        "class B:\n    pass\nV = 1\ndef f(self): ...\n"
    ),
    "classes closed by statements": (
        "class A:\n    def m(self): ...\nif x:\n    def f(self): ...\nclass B:\n    if y:\n"
        "        pass\n    def n(self): ...\n  # an odd comment\n    def o(self): ...\n"
    ),
    "one-line bodies and semicolons": (
        "class A: pass\ndef f(x): return x; y = 1\nclass B:\n    def g(self): pass; z = 2\n"
        "    x = 1; y = 2\n    def h(self, q): pass\n"
    ),
    "strings that look like code": (
        "x = '\"\"\"'\ndef f(a): ...\ny = \"'''\"  # '''\ndef g(b): ...\n"
        "z = 'abc\\\ndef fake(q): ...'\ndef h(c): ...\n"
        "w = '''a\\''' still''' + \"\"\"b\\\"\" \"\"\"\ndef i(d): ...\n"
        "v = '#'; def_ = 1\ndef j(e): ...\n"
    ),
    "keyword-like names": (
        "undef = 1\ndefault = 2\nclassic = 3\nclass_ = 4\nx.define(1)\ndef define(x): ...\n"
        "def class_(x): ...\ndef _def(x): ...\n"
    ),
    "type comments and ellipsis defaults": (
        "def f(a, b):\n    # type: (int, int) -> int\n    return a\n"
        "def g(a=..., b=-1.5e3, c=0x1F) -> None: ...\n"
    ),
    "empty and trailing commas": (
        "def f(): ...\ndef g(a,): ...\ndef h(*, a,): ...\ndef i(\n): ...\n"
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_same_findings_as_ast_on_hostile_sources(name: str) -> None:
    text = HOSTILE[name]
    assert parses(text), f"the case {name!r} must be valid Python"
    expected = old_tg404(text)
    assert expected, f"the case {name!r} must have findings"
    assert new_tg404(text) == expected


def test_hostile_cases_are_judged_as_ast_judges_them() -> None:
    """A few expectations spelled out, so the oracle itself is checked too."""
    found = dict(new_tg404(HOSTILE["defs in strings"]))
    assert list(found) == [10]
    nested = [
        words.split("`")[1] for _, words in new_tg404(HOSTILE["nested functions and classes"])
    ]
    assert nested == ["m", "inner", "bm", "cm", "after", "top"]
    assert "parameters self, y" in dict(new_tg404(HOSTILE["nested functions and classes"]))[3]
    decorated = dict(new_tg404(HOSTILE["decorators over several lines"]))
    assert "parameters self, x" in decorated[8]  # @staticmethod: self is a parameter
    assert "parameter self" in decorated[10]  # @some.staticmethod
    assert "parameter self" not in decorated[12]  # @staticmethod(): a call, not the name


def test_a_file_python_refuses_is_not_judged() -> None:
    text = "def f(x): ...\n\0\n"
    assert old_tg404(text) is None
    assert unannotated(text) == []


def test_a_byte_order_mark_hides_nothing() -> None:
    """Python drops a UTF-8 BOM and runs the file (issue 14: it was a way past TG404)."""
    text = "def f(x): ...\n"
    assert unannotated("\ufeff" + text) == unannotated(text) != []
    assert [(f.line, f.name) for f in unannotated("\ufeff" + text)] == [(1, "f")]


def test_a_file_that_does_not_parse_is_judged_signature_by_signature() -> None:
    """The whole-file walk judged nothing in it; the scanner judges what it can read."""
    text = "def ok(x): ...\ndef broken(:\n    pass\n"
    assert old_tg404(text) is None
    assert [(f.line, f.name) for f in unannotated(text)] == [(1, "ok")]


STRUCTURE = Structure({"python": Module("python", "services/api", "python-coder", "python")})
PATH = "services/api/app/m.py"


class _Side(PlainSide):
    """A side held in memory."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read(self, path: str) -> bytes | None:
        text = self.files.get(path)
        return None if text is None else text.encode()

    def exists(self, paths: object) -> set[str]:
        return set()


def _edit(before: str, after: str) -> list[tuple[str, str | None, int | None]]:
    oid = "0" * 39 + "1"
    fc = FileChange("M", PATH, PATH, Entry(PATH, "100644", oid), Entry(PATH, "100644", "2" * 40))
    change = Change(
        files=(fc,),
        before=_Side({PATH: before}),
        after=_Side({PATH: after, "services/api/pyproject.toml": "[project]\n"}),
        stage=Stage.PRE_COMMIT,
        structure=STRUCTURE,
    )
    return [(f.rule, f.path, f.line) for f in check_annotations(change, Policy())]


OLD = (
    "def a(x):\n    return x\n\n\n"
    "class K:\n    def b(self, y):\n        return y\n\n"
    "    @property\n    def c(self):\n        return 1\n\n\n"
    "def d(z):\n    return z\n"
)


def test_an_edit_judges_only_the_functions_it_touches() -> None:
    assert _edit(OLD, OLD) == []
    body = OLD.replace("        return y\n", "        return y + 1\n")
    assert _edit(OLD, body) == [("TG404", PATH, 6)]
    signature = OLD.replace("def d(z):", "def d(z, w):")
    assert _edit(OLD, signature) == [("TG404", PATH, 14)]
    decorator = OLD.replace("    @property\n", "    @property\n    @cached\n")
    assert _edit(OLD, decorator) == [("TG404", PATH, 11)]


def test_an_edit_between_functions_or_adding_one_judges_no_other() -> None:
    between = OLD.replace("\n\nclass K:", "\nVALUE = 1\n\nclass K:")
    assert _edit(OLD, between) == []
    added = OLD + "\n\ndef e(q):\n    return q\n"
    assert _edit(OLD, added) == [("TG404", PATH, 18)]
    nested = OLD.replace("    return x\n", "    def inner(v):\n        return v\n    return x\n")
    assert _edit(OLD, nested) == [("TG404", PATH, 1), ("TG404", PATH, 2)]


def test_a_new_file_is_judged_whole() -> None:
    fc = FileChange("A", PATH, PATH, None, Entry(PATH, "100644", "2" * 40))
    change = Change(
        files=(fc,),
        before=EmptySide(),
        after=_Side({PATH: OLD, "services/api/pyproject.toml": "[project]\n"}),
        stage=Stage.PRE_COMMIT,
        structure=STRUCTURE,
    )
    found = [(f.rule, f.path, f.line) for f in check_annotations(change, Policy())]
    assert found == [
        ("TG404", PATH, 1),
        ("TG404", PATH, 6),
        ("TG404", PATH, 10),
        ("TG404", PATH, 14),
    ]
