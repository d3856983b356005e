"""The shell analysis: each way around the checks, and the look-alikes that are fine."""

from __future__ import annotations

import pytest

from taskgate.agentside.shell import Inspector, analyse, simple_commands

HOOKS = "/repo/.git/hooks"


def inspector(pushed: bool = False, branch: str = "main") -> Inspector:
    return Inspector(lambda: [HOOKS], lambda cwd: branch, lambda cwd, args: pushed)


def rules(command: str, **kw: bool | str) -> list[str]:
    return [f.rule for f in analyse(command, "/repo", inspector(**kw))]  # type: ignore[arg-type]


BLOCKED = [
    ("git commit --no-verify -m 'feat(python): x'", "TG801"),
    ("git commit -n -m x", "TG801"),
    ("git commit -nm x", "TG801"),
    ("git commit -am x -n", "TG801"),
    ("git commit --no-verif -m x", "TG801"),  # git takes unambiguous prefixes
    ("git push --no-verify origin feature", "TG801"),
    ("git push -n origin feature", "TG801"),  # the rule; the hint says --dry-run
    ("git merge --no-verify feature", "TG801"),
    ("git am --no-verify < x.patch", "TG801"),
    ("env X=1 git commit --no-verify -m x", "TG801"),
    ("FOO=1 BAR=2 git commit -n -m x", "TG801"),
    ("git -c user.name=x commit --no-verify -m x", "TG801"),
    ("git -C services/api commit -n -m x", "TG801"),
    ("bash -c 'git commit --no-verify -m x'", "TG801"),
    ('sh -lc "cd services && git commit -n -m x"', "TG801"),
    ("sudo -u me git commit -n -m x", "TG801"),
    ("timeout 30 git commit -n -m x", "TG801"),
    ("ruff check . && git commit --no-verify -m x", "TG801"),
    ("pytest; git commit --no-verify -m x", "TG801"),
    ("echo y | git commit --no-verify -m x", "TG801"),
    ("pytest\ngit commit --no-verify -m x", "TG801"),
    ("/usr/bin/git commit --no-verify -m x", "TG801"),
    ("git push --force origin main", "TG802"),
    ("git push -f origin master", "TG802"),
    ("git push --force-with-lease origin main", "TG802"),
    ("git push origin +main", "TG802"),
    ("git push origin +HEAD:main", "TG802"),
    ("git push origin --delete main", "TG802"),
    ("git push origin :release/1.0", "TG802"),
    ("git push --force", "TG802"),  # no refspec: the current branch, main here
    ("git push --mirror", "TG802"),
    ("git config alias.ci 'commit --no-verify'", "TG801"),
    ("git config --global alias.c 'commit -n'", "TG801"),
    ("git config core.hooksPath /dev/null", "TG803"),
    ("git config --local core.hooksPath .nohooks", "TG803"),
    ("git config --unset core.hooksPath", "TG803"),
    ("git config set core.hooksPath x", "TG803"),
    ("git -c core.hooksPath=/dev/null commit -m x", "TG803"),
    (
        "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/x git commit",
        "TG803",
    ),
    ("chmod -x .git/hooks/*", "TG804"),
    ("chmod -x .git/hooks/pre-commit", "TG804"),
    ("rm .git/hooks/commit-msg", "TG804"),
    ("rm -rf .git/hooks", "TG804"),
    ("rm -rf .git", "TG804"),  # a folder holding the hooks
    ("mv .git/hooks/pre-commit /tmp/x", "TG804"),
    ("cd .git && rm -rf hooks", "TG804"),
    ("echo exit 0 > .git/hooks/pre-commit", "TG804"),
    ("cp /dev/null .git/hooks/pre-commit", "TG804"),
    ("truncate -s 0 /repo/.git/hooks/pre-push", "TG804"),
    ("find .git/hooks -type f -delete", "TG804"),
    ("git update-ref refs/heads/main HEAD~1", "TG805"),
    ("git replace HEAD HEAD~1", "TG805"),
    ("git filter-branch --tree-filter 'rm -f x' HEAD", "TG805"),
    ("git filter-repo --path x --invert-paths", "TG805"),
]


@pytest.mark.parametrize(("command", "rule"), BLOCKED, ids=[c for c, _ in BLOCKED])
def test_bypass_is_blocked(command: str, rule: str) -> None:
    assert rule in rules(command)


ALLOWED = [
    "git commit -m 'feat(python): x'",
    "git commit -m -n",  # the message is "-n"
    "git commit -mn",  # the message is "n"
    "git commit -F msg.txt",
    "git push origin feature",
    "git push --dry-run origin main",
    "git push -f origin feature/mine",  # not a protected branch
    "git push --force-with-lease origin my-branch",
    "git config core.hooksPath",  # reading
    "git config --get core.hooksPath",
    "git config user.name me",
    "git config alias.st status",
    "git replace -l",
    "git rebase --continue",
    "git log --oneline | head -n 5",
    "rm -rf build dist",
    "rm -rf *",  # `*` skips .git
    "chmod +x scripts/run.sh",
    "cp .git/hooks/pre-commit /tmp/look-at-it",  # reading a hook is fine
    "echo 'git commit --no-verify' > notes.txt",  # words in a quoted string
    "pytest -q && ruff check .",
    "grep -rn no-verify docs",
]


@pytest.mark.parametrize("command", ALLOWED)
def test_look_alikes_are_allowed(command: str) -> None:
    assert rules(command) == []


def test_rebase_blocked_only_when_it_rewrites_pushed_commits() -> None:
    assert rules("git rebase -i HEAD~3", pushed=True) == ["TG806"]
    assert rules("git rebase -i HEAD~3", pushed=False) == []


def test_push_dash_n_hint_explains_dry_run() -> None:
    (finding,) = analyse("git push -n origin x", "/repo", inspector())
    assert finding.rule == "TG801"
    assert finding.hint is not None
    assert "--dry-run" in finding.hint


def test_unbalanced_quotes_fall_back_to_words() -> None:
    assert "TG801" in rules("git commit --no-verify -m 'unterminated")


def test_simple_commands_split_at_operators_and_collect_redirections() -> None:
    got = list(simple_commands("a x && b > out.txt; c | d 2>/dev/null"))
    assert got == [(["a", "x"], []), (["b"], ["out.txt"]), (["c"], []), (["d"], ["/dev/null"])]
