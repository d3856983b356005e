"""`make demo`: a lead and two coding agents share one repository; taskgate keeps them honest.

Builds a throw-away repository (modules `api` and `web`, a board, a plan, a policy),
installs taskgate's hooks and replays a short story through real `git commit`s.
Each scene says what it expects: a commit that lands, or a rejection with given
rule ids. Exit status 0 when every scene behaved as expected, 1 otherwise.

The story is the list SCENES. A scene whose rule family is not part of this
installation yet (`needs`) is left out, so the demo grows as the families land.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

STRUCTURE = {
    "version": 1,
    "modules": {
        "api": {"path": "services/api", "agent": "api-coder", "language": "python"},
        "web": {"path": "web", "agent": "web-coder"},
    },
    "roles": {"lead": "lead", "reviewer": "review"},
}

PLAN = """# Plan

## Milestones

1. The api lists users; the web module shows them.

## Contracts

- GET /users: a page of users
"""

USERS = '''"""Users of the demo service."""

USERS = ["ada", "grace", "linus"]


def list_users(page: int = 0, size: int = 2) -> list[str]:
    """One page of user names."""
    return USERS[page * size : (page + 1) * size]
'''

USERS_BROKEN = USERS.replace("(page + 1) * size", "(page + 2) * size")

TEST_USERS = """from app.users import list_users


def test_first_page() -> None:
    assert list_users(0) == ["ada", "grace"]


def test_second_page() -> None:
    assert list_users(1) == ["linus"]
"""

TEST_USERS_SKIPPED = "import pytest\n\n" + TEST_USERS.replace(
    "def test_second_page", '@pytest.mark.skip(reason="flaky")\ndef test_second_page'
)


def board(t1: str, t1_files: list[str] | None = None) -> str:
    tasks = [
        {"id": "T1", "title": "List users page by page", "assignee": "api", "status": t1,
         "depends_on": [], "outputs": {"files": t1_files or []}},
        {"id": "T2", "title": "Users page", "assignee": "web", "status": "todo",
         "depends_on": ["T1"]},
    ]  # fmt: skip
    return json.dumps({"version": 1, "tasks": tasks}, indent=2) + "\n"


def has(module: str) -> bool:
    """Whether this installation has a taskgate module (a rule family, the gate)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


GATE = has("taskgate.gate")

# The mission's tools: the linter, the type checker and the tests, on exactly the staged
# files of every Python module (`make demo` installs them into the demo's environment).
GATE_TOOLS = ("ruff", "mypy", "pytest")
POLICY = (
    '[gate.python]\ncommands = ["ruff check .", "mypy .", "pytest -q"]\n'
    if GATE
    else "[gate]\nenabled = false\n"
)

SIGNED_POLICY = POLICY + '\n[identity]\nmode = "signed"\n'

COUNT = '''"""How many users there are."""

from app.users import USERS


def count_users() -> int:
    """The number of users."""
    return len(USERS)
'''


def board_t3() -> str:
    """T1 done; T3 (count the users) handed to the api agent."""
    doc = json.loads(board("done", ["services/api/app/users.py"]))
    doc["tasks"].append({"id": "T3", "title": "Count users", "assignee": "api",
                         "status": "in_progress", "depends_on": []})  # fmt: skip
    return json.dumps(doc, indent=2) + "\n"


SETUP_FILES: dict[str, str] = {
    "shared/project_structure.json": json.dumps(STRUCTURE, indent=2) + "\n",
    "shared/task_list.json": board("todo"),
    "shared/plan.md": PLAN,
    "taskgate.toml": POLICY,
    "services/api/pyproject.toml": '[project]\nname = "api"\nversion = "0.1.0"\n',
    "services/api/app/__init__.py": "",
    "services/api/app/users.py": USERS.replace("size : (page + 1) * size", "size : page"),
    "services/api/tests/__init__.py": "",
    "services/api/tests/test_users.py": TEST_USERS.split("\n\n\ndef test_second")[0].replace(
        '["ada", "grace"]', "[]"
    )
    + "\n",
    "web/index.html": "<h1>Users</h1>\n",
}


