"""Commit-message rules TG101 to TG112 (SPEC §2).

Every header error carries the header, a caret under the problem and a corrected
example built from the parts of the header that could be recognised.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from taskgate.change import Change, Role, Stage
from taskgate.finding import Finding, Severity
from taskgate.message import GIT_SPACE, Header, HeaderProblem, caret, parse_header
from taskgate.policy import Policy
from taskgate.rules.registry import check
from taskgate.workflow.tasklist import Board

MSG = "COMMIT_EDITMSG"
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _closest(word: str, choices: Sequence[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.5)
    return close[0] if close else None


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = _closest(word, choices)
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
        scope = (_closest(scope, known) if scope and known else None) or _example_scope(change)
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


def _rewrite_hint(
    header: str, change: Change, policy: Policy, prefix: str = "write it as: "
) -> str:
    """'write it as: <header that passes>', or the form and the choices when none can be built."""
    suggestion = suggest_header(header, change, policy)
    if suggestion is not None:
        return prefix + suggestion
    scopes = change.structure.scopes if change.structure is not None else ["<scope>"]
    return (
        "write it as 'type(scope): description', with a type of "
        f"{', '.join(policy.commit.types)} and a scope of {', '.join(scopes)}"
    )


def _header_error(
    rule: str, reason: str, header: str, column: int, change: Change, policy: Policy
) -> Finding:
    return Finding(
        rule,
        reason,
        path=MSG,
        line=1,
        hint=_rewrite_hint(header, change, policy),
        snippet=caret(header, column),
    )


def _load_board(change: Change, policy: Policy) -> Board | None:
    return change.reader("after").board(policy.paths.tasks)  # None: TG301/TG302 report it


def exempt(change: Change) -> bool:
    """Exempt by git state: empty (git aborts), a merge, git's own revert message."""
    msg = change.message
    return msg is None or msg.is_empty or change.is_merge or msg.is_git_revert


@check(
    "TG101", "TG102", "TG103", "TG104", "TG105", "TG106", "TG107", "TG108", "TG110",
    "TG111", "TG112",
    stage="msg",
    needs_message=True,
)  # fmt: skip
def message_rules(change: Change, policy: Policy) -> Iterator[Finding]:
    msg = change.message
    if msg is None:
        return
    if msg.undecodable:
        yield Finding(
            "TG110",
            "the message is not valid UTF-8; undecodable bytes were replaced",
            path=MSG,
            severity=Severity.WARNING,
            hint="save the message as UTF-8 (git config i18n.commitEncoding is not enough)",
        )
    if (
        msg.is_git_revert
        and not change.is_merge
        and change.structure is not None
        and change.actor is None
    ):
        # An exempt revert nobody can be named for would skip every lane rule: fail closed.
        yield Finding(
            "TG103",
            "cannot tell whose revert this is: the reverted subject names no module or role",
            path=MSG,
            line=1,
            hint="reword it with a scope, e.g. revert(<module>): <subject>, or set "
            "TASKGATE_AGENT when reverting",
            snippet=caret(msg.header, 0),
        )
    # Exempt by git state, never by the words of the subject alone.
    if exempt(change):
        return
    if msg.is_fixup:
        if change.stage is Stage.CI and not policy.commit.allow_fixup_in_ci:
            yield Finding(
                "TG107",
                f"'{msg.header.split(' ', 1)[0]}' commit in shared history",
                path=MSG,
                line=1,
                hint="squash it before pushing: git rebase -i --autosquash <base>",
                snippet=caret(msg.header, 0),
            )
        return
    header = msg.header
    parsed = parse_header(header, policy.commit.types, free_scope=change.structure is None)
    if isinstance(parsed, HeaderProblem):
        yield _header_error("TG101", parsed.reason, header, parsed.column, change, policy)
    else:
        yield from _header_rules(parsed, header, change, policy)
    lines = msg.lines
    if len(lines) > 1 and lines[1]:
        yield Finding(
            "TG106",
            "the body is not separated from the header by a blank line",
            path=MSG,
            line=2,
            hint="leave line 2 empty; the body starts on line 3",
            snippet=(lines[0], lines[1], "^ insert a blank line above this one"),
        )
    for number, line in enumerate(lines[1:], start=2):
        low = line.lower()
        if low.startswith(("breaking change:", "breaking-change:")) and not line.startswith(
            ("BREAKING CHANGE:", "BREAKING-CHANGE:")
        ):
            yield Finding(
                "TG111",
                f"'{line.split(':', 1)[0]}:' is body text by the specification, yet release "
                "tools count it as breaking",
                path=MSG,
                line=number,
                severity=Severity.WARNING,
                hint="write 'BREAKING CHANGE:' if it breaks, or reword it if it does not",
                snippet=caret(line, 0),
            )
    if not isinstance(parsed, HeaderProblem):
        yield from _task_trailers(parsed, change, policy)


