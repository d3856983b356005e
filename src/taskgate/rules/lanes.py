"""Lane rules TG201 to TG207 (SPEC §3): who may touch which path.

A coder works inside its module; besides it only the board (judged by the board
rules), the Contracts section of plan.md (added lines only) and the API folder.
Policy files and submodules are the lead's. The reviewer may change only the
board. The lead may change anything. Both sides of a rename count; a symlink
counts where it points. Merges are skipped (pre-merge-commit).

Decision on the root `pyproject.toml`: it is a policy file (TG204) only when it
holds `[tool.taskgate]` before or after the change (adding the table creates a
policy, removing it drops one). Otherwise it is an ordinary root file, outside
every module: TG201 for a coder, like any other file of the lead's.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from taskgate.change import Actor, Change, Derived, FileChange, Role
from taskgate.finding import Finding
from taskgate.policy import POLICY_FILE, PYPROJECT, Policy
from taskgate.rules.registry import EVERY_STAGE, check, rule
from taskgate.workflow.structure import Module

# Lead-only by name (root-relative) and by folder (whole segments).
_POLICY_NAMES = frozenset({POLICY_FILE, ".pre-commit-config.yaml", ".gitlab-ci.yml",
                           ".gitattributes"})  # fmt: skip
_POLICY_FOLDERS = (".github", "hooks")
_MAX_PLAN_FINDINGS = 5


def inside(path: str, folder: str) -> bool:
    """Whole-segment prefix match: `shared/api` holds `shared/api/x`, not `shared/api2`."""
    return bool(folder) and (path == folder or path.startswith(folder + "/"))


def is_policy_file(path: str, change: Change, policy: Policy) -> bool:
    if path in _POLICY_NAMES or path in (policy.paths.structure, policy.identity.allowed_signers):
        return True
    if posixpath.basename(path) == ".gitattributes":
        return True  # a nested one (export-ignore, filters, eol) shapes the tree as much
    if any(inside(path, folder) for folder in _POLICY_FOLDERS):
        return True
    return path == PYPROJECT and _holds_taskgate_table(change)


_TASKGATE_TABLE: Derived[bool] = Derived("pyproject.toml holds [tool.taskgate]")


def _holds_taskgate_table(change: Change) -> bool:
    def decide() -> bool:
        return any(_taskgate_table(side.read(PYPROJECT)) for side in (change.before, change.after))

    return change.derived(_TASKGATE_TABLE, decide)


def _taskgate_table(raw: bytes | None) -> bool:
    if raw is None or b"taskgate" not in raw:
        return False
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # unreadable yet naming taskgate: the lead's to sort out
    tool = data.get("tool")
    return isinstance(tool, dict) and "taskgate" in tool


def _moved(fc: FileChange, path: str) -> str:
    """' (renamed to x)' / ' (copied from y)' for the sides of renames and copies."""
    if fc.status == "R" and path == fc.old_path and fc.old_path != fc.path:
        return f" (renamed to {fc.path})"
    if fc.status in "RC" and path == fc.path and fc.old_path != fc.path:
        return f" ({'renamed' if fc.status == 'R' else 'copied'} from {fc.old_path})"
    return ""


TG201 = rule(
    id="TG201",
    name="outside-module",
    stages=EVERY_STAGE,
    summary="file outside the committing coder's module",
    what=(
        "A coder commit may change only files inside its module's path, plus the board, "
        "the Contracts section of plan.md and the API folder. Both sides of renames count."
    ),
    why=(
        "Agents that edit other modules break their owners' work and hide it in a commit "
        "nobody reviews as theirs."
    ),
    example="feat(python): fix typo   # changes web/app.ts",
    fix="Ask the owner of the other module (or the lead) to make that change.",
)

TG202 = rule(
    id="TG202",
    name="one-module",
    stages=EVERY_STAGE,
    summary="coder commit spans more than one module",
    what="A commit changes files of at most one module (one lane per commit).",
    why="A change across modules needs the lead, who can coordinate both owners.",
    example="feat(python): x   # changes services/api/a.py and web/b.ts",
    fix="Split the commit per module, or have the lead make it.",
)

TG203 = rule(
    id="TG203",
    name="scope-matches-files",
    stages=EVERY_STAGE,
    summary="the files belong to module X but the scope says Y",
    what="The module whose files a coder commit changes must be the module in its scope.",
    why="The scope claims the lane; a scope that disagrees with the files is a mislabelled commit.",
    example="feat(web): x   # changes services/api/a.py",
    fix="feat(python): x",
)

TG204 = rule(
    id="TG204",
    name="policy-files",
    stages=EVERY_STAGE,
    summary="policy file changed by someone other than the lead",
    what=(
        "project_structure.json, the policy, .pre-commit-config.yaml, .github/, "
        ".gitlab-ci.yml, the hooks/ shims and every .gitattributes (nested ones too) are "
        "the lead's alone. The root "
        "pyproject.toml counts as a policy file when it holds [tool.taskgate] before or after "
        "the change; otherwise it is an ordinary root file (TG201 for a coder)."
    ),
    why="An agent that can change the rules can switch them off.",
    example="feat(python): relax header limit   # changes taskgate.toml",
    fix="Ask the lead; the lead commits with the lead scope.",
)

TG205 = rule(
    id="TG205",
    name="symlink-escape",
    stages=EVERY_STAGE,
    summary="symlink pointing outside its module",
    what=(
        "A symlink added or changed inside a module must resolve inside that module. The "
        "target is resolved through the tree as the operating system would, following "
        "links already in the path; a target that cannot be resolved, or loops, is outside."
    ),
    why="A link is a way to edit, or read, another module's files from one's own lane.",
    example="services/api/x -> ../../web/app.ts",
    fix="Copy what you need, or ask the lead.",
)

TG206 = rule(
    id="TG206",
    name="plan-contracts-only",
    stages=EVERY_STAGE,
    summary="plan.md changed outside the Contracts section, or a line removed",
    what="A coder may only add lines inside the Contracts section of plan.md.",
    why=(
        "The plan is the lead's; the Contracts section is the one place coders announce "
        "their endpoints, by appending."
    ),
    example="feat(python): rewrite milestones in plan.md",
    fix="Append your endpoints under the Contracts heading; leave the rest to the lead.",
)

TG207 = rule(
    id="TG207",
    name="submodules",
    stages=EVERY_STAGE,
    summary="submodule added or moved by someone other than the lead",
    what="Gitlinks (mode 160000) may be added, moved or changed only by the lead.",
    why="A submodule pulls foreign code into every module's build.",
    example="git submodule add https://example.invalid/lib services/api/lib",
    fix="Ask the lead to add the dependency.",
)


@check(TG201, TG202, TG203, TG204, TG205, TG206, TG207, needs_actor=True)
def lanes(change: Change, policy: Policy) -> Iterator[Finding]:
    actor = change.actor
    if (
        actor is None
        or actor.role is Role.LEAD
        or change.unjudged_merge
        or change.structure is None
    ):
        return
    if actor.role is Role.REVIEWER:
        yield from _reviewer(change, policy, actor)
        return
    if actor.module is not None:
        yield from _coder(change, policy, actor, actor.module)


def _common(
    fc: FileChange, path: str, change: Change, policy: Policy, actor: Actor
) -> Finding | None:
    """Policy files and submodules: the lead's alone, whoever else commits."""
    if is_policy_file(path, change, policy):
        return Finding(
            "TG204",
            f"policy file{_moved(fc, path)}: only the lead may change it "
            f"(this commit is by the {actor.name})",
            path=path,
            hint="ask the lead; the lead commits with the lead scope",
        )
    if (fc.old is not None and fc.old.is_gitlink) or (fc.new is not None and fc.new.is_gitlink):
        return Finding(
            "TG207",
            f"submodule{_moved(fc, path)}: only the lead may add, move or change one "
            f"(this commit is by the {actor.name})",
            path=path,
            hint="ask the lead to add the dependency",
        )
    return None


