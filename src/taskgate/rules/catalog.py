"""Documentation of every rule id, in the shape `taskgate explain` prints."""

from __future__ import annotations

from taskgate.rules.registry import Rule


def _r(*fields: str) -> Rule:
    """id, name, stage, summary, what, why, example, fix."""
    return Rule(*fields)


_ALL = [
    # --- commit messages -------------------------------------------------
    _r(
        "TG101",
        "header-format",
        "msg",
        "header is not `type(scope)!: description`",
        "Parses the first line of the cleaned message as a Conventional Commits header and "
        "reports the first thing that is out of place, with a caret under it: a missing type, "
        "'!' before the scope, an empty scope, a space before the colon or none after it, an "
        "empty description, leading white space, more than one scope.",
        "Release tools, changelogs and taskgate's own lane rules read the header; a header "
        "they cannot parse hides what the commit is and who made it.",
        "Added login endpoint\nfeat(python):add login\nfeat!(python): drop v1",
        "feat(python): add login endpoint",
    ),
    _r(
        "TG102",
        "type-allowed",
        "msg",
        "type not allowed by policy",
        "The header's type (compared case-insensitively) must be one of `[commit] types`.",
        "A fixed vocabulary keeps history searchable and release notes meaningful.",
        "feature(python): add login",
        "feat(python): add login",
    ),
    _r(
        "TG103",
        "scope-required",
        "msg",
        "scope missing",
        "With `[commit] require_scope = true` (the default) the header must name a scope.",
        "The scope names the module, and so the actor, of the commit: without it taskgate "
        "cannot tell whose lane the commit is in.",
        "feat: add login",
        "feat(python): add login",
    ),
    _r(
        "TG104",
        "scope-known",
        "msg",
        "scope names no module or role",
        "When `project_structure.json` exists, the scope must be a module name or the "
        "lead/reviewer role (case-insensitive). Unknown scopes get a 'did you mean'.",
        "Each scope is a lane; a scope that names nothing is a commit nobody owns.",
        "feat(pyhton): add login",
        "feat(python): add login",
    ),
    _r(
        "TG105",
        "header-length",
        "msg",
        "header longer than the policy's limit",
        "The header may be at most `[commit] header_max` characters (default 100).",
        "Long headers are cut in `git log --oneline`, web UIs and e-mail subjects.",
        "feat(python): " + "x" * 100,
        "Keep the header short; put details in the body.",
    ),
    _r(
        "TG106",
        "body-separated",
        "msg",
        "body not separated from the header by a blank line",
        "The second line of the message must be empty when there is a body.",
        "git and every tool built on it treat the first paragraph as the subject; without "
        "the blank line the body becomes part of the subject.",
        "feat(python): add login\nIt checks the password.",
        "feat(python): add login\n\nIt checks the password.",
    ),
    _r(
        "TG107",
        "no-fixup-in-history",
        "ci",
        "fixup!/squash!/amend! commit in shared history",
        "In `ci`, pre-push and pre-receive, a commit whose subject starts with `fixup! `, "
        "`squash! ` or `amend! ` is reported, unless `[commit] allow_fixup_in_ci = true`.",
        "Such commits are instructions for `git rebase --autosquash`; they should be squashed "
        "before the history is shared.",
        "fixup! feat(python): add login",
        "git rebase -i --autosquash <base>, then push again.",
    ),
    _r(
        "TG108",
        "task-trailer",
        "msg",
        "`Task:` trailer names an unknown task, or one not assigned to the scope",
        "Each `Task: <id>` trailer must name a task of the board that is assigned to the "
        "commit's module. With `[commit] require_task_trailer = true` a coder commit must "
        "carry at least one.",
        "A trailer that names the wrong task links the work to the wrong place on the board.",
        "feat(python): add login\n\nTask: T9",
        "feat(python): add login\n\nTask: T1",
    ),
    _r(
        "TG109",
        "agent-agrees",
        "msg",
        "scope disagrees with `TASKGATE_AGENT`",
        "When `TASKGATE_AGENT` (or `git config taskgate.agent`) names an agent, the scope "
        "must be that agent's module (or its role, for the lead and the reviewer).",
        "An agent that writes another module's scope is claiming to be someone else.",
        "TASKGATE_AGENT=python-coder git commit -m 'feat(web): x'",
        "Commit as your own module: feat(python): x",
    ),
    _r(
        "TG110",
        "message-encoding",
        "msg",
        "commit message is not valid UTF-8 (warning)",
        "Bytes that are not UTF-8 are replaced with U+FFFD before the message is checked.",
        "Other tools will show the message differently, or refuse it.",
        "a message saved as Latin-1",
        "Save the message as UTF-8.",
    ),
    _r(
        "TG111",
        "breaking-change-case",
        "msg",
        "lowercase `breaking change:` footer (warning)",
        "A body line starting with `breaking change:` in another case than `BREAKING CHANGE:`.",
        "By the specification it is body text, yet release tools count it as breaking.",
        "breaking change: drops v1",
        "BREAKING CHANGE: drops v1",
    ),
    _r(
        "TG112",
        "colon-spacing",
        "msg",
        "more than one space after the colon (warning)",
        "The description should follow `: ` with exactly one space.",
        "Extra spaces end up in changelogs and make headers harder to grep.",
        "feat(python):  add login",
        "feat(python): add login",
    ),
    _r(
        "TG113",
        "actor-known",
        "msg",
        "the commit's actor cannot be determined",
        "In a repository with a module map every commit has an actor: an "
        "empty or whitespace-only message (`--allow-empty-message`), a scope-less subject "
        "where the policy does not require a scope, a fixup!/squash! of such a subject, or a "
        "merge that brings content of its own under git's default `Merge branch …` subject "
        "names nobody. Checked at commit-msg, pre-push, pre-receive and in `ci`; at "
        "commit-msg an empty message counts only when git will store it "
        "(`--allow-empty-message`), since git aborts the commit itself otherwise.",
        "Without an actor the lane, board and integrity rules cannot run: an empty message "
        "once landed a change to another module, to the policy and to the board unjudged.",
        'git commit --allow-empty-message -m ""',
        "feat(python): add login   (a merge with its own content: chore(python): merge main)",
    ),
    # --- lanes -----------------------------------------------------------
    _r(
        "TG201",
        "outside-module",
        "msg",
        "file outside the committing coder's module",
        "A coder commit may change only files inside its module's path, plus the board, "
        "the Contracts section of plan.md and the API folder. Both sides of renames count.",
        "Agents that edit other modules break their owners' work and hide it in a commit "
        "nobody reviews as theirs.",
        "feat(python): fix typo   # changes web/app.ts",
        "Ask the owner of the other module (or the lead) to make that change.",
    ),
    _r(
        "TG202",
        "one-module",
        "msg",
        "coder commit spans more than one module",
        "A commit changes files of at most one module (one lane per commit).",
        "A change across modules needs the lead, who can coordinate both owners.",
        "feat(python): x   # changes services/api/a.py and web/b.ts",
        "Split the commit per module, or have the lead make it.",
    ),
    _r(
        "TG203",
        "scope-matches-files",
        "msg",
        "the files belong to module X but the scope says Y",
        "The module whose files a coder commit changes must be the module in its scope.",
        "The scope claims the lane; a scope that disagrees with the files is a mislabelled commit.",
        "feat(web): x   # changes services/api/a.py",
        "feat(python): x",
    ),
    _r(
        "TG204",
        "policy-files",
        "msg",
        "policy file changed by someone other than the lead",
        "project_structure.json, the policy, .pre-commit-config.yaml, .github/, "
        ".gitlab-ci.yml, the hooks/ shims and every .gitattributes (nested ones too) are "
        "the lead's alone. The root "
        "pyproject.toml counts as a policy file when it holds [tool.taskgate] before or after "
        "the change; otherwise it is an ordinary root file (TG201 for a coder).",
        "An agent that can change the rules can switch them off.",
        "feat(python): relax header limit   # changes taskgate.toml",
        "Ask the lead; the lead commits with the lead scope.",
    ),
    _r(
        "TG205",
        "symlink-escape",
        "msg",
        "symlink pointing outside its module",
        "A symlink added or changed inside a module must resolve inside that module. The "
        "target is resolved through the tree as the operating system would, following "
        "links already in the path; a target that cannot be resolved, or loops, is outside.",
        "A link is a way to edit, or read, another module's files from one's own lane.",
        "services/api/x -> ../../web/app.ts",
        "Copy what you need, or ask the lead.",
    ),
    _r(
        "TG206",
        "plan-contracts-only",
        "msg",
        "plan.md changed outside the Contracts section, or a line removed",
        "A coder may only add lines inside the Contracts section of plan.md.",
        "The plan is the lead's; the Contracts section is the one place coders announce "
        "their endpoints, by appending.",
        "feat(python): rewrite milestones in plan.md",
        "Append your endpoints under the Contracts heading; leave the rest to the lead.",
    ),
    _r(
        "TG207",
        "submodules",
        "msg",
        "submodule added or moved by someone other than the lead",
        "Gitlinks (mode 160000) may be added, moved or changed only by the lead.",
        "A submodule pulls foreign code into every module's build.",
        "git submodule add https://example.invalid/lib services/api/lib",
        "Ask the lead to add the dependency.",
    ),
    _r(
        "TG208",
        "root-commit",
        "ci",
        "a parentless commit enters a repository that already has history",
        "In a push or a `ci` range, a commit without parents (an orphan branch, or one "
        "brought in by `git merge --allow-unrelated-histories`) is refused when the "
        "repository already has history. It is judged under the policy at the base of the "
        "range, never its own. The lead may start a new root where `[history] "
        "allow_new_roots = true` (read from the target's policy).",
        "A root commit has no first parent to take the policy from: it would bring its own "
        "module map (or none) and judge itself.",
        "git checkout --orphan x && git commit -m 'feat(web): start over'",
        "Branch from the existing history; the lead sets [history] allow_new_roots for a "
        "deliberate new root.",
    ),
    _r(
        "TG209",
        "octopus-merge",
        "ci",
        "an octopus merge by someone other than the lead",
        "A merge of three or more parents cannot be compared with git's automatic merge "
        "(`git merge-tree` takes two), so only the lead may make one.",
        "Its content beyond its parents could not be judged.",
        "git merge feature-a feature-b   # by a coder",
        "Merge one branch at a time, or have the lead make the octopus merge.",
    ),
    _r(
        "TG210",
        "replace-ref",
        "ci",
        "a push to refs/replace/*",
        "pre-receive refuses pushes that create or move `refs/replace/*` unless the "
        "target's policy sets `[history] allow_replace_refs = true`. taskgate itself reads "
        "every object with replace objects disabled.",
        "A replace ref makes git show one object in place of another: a checked good commit "
        "in place of a bad one.",
        "git push origin refs/replace/<bad>",
        "Do not push replace refs; the lead allows them in the policy if they are wanted.",
    ),
    _r(
        "TG211",
        "tree-entry-name",
        "pre",
        "a tree entry named '.', '..', '.git' or a variant of '.git'",
        "Every path a commit adds or changes is split into its tree entries; an empty name, "
        "`.`, `..`, `.git`, or a name NTFS or HFS+ would take for `.git` (`.GIT`, `.git.`, "
        "`git~1`, `.git` with ignorable Unicode) is refused. `taskgate install --hook-type "
        "pre-receive` also turns on git's own `receive.fsckObjects`.",
        "Such an entry passes 'inside the module' by its prefix and then breaks every "
        "clone and checkout, or writes into `.git/`.",
        "services/api/../web/app.js   (made with git mktree)",
        "Rewrite the commit without that entry.",
    ),
    # --- workflow files and board ---------------------------------------------
    _r(
        "TG301",
        "json-valid",
        "pre",
        "a workflow JSON file is not valid JSON or has duplicate keys",
        "The module map and the board must parse as JSON; duplicate keys are errors.",
        "The standard json module silently keeps the last duplicate; a board that means "
        "two things must not land.",
        '{"version": 1, "tasks": [ }',
        "Fix the syntax at the line and column shown.",
    ),
    _r(
        "TG302",
        "schema",
        "pre",
        "a workflow JSON file does not match its schema",
        "Validates against the JSON Schema shipped in taskgate's schemas/ folder and shows "
        "the JSON pointer, the offending value and what was expected.",
        "Every rule reads these files; a wrong shape would make them guess.",
        '{"version": 1, "tasks": [{"id": "T1", "status": "started"}]}',
        'Use one of the allowed values, e.g. "status": "in_progress".',
    ),
    _r(
        "TG303",
        "board-structure",
        "pre",
        "board structure: duplicate id, unknown dependency, cycle, unknown assignee",
        "Task ids are unique, every depends_on names a task, dependencies have no cycle, "
        "every assignee is a module.",
        "A board with a cycle can never be finished; an unknown assignee has no owner.",
        '{"id": "T1", "depends_on": ["T1"]}',
        "Remove the cycle or the unknown reference.",
    ),
    _r(
        "TG304",
        "status-move",
        "msg",
        "status change not allowed for this actor",
        "Every status change on the board must be a move the actor may make (the transition "
        "table per actor: `taskgate explain board`, docs/board-reference.md).",
        "The board is how the lead knows what is done; agents must not skip review.",
        "coder moves T1 todo → done",
        "Move it todo → in_progress, then in_progress → done.",
    ),
    _r(
        "TG305",
        "other-module-task",
        "msg",
        "coder changed another module's task",
        "A coder may change only tasks assigned to its own module.",
        "Another module's task belongs to its owner and the lead.",
        "feat(python): mark web task done",
        "Leave other modules' tasks alone.",
    ),
    _r(
        "TG306",
        "done-outputs",
        "msg",
        "`done` without outputs, or outputs naming missing files or files outside the module",
        "A task moved to done must list outputs.files, each present in the commit's tree "
        "and inside the module.",
        "Done means delivered: the reviewer needs to know what to look at.",
        '"status": "done", "outputs": {"files": []}',
        '"outputs": {"files": ["services/api/app/users.py"]}',
    ),
    _r(
        "TG307",
        "active-task",
        "msg",
        "module code changed with no active task of that module",
        "A coder commit that changes module files needs a task of that module in_progress "
        "or review_feedback after the commit, or one moved to done by it.",
        "No work without a task: the board must say what the work is for.",
        "feat(python): refactor   # with no task in progress",
        "Move your task to in_progress in the same commit.",
    ),
    _r(
        "TG308",
        "lead-only-fields",
        "msg",
        "coder changed a lead-only task field, or added/removed tasks",
        "title, assignee and depends_on, the list of tasks itself, the board's top-level keys "
        "and creating or deleting the board are the lead's; rewriting review comments too. "
        "Also reported for fields the actor may not edit: a coder adding review comments, the "
        "reviewer editing outputs, blocked_reason or a comment's resolved flag.",
        "The plan of work is the lead's decision.",
        "coder changes T1's assignee",
        "Ask the lead.",
    ),
    _r(
        "TG309",
        "dependencies-first",
        "msg",
        "task started before its dependencies are done",
        "A coder may move a task to in_progress only when all its depends_on are done.",
        "Work on top of unfinished work is work done twice.",
        "T2 depends on T1 (in_progress); coder moves T2 todo → in_progress",
        "Finish T1 first, or ask the lead.",
    ),
    _r(
        "TG310",
        "structure-valid",
        "pre",
        "project_structure.json invalid: overlapping modules, escaping paths, name clash",
        "Module paths are relative POSIX directories, not empty, '.', absolute, with '..', "
        "backslashes or a trailing '/', not inside shared/ and not nested in each other; "
        "module names are scopes and differ from the role names.",
        "Overlapping or escaping paths make ownership ambiguous.",
        '{"path": "../other"}',
        '{"path": "services/api"}',
    ),
    _r(
        "TG311",
        "policy-valid",
        "pre",
        "the policy the change writes cannot be loaded",
        "A change that writes taskgate.toml (or [tool.taskgate] in pyproject.toml) must "
        "leave a policy taskgate can read: valid TOML, known keys, values of the right type.",
        "The policy of each commit is read from its base; a broken one, once landed, makes "
        "every later commit exit 2, including the one that would repair it.",
        "[commit]\nheader_maximum = 72   # unknown key",
        "[commit]\nheader_max = 72",
    ),
    # --- gate -------------------------------------------------------------
    _r(
        "TG401",
        "gate-command",
        "pre",
        "a gate command failed",
        "Runs the module's commands (ruff, mypy, pytest by default for Python) on exactly "
        "the staged content and reports the command, its exit status and its last 40 lines.",
        "'Run the tests before committing' is only true if something runs them.",
        "pytest -q exits 1",
        "Fix the failure, stage the fix, commit again.",
    ),
    _r(
        "TG402",
        "no-tests",
        "pre",
        "no tests collected for the module",
        "pytest's exit status 5 (no tests collected) is an error.",
        "Every module has tests; a module where none run is untested.",
        "a module with no test_*.py",
        "Add tests under the module's tests/ folder.",
    ),
    _r(
        "TG403",
        "gate-unavailable",
        "pre",
        "a gate command timed out or could not be started",
        "A command that does not finish within the timeout, or whose executable is missing.",
        "Fail closed: a gate that did not run did not pass.",
        "pytest not installed in the module's .venv",
        "python -m venv <module>/.venv && <module>/.venv/bin/pip install pytest ruff mypy",
    ),
    _r(
        "TG404",
        "annotations",
        "pre",
        "function signature not fully annotated",
        "Every function a change adds or edits in a .py file of a Python module (every "
        "function of a new file) annotates every parameter and its return (self and cls "
        "excepted; lambdas excepted).",
        "The agents' rules require type hints on all signatures; mypy does not check "
        "unannotated functions.",
        "def add(a, b):",
        "def add(a: int, b: int) -> int:",
    ),
    _r(
        "TG405",
        "pyproject-deps",
        "pre",
        "dependency declared outside pyproject.toml, or module without pyproject.toml",
        "requirements*.txt, setup.py or setup.cfg added to a Python module, or a Python "
        "module without pyproject.toml (a change that removes or moves the whole module "
        "is not one).",
        "Dependencies declared in one place are dependencies that get installed.",
        "services/api/requirements.txt",
        "Declare them in services/api/pyproject.toml.",
    ),
    # --- contracts ----------------------------------------------------------
    _r(
        "TG501",
        "endpoint-declared",
        "msg",
        "an endpoint added in code is not declared in the Contracts section",
        "Routes added in a coder commit (FastAPI/Starlette/Flask) must appear as "
        "`METHOD /path` in plan.md's Contracts section (and in shared/api/openapi.json "
        "when it exists). Path parameters match by position.",
        "Other modules build against the contracts; an undeclared endpoint is invisible.",
        '@app.get("/users/{id}")   # plan.md does not list GET /users/{id}',
        "Append `GET /users/{id}` to the Contracts section in the same commit.",
    ),
    # --- integrity ----------------------------------------------------------
    _r(
        "TG601",
        "tests-deleted",
        "msg",
        "coder commit deletes tests or test functions",
        "A test file removed, or a test function present before and gone after; and, by "
        "behaviour, a test id that ran in the gate at the base and does not run now "
        "(renamed out of collection, `del test_x`, `__test__ = False`, deselected).",
        "Deleting a failing test is the easiest way to make it pass.",
        "git rm services/api/tests/test_users.py",
        "Fix the code, keep the test.",
    ),
    _r(
        "TG602",
        "tests-skipped",
        "msg",
        "coder commit adds skip/xfail markers or skip calls",
        "Added pytest.mark.skip/skipif/xfail, pytest.skip/xfail/importorskip, unittest "
        "skips, or test-selection filters in pytest configuration; and, by behaviour, a "
        "test that ran at the base and is skipped/xfailed in the gate now (however the "
        "skip was made: a conftest hook, an aliased marker), or more deselected tests.",
        "A skipped test is not a passing one.",
        "@pytest.mark.skip(reason='flaky')",
        "Fix the test or the code.",
    ),
    _r(
        "TG603",
        "suppressions",
        "msg",
        "coder commit adds suppressions or loosens tool configuration",
        "Added `# type: ignore`, `# noqa`, `# pragma: no cover`, file-level ruff/mypy "
        "switches, inline `# mypy:` flags, `@no_type_check`; and any change to tool "
        "configuration inside a module (mypy.ini, ruff.toml, pytest.ini, setup.cfg, "
        "tox.ini, .ignore, sitecustomize.py, the [tool.*] tables of its pyproject.toml): "
        "the lead's. [project] stays the coder's.",
        "Silencing the linter is not fixing the code.",
        "x = f()  # type: ignore",
        "Fix the type error.",
    ),
    _r(
        "TG604",
        "secrets",
        "pre",
        "a secret in the change",
        "Private keys, cloud keys, tokens, JWTs, URLs with passwords and high-entropy "
        "password/secret/token literals in added lines.",
        "A secret in git history is a leaked secret.",
        'AWS_KEY = "AKIA................"',
        "Read it from the environment; rotate the leaked one. False positive: the lead adds "
        "its fingerprint to [secrets] allow.",
    ),
    _r(
        "TG605",
        "junk",
        "pre",
        "junk in the change: .venv/, node_modules/, __pycache__/, .env, big files",
        "Virtual environments (a tracked `.venv` of any file type: folder, link, file, "
        "submodule), dependency folders, bytecode, .env files, OS and editor "
        "litter, and files over `[integrity] max_file_bytes`.",
        "They bloat every clone forever and often carry secrets.",
        "git add services/api/.venv",
        "git rm -r --cached services/api/.venv; add it to .gitignore.",
    ),
    # --- identity (SPEC §10.4; [identity] mode = "signed") -----------------
    _r(
        "TG701",
        "commit-unsigned",
        "ci",
        "signed mode: the commit carries no signature",
        'With `[identity] mode = "signed"` every commit reaching pre-push, pre-receive or '
        "`taskgate ci` (merges included) must carry an SSH signature (git's `gpgsig` header, "
        "`gpg.format = ssh`).",
        "In signed mode the signature, not the scope, says who made the commit; an unsigned "
        "commit names nobody, so its lanes and board rights cannot be decided.",
        "git commit --no-gpg-sign -m 'feat(api): add users'",
        "Sign it: `git commit --amend --no-edit -S` (a range: `git rebase --exec 'git commit "
        "--amend --no-edit -S' BASE`). `taskgate agent worktree NAME PATH` sets up a worktree "
        "that signs every commit.",
    ),
    _r(
        "TG702",
        "signature-invalid",
        "ci",
        "signed mode: the signature does not verify",
        "The SSHSIG signature is checked in process against the commit object without its "
        "`gpgsig` header: namespace `git`, hash sha256 or sha512, keys ed25519, ECDSA "
        "(nistp256/384/521) and RSA (rsa-sha2-256/512). A signature that cannot be read, or "
        "that does not match the commit, is this finding.",
        "A commit whose message or tree changed after signing, or a signature copied from "
        "another commit, would otherwise borrow someone else's identity.",
        "git commit -S -m 'feat(api): x' && (edit the object: message, tree or parents)",
        "Re-sign the commit as it is now: `git commit --amend --no-edit -S`; check it with "
        "`git verify-commit HEAD`.",
    ),
    _r(
        "TG703",
        "signer-not-listed",
        "msg",
        "signed mode: the signing key is not in the allowed signers",
        "The key that signed the commit (or, in the commit hooks, the key git is configured "
        "to sign with) must be listed in the allowed-signers file of the base "
        "(`[identity] allowed_signers`, default `shared/allowed_signers`).",
        "Anyone can make a key and sign with it; only a key the lead listed names an agent.",
        "git -c user.signingkey=~/.ssh/my_own_key commit -S -m 'feat(api): x'",
        "Sign with your listed key (your worktree is set up for it). The lead lists a new "
        "agent's key with `taskgate agent add NAME --key-dir DIR` and commits the file.",
    ),
    _r(
        "TG704",
        "signer-namespace",
        "msg",
        "signed mode: the key or signature is not for git's namespace",
        'The allowed-signers line of the key has a `namespaces="…"` option that does not '
        "include `git`, or the signature itself was made for another namespace "
        "(`ssh-keygen -Y sign -n file`).",
        "A key the lead allowed for other uses (files, e-mail) is not an identity for commits, "
        "and a signature made for another purpose must not count as a commit signature.",
        'api-coder namespaces="file" ssh-ed25519 AAAA…',
        'The lead adds git: `api-coder namespaces="git" ssh-ed25519 AAAA…`; re-sign with '
        "`git commit --amend --no-edit -S`.",
    ),
    _r(
        "TG705",
        "signer-expired",
        "msg",
        "signed mode: the key is expired or not yet valid",
        "`valid-before=` / `valid-after=` on the key's allowed-signers line are compared with "
        "the commit's committer time (in the commit hooks: now), as `git verify-commit` does.",
        "An expired key is a retired identity: a leaked old key must not sign new work.",
        'api-coder valid-before="20240101" ssh-ed25519 AAAA…',
        "Sign with a current key; the lead lists a new one (`taskgate agent add`) or extends "
        "the validity.",
    ),
    _r(
        "TG706",
        "scope-matches-signer",
        "msg",
        "signed mode: the scope disagrees with the signer",
        "The scope of the header must name the module (or role) of the agent whose key signed "
        "the commit; in the commit hooks, of the key git is configured to sign with. Merges "
        "and git's own reverts have no scope of their own and are not compared.",
        "The scope is a claim; the signature is proof. A coder writing `chore(lead): …` does "
        "not get the lead's rights, and the board's per-actor history stays true.",
        "chore(lead): relax the policy   (signed by api-coder's key)",
        "feat(api): …  — and work that belongs to another agent is committed by that agent, "
        "with its own key, from its own worktree.",
    ),
    _r(
        "TG707",
        "signer-principal",
        "msg",
        "signed mode: the key's principal is no agent or role",
        "The principals of the key's allowed-signers line must name a module's `agent` id or "
        "the lead/reviewer role name of `project_structure.json`.",
        "A key listed for a name the module map does not know proves an identity with no "
        "lane: nothing it does could be judged.",
        "bob ssh-ed25519 AAAA…",
        "The lead lists the key under the agent id: `api-coder ssh-ed25519 AAAA…`.",
    ),
    _r(
        "TG708",
        "allowed-signers-file",
        "pre",
        "signed mode: the allowed-signers file is missing or has an unusable line",
        "In signed mode the allowed-signers file must exist at the base. A change that writes "
        "it must leave every line in git's format: `principals [options] keytype base64 "
        "[comment]`; `cert-authority` lines are refused (certificates are not supported).",
        "Without the file no commit can prove who made it, and a line that cannot be read "
        "silently drops someone's key.",
        "api-coder ssh-ed25519 not-base64",
        "`taskgate agent add NAME --key-dir DIR` writes a correct line; the lead commits it "
        "(scope: the lead's role).",
    ),
    _r(
        "TG709",
        "signing-setup",
        "pre",
        "signed mode: git is not set up to sign this commit with an SSH key",
        "In the commit hooks the commit does not exist yet, so the actor is the key git will "
        "sign with: `gpg.format = ssh`, `commit.gpgsign = true` and `user.signingkey` (a key "
        "file or `key::ssh-ed25519 …`) must be configured.",
        "An unsigned commit would be refused at the server; saying so before the commit "
        "exists saves the round trip.",
        "git config --unset commit.gpgsign && git commit -m 'feat(api): x'",
        "Commit from the worktree `taskgate agent worktree NAME PATH` made, or run "
        "`git config gpg.format ssh`, `git config user.signingkey PATH/TO/KEY`, "
        "`git config commit.gpgsign true`.",
    ),
    # --- the agent guard (`taskgate guard`, before a tool call runs) -------
    _r(
        "TG801",
        "guard-no-verify",
        "agent",
        "an agent command skips git's hooks (--no-verify, -n)",
        "`taskgate guard` blocks `git commit`, `git push`, `git merge` and `git am` with "
        "`--no-verify` (or an abbreviation of it) and `git commit -n` / `git push -n` before "
        "the agent's runtime runs them, also inside `env X=1 …`, `bash -c '…'` and chains "
        "joined by `&&`, `;` or `|`, and a `git config alias.*` that does the same. For "
        "`git push`, `-n` means `--dry-run`: spell that out.",
        "A commit that skips the hooks skips every rule; pre-push and CI catch it later, "
        "after the agent has built on it.",
        "git commit --no-verify -m 'feat(python): x'",
        "Fix what the hook reports; if the rule or a test looks wrong, `taskgate dispute`.",
    ),
    _r(
        "TG802",
        "guard-force-push",
        "agent",
        "an agent command force-pushes to a protected branch",
        "`git push --force`, `-f`, `--force-with-lease`, `--mirror`, a `+refspec` or a "
        "deletion whose target is main, master, trunk, develop, production or release/* "
        "(with no refspec: the current branch).",
        "Rewriting a shared branch throws away other people's commits and the record the "
        "checks were run against.",
        "git push --force origin main",
        "Push a new branch and open a pull request.",
    ),
    _r(
        "TG803",
        "guard-hooks-path",
        "agent",
        "an agent command changes core.hooksPath",
        "`git config core.hooksPath …` (any change, `--unset` included; reading is fine), "
        "`git -c core.hooksPath=…`, `--config-env` and `GIT_CONFIG_KEY_n`/"
        "`GIT_CONFIG_PARAMETERS` naming it, and edits of git's own config file.",
        "Pointing git at another hooks folder switches every local check off.",
        "git config core.hooksPath /dev/null",
        "Leave the hooks where `taskgate install` put them.",
    ),
    _r(
        "TG804",
        "guard-hooks-folder",
        "agent",
        "an agent command or edit changes the hooks folder or git's own files",
        "chmod, rm, mv, truncate, a redirection and the like on a file in the hooks folder "
        "git uses (`git rev-parse --git-path hooks`) or on a folder holding it; a file edit "
        "inside the git directory.",
        "A hook that is not executable, or not there, does not run.",
        "chmod -x .git/hooks/*",
        "Leave the hooks alone; ask the lead if a hook is broken.",
    ),
    _r(
        "TG805",
        "guard-ref-rewrite",
        "agent",
        "an agent command rewrites refs or history behind git's back",
        "`git update-ref`, `git replace` (listing aside), `git filter-branch` and "
        "`git filter-repo`.",
        "They move branches and rewrite history without a commit, so no hook ever sees the change.",
        "git update-ref refs/heads/main HEAD~3",
        "Make new commits; history rewrites are the lead's.",
    ),
    _r(
        "TG806",
        "guard-rebase-pushed",
        "agent",
        "an agent command rebases commits that are already pushed",
        "`git rebase` (not --continue/--abort/--skip) when a commit it would rewrite is "
        "reachable from a remote-tracking branch.",
        "Rewriting pushed commits forces a force-push and strands everyone who built on them.",
        "git rebase -i HEAD~5   # three of them are on origin/main",
        "Rebase only your unpushed commits, or add a new commit.",
    ),
    _r(
        "TG807",
        "guard-cannot-run",
        "agent",
        "the guard could not judge the tool call, so it blocks it",
        "An event that is not the runtime's documented JSON, a policy or module map that "
        "cannot be read at HEAD, an agent identity that names no agent, or an internal "
        "failure: the guard fails closed, in the runtime's own blocking protocol.",
        "A guard that fails open is no guard: a crash would let every call through.",
        "TASKGATE_AGENT=pyhton-coder (a typo) while editing services/api/x.py",
        "Fix what the message names (`taskgate check` shows policy problems).",
    ),
]

RULES: dict[str, Rule] = {r.id: r for r in _ALL}