def _header_rules(parsed: Header, header: str, change: Change, policy: Policy) -> Iterator[Finding]:
    types = policy.commit.types
    if parsed.type.lower() not in types:
        yield Finding(
            "TG102",
            f"type '{parsed.type}' is not allowed{_did_you_mean(parsed.type, types)}",
            path=MSG,
            line=1,
            hint=_rewrite_hint(header, change, policy) + f" (allowed types: {', '.join(types)})",
            snippet=caret(header, 0),
        )
    if parsed.scope is None:
        if policy.commit.require_scope:
            yield _header_error(
                "TG103",
                "the scope is missing: name the module, as in 'type(scope): description'",
                header,
                len(parsed.type),
                change,
                policy,
            )
    elif change.structure is not None:
        scopes = change.structure.scopes
        if parsed.scope.lower() not in scopes:
            yield Finding(
                "TG104",
                f"scope '{parsed.scope}' names no module or role"
                f"{_did_you_mean(parsed.scope, scopes)}",
                path=MSG,
                line=1,
                hint=_rewrite_hint(header, change, policy)
                + f" (known scopes: {', '.join(scopes)})",
                snippet=caret(header, parsed.scope_column),
            )
    limit = policy.commit.header_max
    if len(header) > limit:
        yield Finding(
            "TG105",
            f"the header is {len(header)} characters long; the limit is {limit}",
            path=MSG,
            line=1,
            hint="keep the header short and put the details in the body; "
            + _rewrite_hint(header, change, policy, "e.g. "),
            snippet=caret(header, limit),
        )
    if parsed.double_space:
        yield Finding(
            "TG112",
            "more than one space after the colon",
            path=MSG,
            line=1,
            severity=Severity.WARNING,
            hint=f"write it as: {parsed.type}"
            + (f"({parsed.scope})" if parsed.scope else "")
            + ("!" if parsed.breaking else "")
            + f": {parsed.description}",
            snippet=caret(header, parsed.description_column - 1),
        )


def _task_trailers(parsed: Header, change: Change, policy: Policy) -> Iterator[Finding]:
    msg = change.message
    if msg is None:
        return
    trailers = [t for t in msg.trailers() if t.key.lower() == "task"]
    actor = change.actor
    is_coder = actor is not None and actor.role is Role.CODER
    if not trailers:
        if policy.commit.require_task_trailer and is_coder:
            yield Finding(
                "TG108",
                "a 'Task: <id>' trailer is required",
                path=MSG,
                hint="end the message with a blank line and 'Task: <id of your task>'",
            )
        return
    board = _load_board(change, policy)
    if board is None:
        return  # no board to check against (or a broken one, which TG301/TG302 report)
    tasks = board.by_id()
    scope = (parsed.scope or "").lower()
    for trailer in trailers:
        task = tasks.get(trailer.value)
        if task is None:
            own = [t.id for t in board.of_module(scope)] if scope else []
            close = _closest(trailer.value, list(tasks)) if tasks else None
            yield Finding(
                "TG108",
                f"Task '{trailer.value}' is not on the board"
                + (f" (did you mean '{close}'?)" if close else ""),
                path=MSG,
                line=trailer.line,
                hint=f"tasks of '{scope}': {', '.join(own)}"
                if own
                else f"the board is {policy.paths.tasks}",
            )
        elif (
            change.structure is not None
            and scope in change.structure.modules
            and task.assignee.lower() != scope
        ):
            yield Finding(
                "TG108",
                f"Task '{task.id}' is assigned to '{task.assignee}', not to '{scope}'",
                path=MSG,
                line=trailer.line,
                hint="name a task of the commit's own module",
            )


@check("TG109", stage="msg", needs_message=True)
def agent_agrees(change: Change, policy: Policy) -> Iterator[Finding]:
    """TASKGATE_AGENT names the agent; the scope must then be that agent's."""
    claim, structure, msg = change.agent_claim, change.structure, change.message
    if not claim or structure is None or msg is None or exempt(change) or msg.is_fixup:
        return
    parsed = parse_header(msg.header, policy.commit.types)
    if isinstance(parsed, HeaderProblem) or parsed.scope is None:
        return
    scope = parsed.scope.lower()
    module = structure.module_for_agent(claim)
    if module is not None:
        expected = module.name
    elif claim.lower() in (structure.lead, structure.reviewer):
        expected = claim.lower()
    else:
        yield Finding(
            "TG109",
            f"TASKGATE_AGENT '{claim}' is not an agent of project_structure.json",
            path=MSG,
            hint="set it to a module's agent id, or to the lead or reviewer role",
        )
        return
    if scope != expected:
        yield Finding(
            "TG109",
            f"the scope '{parsed.scope}' disagrees with TASKGATE_AGENT '{claim}' "
            f"(whose scope is '{expected}')",
            path=MSG,
            line=1,
            hint=f"write it as: {parsed.type}({expected}){'!' * parsed.breaking}: "
            f"{parsed.description}",
            snippet=caret(msg.header, parsed.scope_column),
        )
