"""The parameters of one signature: which ones lack an annotation, read as text, or
from `ast` for the few that text would misread (see taskgate.rules.signatures)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ast

_STATIC = re.compile(r"@[ \f]*(?:[^\W\d]\w*[ \f]*\.[ \f]*)*staticmethod[ \f]*(?:#[^\n]*)?\n*")
_AST_LINES = 20  # lines tried for a signature ast alone can read


def plain_missing(params: str, is_method: bool) -> list[str] | None:
    """`missing_names` of a one-line parameter list without brackets or strings; most have
    no annotation, no star and no slash: their names are what is missing."""
    if ":" in params or "*" in params or "/" in params or not params.isascii():
        return missing_names(params.split(","), is_method)
    names = [param.partition("=")[0].strip() for param in params.split(",")]
    if not names[-1]:
        names.pop()  # a trailing comma, or no parameter at all
    if is_method and names and names[0] in ("self", "cls"):
        del names[0]
    return names if all(map(str.isidentifier, names)) else None


def missing_names(params: list[str], is_method: bool) -> list[str] | None:
    """The unannotated parameters, in ast's order (which is the source order); None
    when a parameter is not plain text (the caller asks ast)."""
    missing: list[str] = []
    positional = 0  # index among the positional parameters: `self` must be the first
    keyword_only = False
    last = len(params) - 1
    for i, raw in enumerate(params):
        param = raw.strip(" \f\n")
        if not param:
            if i == last and i > 0:
                continue  # a trailing comma
            if i == 0 and last == 0:
                return missing  # no parameter at all
            return None
        if param == "/":
            continue
        if param == "*":
            keyword_only = True
            continue
        stars = ""
        if param.startswith("**"):
            stars, param = "**", param[2:].lstrip(" \f\n")
        elif param.startswith("*"):
            stars, param = "*", param[1:].lstrip(" \f\n")
        colon = param.find(":")
        equals = param.find("=")
        if colon >= 0 and (equals < 0 or colon < equals):
            name, annotated = param[:colon].rstrip(" \f\n"), True
        elif equals >= 0:
            name, annotated = param[:equals].rstrip(" \f\n"), False
        else:
            name, annotated = param, False
        if not name.isidentifier():
            return None
        if not name.isascii():
            name = nfkc(name)
        if stars:
            keyword_only = True
        else:
            if not keyword_only:
                positional += 1
                if positional == 1 and is_method and name in ("self", "cls"):
                    continue
        if not annotated:
            missing.append(stars + name)
    return missing


def nfkc(name: str) -> str:
    import unicodedata  # only for names beyond ASCII, as Python reads them

    return unicodedata.normalize("NFKC", name)


def is_staticmethod(decorator: str) -> bool:
    """`@staticmethod` or `@x.staticmethod`, as ast sees it (a Name or an Attribute)."""
    if _STATIC.fullmatch(decorator):
        return True
    if "staticmethod" not in decorator:
        return False
    import ast

    try:
        node = ast.parse("(" + decorator[1:] + "\n)", mode="eval").body
    except (SyntaxError, ValueError):
        return False
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
    return name == "staticmethod"


def judge_with_ast(
    text: str, at: int, is_method: bool, stop: int | None = None
) -> tuple[str, tuple[str, ...]] | None:
    """A signature that text alone would misread (a lambda default with several
    parameters, type parameters, a name beyond \\w): the `def` statement alone, up to
    `stop` (after its `:`) when known, else with one more line at a time until it
    parses (None: it never does)."""
    import ast

    if stop is not None:
        snippets = [text[at:stop] + " pass\n"]
    else:
        snippets = []
        end = at
        for _ in range(_AST_LINES):
            end = text.find("\n", end + 1)
            snippet = text[at : end if end >= 0 else len(text)]
            snippets += [snippet + "\n pass\n", snippet]
            if end < 0:
                break
    for source in snippets:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        if tree.body and isinstance(tree.body[0], ast.FunctionDef):
            return from_ast(tree.body[0], is_method)
    return None


def from_ast(fn: ast.FunctionDef, is_method: bool) -> tuple[str, tuple[str, ...]] | None:
    """Name and missing annotations of a parsed function, as TG404 always judged them."""
    args = fn.args
    missing: list[str] = []
    for i, arg in enumerate([*args.posonlyargs, *args.args]):
        if i == 0 and is_method and arg.arg in ("self", "cls"):
            continue
        if arg.annotation is None:
            missing.append(arg.arg)
    if args.vararg is not None and args.vararg.annotation is None:
        missing.append("*" + args.vararg.arg)
    missing += [arg.arg for arg in args.kwonlyargs if arg.annotation is None]
    if args.kwarg is not None and args.kwarg.annotation is None:
        missing.append("**" + args.kwarg.arg)
    if fn.returns is None:
        missing.append("return")
    return (fn.name, tuple(missing)) if missing else None