def _reviewer(change: Change, policy: Policy, actor: Actor) -> Iterator[Finding]:
    board = policy.paths.tasks
    for fc in change.files:
        for path in fc.paths:
            found = _common(fc, path, change, policy, actor)
            if found is not None:
                yield found
            elif path != board:
                yield Finding(
                    "TG201",
                    f"the reviewer may change only the board ({board}){_moved(fc, path)}",
                    path=path,
                    hint="review through the board: review comments and done → review_feedback",
                )


def _coder(change: Change, policy: Policy, actor: Actor, module: Module) -> Iterator[Finding]:
    structure = change.structure
    if structure is None:
        return
    board, plan, api = policy.paths.tasks, policy.paths.plan, policy.paths.api
    foreign: dict[str, list[str]] = {}  # other module → its paths in this change
    own_files = False
    for fc in change.files:
        for path in fc.paths:
            found = _common(fc, path, change, policy, actor)
            if found is not None:
                yield found
                continue
            if path == board:
                continue  # judged move by move by the board rules
            if path == plan:
                yield from _plan(change, plan, actor)
                continue
            if inside(path, api):
                yield from _symlink(fc, path, change, actor, module, api)
                continue
            if module.owns(path):
                own_files = True
                yield from _symlink(fc, path, change, actor, module, api)
                continue
            other = structure.module_of(path)
            if other is not None:
                foreign.setdefault(other.name, []).append(path)
            yield Finding(
                "TG201",
                f"outside module '{module.name}' ({module.path}/)"
                + (f", in module '{other.name}'" if other is not None else "")
                + _moved(fc, path),
                path=path,
                hint=f"the {actor.name} changes only {module.path}/, the board, the Contracts "
                f"section of {plan} and {api}/; ask "
                + (f"the owner of '{other.name}'" if other is not None else "the lead"),
            )
    spanned = ([module.name] if own_files else []) + list(foreign)
    if len(spanned) > 1:
        first_other = next(iter(foreign.values()))[0]
        yield Finding(
            "TG202",
            f"the commit changes files of {len(spanned)} modules ({', '.join(spanned)}): "
            "one module per commit",
            path=first_other,
            hint="split the commit per module, or have the lead make it",
        )
    elif not own_files and len(foreign) == 1 and actor.claimed_by == "scope":
        other_name, paths = next(iter(foreign.items()))
        yield Finding(
            "TG203",
            f"the files belong to module '{other_name}' but the scope says '{module.name}'",
            path=paths[0],
            hint=f"if this is the {other_name} agent's work, commit it with the scope "
            f"'{other_name}'",
        )