class Scene(NamedTuple):
    """One step of the story: write files, run a command, expect an outcome."""

    title: str
    command: tuple[str, ...]  # "git …" or "taskgate …"
    files: Mapping[str, str] = MappingProxyType({})
    rejected_by: tuple[str, ...] = ()  # rule ids; empty: the command must succeed
    needs: tuple[str, ...] = ()  # taskgate modules the scene depends on
    keep: bool = False  # after a rejection, keep the staged files for the next scene
    note: str = ""
    where: str = ""  # a folder next to the repository (an agent's worktree); "" the repository
    add: tuple[str, ...] = ()  # more paths to stage (files a command wrote)


SCENES: list[Scene] = [
    Scene(
        "The lead sets up modules, board, plan and policy",
        ("git", "commit", "-m", "chore(lead): set up the team workflow"),
        SETUP_FILES,
    ),
    Scene(
        "The api coder picks up task T1",
        ("git", "commit", "-m", "chore(api): start T1"),
        {"shared/task_list.json": board("in_progress")},
    ),
    Scene(
        "The api coder writes paging, and a free-style commit message",
        ("git", "commit", "-m", "Added paging to the user list"),
        {"services/api/app/users.py": USERS, "services/api/tests/test_users.py": TEST_USERS},
        rejected_by=("TG101",),
        keep=True,
        note="The same files are still staged; only the message changes.",
    ),
    Scene(
        "Same change, corrected message",
        ("git", "commit", "-m", "feat(api): page the user list"),
        note="With the gate on, this commit reuses the test run of the rejected one (cache).",
    ),
    Scene(
        "Same change, but the scope is a typo",
        ("git", "commit", "--allow-empty", "-m", "docs(api2): explain paging"),
        rejected_by=("TG104",),
    ),
    Scene(
        "The api coder 'helps' the web module",
        ("git", "commit", "-m", "feat(api): show users on the page"),
        {"web/index.html": "<h1>Users</h1>\n<ul id='users'></ul>\n"},
        rejected_by=("TG201", "TG203"),
        needs=("taskgate.rules.lanes",),
    ),
    Scene(
        "The api coder marks T1 done without naming its outputs",
        ("git", "commit", "-m", "chore(api): finish T1"),
        {"shared/task_list.json": board("done")},
        rejected_by=("TG306",),
        needs=("taskgate.rules.board",),
    ),
    Scene(
        "The api coder breaks the paging and commits anyway",
        ("git", "commit", "-m", "refactor(api): simplify paging"),
        {"services/api/app/users.py": USERS_BROKEN},
        rejected_by=("TG401",),
        needs=("taskgate.gate",),
    ),
    Scene(
        "The api coder parks a test with a skip marker",
        ("git", "commit", "-m", "test(api): park a flaky test"),
        {"services/api/tests/test_users.py": TEST_USERS_SKIPPED},
        rejected_by=("TG602",),
        needs=("taskgate.rules.skips",),
    ),
    Scene(
        "T1 done, with its outputs",
        ("git", "commit", "-m", "chore(api): finish T1\n\nTask: T1"),
        {"shared/task_list.json": board("done", ["services/api/app/users.py"])},
    ),
    Scene(
        "What does TG101 mean?",
        ("taskgate", "explain", "TG101"),
    ),
    # --- signed mode: the key, not the scope, says who commits (SPEC §10.4) ---------
    Scene(
        "The lead makes its own signing key and the api agent's (outside the repository)",
        ("taskgate", "agent", "add", "api-coder", "--key-dir", "{keys}"),
        needs=("taskgate.identity",),
        note="`taskgate agent add lead --key-dir …` ran just before, the same way.",
    ),
    Scene(
        "The lead turns signed mode on, in a commit signed with its key",
        (
            "git",
            "-c",
            "gpg.format=ssh",
            "-c",
            "user.signingkey={keys}/lead",
            "commit",
            "-S",
            "-m",
            "chore(lead): commits are signed from now on",
        ),
        {"taskgate.toml": SIGNED_POLICY, "shared/task_list.json": board_t3()},
        add=("shared/allowed_signers",),
        needs=("taskgate.identity",),
    ),
    Scene(
        "The api agent gets its own worktree, which signs every commit with its key",
        ("taskgate", "agent", "worktree", "api-coder", "{root}/api", "-b", "api-work"),
        needs=("taskgate.identity",),
    ),
    Scene(
        "The api agent claims the lead's scope to turn the gate off",
        ("git", "commit", "-m", "chore(lead): turn the gate off"),
        {
            "taskgate.toml": (
                "[gate]\nenabled = false\n\n" + SIGNED_POLICY
                if GATE
                else SIGNED_POLICY + "# the lead's policy, edited by the api agent\n"
            )
        },
        rejected_by=("TG204", "TG706"),
        where="api",
        needs=("taskgate.identity",),
        note="Its key, not its scope, names the actor; pre-receive and `taskgate ci` check "
        "the signature the same way, so --no-verify does not help.",
    ),
    Scene(
        "The api agent's honest commit, in its own lane, signed",
        ("git", "commit", "-m", "feat(api): count the users\n\nTask: T3"),
        {"services/api/app/count.py": COUNT},
        where="api",
        needs=("taskgate.identity",),
    ),
]


