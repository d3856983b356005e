"""A header that would pass, built from the parts of the header the user wrote: the
corrected example every commit-message finding (TG101–TG105) carries in its hint."""

from __future__ import annotations

from collections.abc import Sequence

from taskgate.change import Change
from taskgate.message import GIT_SPACE, Header, parse_header
from taskgate.policy import Policy

_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def closest(word: str, choices: Sequence[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.5)
    return close[0] if close else None


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = closest(word, choices)
    return f" (did you mean '{close}'?)" if close else ""


def _example_scope(change: Change) -> str | None:
    """The scope the change itself names (its actor, its one module); None: unknown."""
    if change.actor is not None and change.actor.module is not None:
        return change.actor.module.name
    if change.structure is not None:
        claimed = change.structure.module_for_agent(change.agent_claim or "")
        if claimed is not None:
            return claimed.name
        touched = change.modules_touched()
        if len(touched) == 1:
            return touched[0].name
        return None  # nothing in the change names a module: never pick one at random
    return "scope"


def _valid_scope(scope: str, change: Change) -> bool:
    if change.structure is None:
        # Free text without a module map: anything but parentheses and control characters.
        return bool(scope.strip()) and not any(ch in "()" or ch < " " for ch in scope)
    return scope in change.structure.scopes


# Types never offered as a correction: `revert` has a meaning of its own.
_NEVER_GUESSED = frozenset({"revert"})


def _closest_type(word: str, types: Sequence[str]) -> str | None:
    import difflib

    choices = [t for t in types if t not in _NEVER_GUESSED]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    return close[0] if close else None


def _lower_first_word(description: str) -> str:
    """'Added paging' → 'added paging'; 'T1 …', 'API …', 'README …' keep their case."""
    first = description.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].isalpha() and first[1:].islower():
        return description[0].lower() + description[1:]
    return description


def suggest_header(header: str, change: Change, policy: Policy) -> str | None:
    """A header that would pass, built from the parts of `header` the user wrote.

    None when no such header can be built honestly (an unknown word where the type
    goes, a scope nothing in the change names): a wrong rewrite teaches the wrong thing.
    """
    types = policy.commit.types
    text = header.strip(GIT_SPACE)
    i = 0
    while i < len(text) and text[i] in _LETTERS:
        i += 1
    word = text[:i].lower()
    rest = text[i:]
    # The word stands where the type goes when parentheses, '!' or ':' follow it.
    in_type_position = bool(word) and rest.lstrip(" \t")[:1] in ("(", "!", ":")
    type_: str | None = word if word in types else None
    if type_ is None and word and (in_type_position or len(rest) > 0):
        type_ = _closest_type(word, types)
    if type_ is None and in_type_position:
        return None  # `review(lead): …`: what type was meant is anybody's guess
    scope: str | None = None
    breaking = False
    if type_ is not None:
        j = len(rest) - len(rest.lstrip(" \t"))
        if rest[j : j + 2] == "!(":
            breaking, j = True, j + 1  # '!' before the scope: put it after
        if rest[j : j + 1] == "(":
            close = rest.find(")", j)
            if close < 0:
                stop = min((k for k in (rest.find(":", j), rest.find(" ", j)) if k > 0),
                           default=len(rest))  # fmt: skip
                scope, j = rest[j + 1 : stop].strip(" \t"), stop
            else:
                scope, j = rest[j + 1 : close].strip(" \t"), close + 1
        j += len(rest[j:]) - len(rest[j:].lstrip(" \t"))
        if rest[j : j + 1] == "!":
            breaking, j = True, j + 1
        j += len(rest[j:]) - len(rest[j:].lstrip(" \t"))
        if rest[j : j + 1] == ":":
            j += 1
        description = rest[j:]
    else:
        first, sep, after = text.partition(":")
        description = after if sep and first and " " not in first.strip() else text
        lead_word = description.strip().split(" ", 1)[0].lower()
        type_ = "fix" if lead_word.startswith("fix") and "fix" in types else None
        type_ = type_ or ("feat" if "feat" in types else types[0])
    if scope is None and description.strip(GIT_SPACE).startswith('"'):
        # Revert "feat(python): add users": the quoted subject names the scope.
        inner = parse_header(description.strip(GIT_SPACE).strip('"'), types)
        if isinstance(inner, Header):
            scope = inner.scope
    if scope is not None and change.structure is not None:
        scope = scope.lower()
    if scope is None or not _valid_scope(scope, change):
        known = change.structure.scopes if change.structure is not None else []
        scope = (closest(scope, known) if scope and known else None) or _example_scope(change)
    if scope is None:
        return None
    description = description.strip(GIT_SPACE)
    if not description:
        return None
    description = _lower_first_word(description)
    prefix = f"{type_}({scope}){'!' * breaking}: "
    room = policy.commit.header_max - len(prefix)
    if len(description) > room:
        description = description[: max(10, room - 3)].rstrip() + "..."
    return prefix + description


def rewrite_hint(header: str, change: Change, policy: Policy, prefix: str = "write it as: ") -> str:
    """'write it as: <header that passes>', or the form and the choices when none can be built."""
    suggestion = suggest_header(header, change, policy)
    if suggestion is not None:
        return prefix + suggestion
    scopes = change.structure.scopes if change.structure is not None else ["<scope>"]
    return (
        "write it as 'type(scope): description', with a type of "
        f"{', '.join(policy.commit.types)} and a scope of {', '.join(scopes)}"
    )