def _symlink(
    fc: FileChange, path: str, change: Change, actor: Actor, module: Module, api: str
) -> Iterator[Finding]:
    if fc.new is None or not fc.new.is_symlink or path != fc.path:
        return
    raw = change.after.read(path)
    target = raw.decode("utf-8", "surrogateescape") if raw is not None else ""
    # Lexically inside is not enough: earlier links in the path lead where they lead.
    from taskgate.rules.symlinks import resolve_link, tree_links, walk_link

    lexical = resolve_link(path, target)
    resolved, loop = (
        (None, None) if lexical is None else walk_link(path, target, tree_links(change))
    )
    home = api if inside(path, api) else module.path
    if resolved is not None and inside(resolved, home):
        return
    if loop is not None and all(inside(hop, home) for hop in loop):
        # A loop of links that all stay in the lane reaches no file at all, and none of
        # another lane's: it escapes nothing (tests/hostile/test_paths.py keeps it legal).
        return
    where = "outside the repository, or nowhere" if resolved is None else resolved
    yield Finding(
        "TG205",
        f"symlink to {target!r} points outside {home}/ (to {where})",
        path=path,
        hint=f"a link is a way into files that are not the {actor.name}'s: copy what you "
        "need, or ask the lead",
    )


def _plan(change: Change, plan: str, actor: Actor) -> Iterator[Finding]:
    """TG206: a coder may only add lines inside the Contracts section (SPEC §1.4)."""
    from difflib import SequenceMatcher

    from taskgate.workflow.plan import contracts_section

    before_raw, after_raw = change.before.read(plan), change.after.read(plan)
    hint = "append your endpoints under the Contracts heading; leave the rest to the lead"
    if after_raw is None:
        yield Finding("TG206", f"{plan} is deleted by the {actor.name}", path=plan, hint=hint)
        return
    if before_raw is None:
        yield Finding(
            "TG206", f"{plan} is created by the {actor.name}; the plan is the lead's",
            path=plan, line=1, hint="ask the lead to write the plan",
        )  # fmt: skip
        return
    before, after = change.text_before(plan), change.text_after(plan)
    if after is None or before is None:
        yield Finding("TG206", f"{plan} is not text", path=plan, hint=hint)
        return
    old, new = before.split("\n"), after.split("\n")
    old_section, new_section = contracts_section(old), contracts_section(new)
    if old_section is None or new_section is None:
        yield Finding(
            "TG206",
            f"{plan} has no Contracts section to add to: only the lead may change it",
            path=plan,
            line=1,
            hint="the lead adds a heading containing 'Contracts'; coders append under it",
        )
        return
    reported = 0
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if reported >= _MAX_PLAN_FINDINGS:
            return
        if op == "equal":
            continue
        if op in ("delete", "replace"):
            reported += 1
            verb = "removed" if op == "delete" else "changed"
            count = i2 - i1
            yield Finding(
                "TG206",
                f"{count} line{'s' * (count != 1)} of {plan} {verb} (line {i1 + 1} before "
                f"the commit: {old[i1][:60]!r}); coders may only add lines",
                path=plan,
                line=j1 + 1,
                hint=hint,
            )
            continue
        # An insertion counts as inside when it lands within the section before the
        # commit and its lines are still inside it after (a new heading would end it).
        inside_before = old_section.start < i1 <= old_section.end
        outside = [j for j in range(j1, j2) if not (inside_before and new_section.contains(j))]
        if outside:
            reported += 1
            yield Finding(
                "TG206",
                f"line {outside[0] + 1} of {plan} is added outside the Contracts section: "
                f"{new[outside[0]][:60]!r}",
                path=plan,
                line=outside[0] + 1,
                hint=hint,
            )