# --- presentation ------------------------------------------------------------------


class Style(NamedTuple):
    ok: Callable[[str], str]
    bad: Callable[[str], str]
    dim: Callable[[str], str]
    bold: Callable[[str], str]


def style() -> Style:
    if "NO_COLOR" in os.environ or not sys.stdout.isatty():
        same: Callable[[str], str] = str
        return Style(same, same, same, same)

    def paint(code: str) -> Callable[[str], str]:
        return lambda text: f"\033[{code}m{text}\033[0m"

    return Style(paint("32"), paint("31"), paint("2"), paint("1"))


def shown(command: tuple[str, ...]) -> str:
    words = list(command)
    if words[:2] == ["git", "commit"] and "-m" in words:
        i = words.index("-m") + 1
        words[i] = words[i].split("\n", 1)[0] + (" …" if "\n" in words[i] else "")
    return " ".join(shlex.quote(w) for w in words)


def rule_ids(output: str) -> list[str]:
    found = []
    for line in output.splitlines():
        word = line.split(" ", 1)[0]
        if len(word) == 5 and word.startswith("TG") and word[2:].isdigit():
            found.append(word)
    return found


MAX_LINES = 14


def worth_showing(line: str) -> bool:
    # The hooks' closing count lines repeat what the verdict says.
    return bool(line.strip()) and not line.startswith("taskgate ")


# --- running -------------------------------------------------------------------------


def demo_env(home: Path) -> dict[str, str]:
    gitconfig = home / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Demo\n\temail = demo@example.invalid\n[init]\n\tdefaultBranch = main\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.pop("TASKGATE_AGENT", None)
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(gitconfig), GIT_EDITOR=":")
    env["NO_COLOR"] = "1"
    return env


def run(argv: tuple[str, ...], repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if argv[0] == "taskgate":
        argv = (sys.executable, "-m", "taskgate", *argv[1:])
    return subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, check=False)


