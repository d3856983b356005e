"""The agent guard's rule ids TG801 to TG807 (SPEC §10.7): emitted by
`taskgate guard` (`taskgate.agentside.shell` and `taskgate.agentside.guard`) before an
agent's tool call runs, not by a check of the rule registry."""

from __future__ import annotations

from taskgate.rules.registry import AGENT_ONLY, rule

TG801 = rule(
    id="TG801",
    name="guard-no-verify",
    stages=AGENT_ONLY,
    summary="an agent command skips git's hooks (--no-verify, -n)",
    what=(
        "`taskgate guard` blocks `git commit`, `git push`, `git merge` and `git am` with "
        "`--no-verify` (or an abbreviation of it) and `git commit -n` / `git push -n` before "
        "the agent's runtime runs them, also inside `env X=1 …`, `bash -c '…'` and chains "
        "joined by `&&`, `;` or `|`, and a `git config alias.*` that does the same. For "
        "`git push`, `-n` means `--dry-run`: spell that out."
    ),
    why=(
        "A commit that skips the hooks skips every rule; pre-push and CI catch it later, "
        "after the agent has built on it."
    ),
    example="git commit --no-verify -m 'feat(python): x'",
    fix="Fix what the hook reports; if the rule or a test looks wrong, `taskgate dispute`.",
)

TG802 = rule(
    id="TG802",
    name="guard-force-push",
    stages=AGENT_ONLY,
    summary="an agent command force-pushes to a protected branch",
    what=(
        "`git push --force`, `-f`, `--force-with-lease`, `--mirror`, a `+refspec` or a "
        "deletion whose target is main, master, trunk, develop, production or release/* "
        "(with no refspec: the current branch)."
    ),
    why=(
        "Rewriting a shared branch throws away other people's commits and the record the "
        "checks were run against."
    ),
    example="git push --force origin main",
    fix="Push a new branch and open a pull request.",
)

TG803 = rule(
    id="TG803",
    name="guard-hooks-path",
    stages=AGENT_ONLY,
    summary="an agent command changes core.hooksPath",
    what=(
        "`git config core.hooksPath …` (any change, `--unset` included; reading is fine), "
        "`git -c core.hooksPath=…`, `--config-env` and `GIT_CONFIG_KEY_n`/"
        "`GIT_CONFIG_PARAMETERS` naming it, and edits of git's own config file."
    ),
    why="Pointing git at another hooks folder switches every local check off.",
    example="git config core.hooksPath /dev/null",
    fix="Leave the hooks where `taskgate install` put them.",
)

TG804 = rule(
    id="TG804",
    name="guard-hooks-folder",
    stages=AGENT_ONLY,
    summary="an agent command or edit changes the hooks folder or git's own files",
    what=(
        "chmod, rm, mv, truncate, a redirection and the like on a file in the hooks folder "
        "git uses (`git rev-parse --git-path hooks`) or on a folder holding it; a file edit "
        "inside the git directory."
    ),
    why="A hook that is not executable, or not there, does not run.",
    example="chmod -x .git/hooks/*",
    fix="Leave the hooks alone; ask the lead if a hook is broken.",
)

TG805 = rule(
    id="TG805",
    name="guard-ref-rewrite",
    stages=AGENT_ONLY,
    summary="an agent command rewrites refs or history behind git's back",
    what=(
        "`git update-ref`, `git replace` (listing aside), `git filter-branch` and "
        "`git filter-repo`."
    ),
    why="They move branches and rewrite history without a commit, so no hook ever sees the change.",
    example="git update-ref refs/heads/main HEAD~3",
    fix="Make new commits; history rewrites are the lead's.",
)

TG806 = rule(
    id="TG806",
    name="guard-rebase-pushed",
    stages=AGENT_ONLY,
    summary="an agent command rebases commits that are already pushed",
    what=(
        "`git rebase` (not --continue/--abort/--skip) when a commit it would rewrite is "
        "reachable from a remote-tracking branch."
    ),
    why="Rewriting pushed commits forces a force-push and strands everyone who built on them.",
    example="git rebase -i HEAD~5   # three of them are on origin/main",
    fix="Rebase only your unpushed commits, or add a new commit.",
)

TG807 = rule(
    id="TG807",
    name="guard-cannot-run",
    stages=AGENT_ONLY,
    summary="the guard could not judge the tool call, so it blocks it",
    what=(
        "An event that is not the runtime's documented JSON, a policy or module map that "
        "cannot be read at HEAD, an agent identity that names no agent, or an internal "
        "failure: the guard fails closed, in the runtime's own blocking protocol."
    ),
    why="A guard that fails open is no guard: a crash would let every call through.",
    example="TASKGATE_AGENT=pyhton-coder (a typo) while editing services/api/x.py",
    fix="Fix what the message names (`taskgate check` shows policy problems).",
)
