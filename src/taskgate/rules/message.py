"""Commit-message rules TG101 to TG107 and TG110 to TG112 (SPEC §2); the claims a
message makes (TG108 task trailers, TG109 the agent) are in `taskgate.rules.claims`.

Every header error carries the header, a caret under the problem and a corrected
example built from the parts of the header that could be recognised.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from taskgate.change import Change
from taskgate.finding import Finding, Severity
from taskgate.message import Header, HeaderProblem, caret, parse_header
from taskgate.policy import Policy
from taskgate.rules.registry import CI_ONLY, COMMIT_MSG_CHECK_CI, check, rule

MSG = "COMMIT_EDITMSG"

TG101 = rule(
    id="TG101",
    name="header-format",
    stages=COMMIT_MSG_CHECK_CI,
    summary="header is not `type(scope)!: description`",
    what=(
        "Parses the first line of the cleaned message as a Conventional Commits header and "
        "reports the first thing that is out of place, with a caret under it: a missing type, "
        "'!' before the scope, an empty scope, a space before the colon or none after it, an "
        "empty description, leading white space, more than one scope."
    ),
    why=(
        "Release tools, changelogs and taskgate's own lane rules read the header; a header "
        "they cannot parse hides what the commit is and who made it."
    ),
    example="Added login endpoint\nfeat(python):add login\nfeat!(python): drop v1",
    fix="feat(python): add login endpoint",
)

TG102 = rule(
    id="TG102",
    name="type-allowed",
    stages=COMMIT_MSG_CHECK_CI,
    summary="type not allowed by policy",
    what="The header's type (compared case-insensitively) must be one of `[commit] types`.",
    why="A fixed vocabulary keeps history searchable and release notes meaningful.",
    example="feature(python): add login",
    fix="feat(python): add login",
)

TG103 = rule(
    id="TG103",
    name="scope-required",
    stages=COMMIT_MSG_CHECK_CI,
    summary="scope missing",
    what="With `[commit] require_scope = true` (the default) the header must name a scope.",
    why=(
        "The scope names the module, and so the actor, of the commit: without it taskgate "
        "cannot tell whose lane the commit is in."
    ),
    example="feat: add login",
    fix="feat(python): add login",
)

TG104 = rule(
    id="TG104",
    name="scope-known",
    stages=COMMIT_MSG_CHECK_CI,
    summary="scope names no module or role",
    what=(
        "When `project_structure.json` exists, the scope must be a module name or the "
        "lead/reviewer role (case-insensitive). Unknown scopes get a 'did you mean'."
    ),
    why="Each scope is a lane; a scope that names nothing is a commit nobody owns.",
    example="feat(pyhton): add login",
    fix="feat(python): add login",
)

TG105 = rule(
    id="TG105",
    name="header-length",
    stages=COMMIT_MSG_CHECK_CI,
    summary="header longer than the policy's limit",
    what="The header may be at most `[commit] header_max` characters (default 100).",
    why="Long headers are cut in `git log --oneline`, web UIs and e-mail subjects.",
    example="feat(python): " + "x" * 100,
    fix="Keep the header short; put details in the body.",
)

TG106 = rule(
    id="TG106",
    name="body-separated",
    stages=COMMIT_MSG_CHECK_CI,
    summary="body not separated from the header by a blank line",
    what="The second line of the message must be empty when there is a body.",
    why=(
        "git and every tool built on it treat the first paragraph as the subject; without "
        "the blank line the body becomes part of the subject."
    ),
    example="feat(python): add login\nIt checks the password.",
    fix="feat(python): add login\n\nIt checks the password.",
)

TG107 = rule(
    id="TG107",
    name="no-fixup-in-history",
    stages=CI_ONLY,
    summary="fixup!/squash!/amend! commit in shared history",
    what=(
        "In `ci`, pre-push and pre-receive, a commit whose subject starts with `fixup! `, "
        "`squash! ` or `amend! ` is reported, unless `[commit] allow_fixup_in_ci = true`."
    ),
    why=(
        "Such commits are instructions for `git rebase --autosquash`; they should be squashed "
        "before the history is shared."
    ),
    example="fixup! feat(python): add login",
    fix="git rebase -i --autosquash <base>, then push again.",
)

TG110 = rule(
    id="TG110",
    name="message-encoding",
    stages=COMMIT_MSG_CHECK_CI,
    summary="commit message is not valid UTF-8 (warning)",
    what="Bytes that are not UTF-8 are replaced with U+FFFD before the message is checked.",
    why="Other tools will show the message differently, or refuse it.",
    example="a message saved as Latin-1",
    fix="Save the message as UTF-8.",
)

TG111 = rule(
    id="TG111",
    name="breaking-change-case",
    stages=COMMIT_MSG_CHECK_CI,
    summary="lowercase `breaking change:` footer (warning)",
    what="A body line starting with `breaking change:` in another case than `BREAKING CHANGE:`.",
    why="By the specification it is body text, yet release tools count it as breaking.",
    example="breaking change: drops v1",
    fix="BREAKING CHANGE: drops v1",
)

TG112 = rule(
    id="TG112",
    name="colon-spacing",
    stages=COMMIT_MSG_CHECK_CI,
    summary="more than one space after the colon (warning)",
    what="The description should follow `: ` with exactly one space.",
    why="Extra spaces end up in changelogs and make headers harder to grep.",
    example="feat(python):  add login",
    fix="feat(python): add login",
)


def _rewrite_hint(
    header: str, change: Change, policy: Policy, prefix: str = "write it as: "
) -> str:
    from taskgate.rules.headerfix import rewrite_hint  # only for a header that fails

    return rewrite_hint(header, change, policy, prefix)


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    from taskgate.rules.headerfix import did_you_mean

    return did_you_mean(word, choices)


def _header_error(
    rule_id: str, reason: str, header: str, column: int, change: Change, policy: Policy
) -> Finding:
    return Finding(
        rule_id,
        reason,
        path=MSG,
        line=1,
        hint=_rewrite_hint(header, change, policy),
        snippet=caret(header, column),
    )


def exempt(change: Change) -> bool:
    """Exempt by git state: empty (git aborts), a merge, git's own revert message."""
    msg = change.message
    return msg is None or msg.is_empty or change.is_merge or msg.is_git_revert


@check(TG101, TG102, TG103, TG104, TG105, TG106, TG110, TG111, TG112, needs_message=True)
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
        return  # its subject is an instruction to `git rebase --autosquash` (TG107 in CI)
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


@check(TG107, needs_message=True)
def no_fixup_in_history(change: Change, policy: Policy) -> Iterator[Finding]:
    """A fixup!/squash!/amend! commit is for `git rebase --autosquash`, not for sharing."""
    msg = change.message
    if msg is None or exempt(change) or not msg.is_fixup or policy.commit.allow_fixup_in_ci:
        return
    yield Finding(
        "TG107",
        f"'{msg.header.split(' ', 1)[0]}' commit in shared history",
        path=MSG,
        line=1,
        hint="squash it before pushing: git rebase -i --autosquash <base>",
        snippet=caret(msg.header, 0),
    )


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