def play(scene: Scene, number: int, repo: Path, env: dict[str, str], s: Style) -> bool:
    print(f"\n{s.bold(f'{number:2}. {scene.title}')}")
    root = repo.parent
    places = {"{keys}": str(root / "keys"), "{root}": str(root)}
    command = tuple(_fill(word, places) for word in scene.command)
    cwd = root / scene.where if scene.where else repo
    for path, text in scene.files.items():
        target = cwd / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if scene.files or scene.add:
        run(("git", "add", "--", *scene.files, *scene.add), cwd, env)
    print(
        f"    $ {shown(scene.command)}" + (s.dim(f"   (in {scene.where}/)") if scene.where else "")
    )
    proc = run(command, cwd, env)
    output = proc.stdout + proc.stderr
    found = rule_ids(output)
    if scene.command[0] == "taskgate" and not scene.rejected_by:
        lines = proc.stdout.splitlines()[:12]
        for line in lines:
            print(s.dim(f"      {line}"))
        behaved = proc.returncode == 0
    elif scene.rejected_by:
        behaved = proc.returncode != 0 and sorted(set(found)) == sorted(scene.rejected_by)
        verdict = s.bad("✗ rejected") + f" ({', '.join(dict.fromkeys(found)) or 'no rule id'})"
        print(f"    {verdict}")
        shown_lines = [line for line in output.splitlines() if worth_showing(line)]
        for line in shown_lines[:MAX_LINES]:
            print(s.dim(f"      │ {line}"))
        if len(shown_lines) > MAX_LINES:
            print(s.dim(f"      │ … {len(shown_lines) - MAX_LINES} more lines"))
    else:
        behaved = proc.returncode == 0
        if behaved:
            sha = run(("git", "rev-parse", "--short", "HEAD"), cwd, env).stdout.strip()
            print(f"    {s.ok('✓ committed')} {sha}")
            for line in filter(worth_showing, output.splitlines()):
                if "gate:" in line:
                    print(s.dim(f"      │ {line.strip()}"))
        else:
            print(f"    {s.bad('✗ rejected')} (expected to land)")
            for line in filter(worth_showing, output.splitlines()):
                print(s.dim(f"      │ {line}"))
    if scene.note:
        print(s.dim(f"    ({scene.note})"))
    if not behaved:
        wanted = ", ".join(scene.rejected_by) or "success"
        print(s.bad(f"    !! expected {wanted}; exit {proc.returncode}, rules {found or 'none'}"))
    if scene.rejected_by and not scene.keep:
        # Put the repository back as the last commit left it, for the next scene.
        run(("git", "reset", "-q", "--hard", "HEAD"), cwd, env)
    return behaved


def _fill(word: str, places: Mapping[str, str]) -> str:
    for mark, value in places.items():
        word = word.replace(mark, value)
    return word


def main() -> int:
    s = style()
    scenes = [sc for sc in SCENES if all(has(m) for m in sc.needs)]
    left_out = len(SCENES) - len(scenes)
    print(s.bold("taskgate demo") + " — a lead and two coding agents share one repository")
    print("modules: api (services/api, Python), web (web); board: T1 for api, T2 for web")
    print(f"the gate (tests before commit) is {'on' if GATE else 'off: taskgate.gate is missing'}")
    if GATE:
        missing = [t for t in GATE_TOOLS if not (Path(sys.executable).parent / t).exists()]
        if missing:
            install = f"{sys.executable} -m pip install {' '.join(GATE_TOOLS)}"
            where = Path(sys.executable).parent
            print(s.bad(f"the gate's tools are missing from {where}: {', '.join(missing)}; "
                        f"`make demo` installs them (or: {install})"))  # fmt: skip
            return 1
        print(f"the gate runs {', '.join(GATE_TOOLS)} from {Path(sys.executable).parent}")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="taskgate-demo-") as tmp:
        root = Path(tmp)
        repo = root / "repo"
        repo.mkdir()
        env = demo_env(root)
        setup: list[tuple[str, ...]] = [
            ("git", "init", "-q", "-b", "main"),
            ("taskgate", "install"),
        ]
        if any(sc.needs == ("taskgate.identity",) for sc in scenes):
            # The lead's own key, made like the api agent's in the scenes below.
            setup.append(("taskgate", "agent", "add", "lead", "--key-dir", str(root / "keys")))
        for argv in setup:
            proc = run(argv, repo, env)
            if proc.returncode != 0:
                print(s.bad(f"setup failed: {shown(argv)}\n{proc.stderr}"))
                return 1
        print(s.dim(f"hooks installed in {repo}/.git/hooks (removed when the demo ends)"))
        for number, scene in enumerate(scenes, start=1):
            if not play(scene, number, repo, env, s):
                failures += 1
    extra = f", {left_out} left out (their rule families are not installed)" if left_out else ""
    if failures:
        print(s.bad(f"\n{failures} of {len(scenes)} scenes did not behave as expected{extra}"))
        return 1
    print(s.ok(f"\nall {len(scenes)} scenes behaved as expected{extra}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
