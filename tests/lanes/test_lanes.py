"""Lane rules TG201–TG207 (SPEC §3) through the commit hooks.

The case table is judged in memory as the two hooks judge a staged change
(tests/support/staged.py); its first case per rule id also makes a real commit through the
shims, which the judge in memory must agree with. Plumbing (claims from the environment and
git config, merges, odd paths) makes real commits.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import NamedTuple

import pytest

from tests.conftest import PLAN, GitRepo
from tests.lanes.conftest import (
    STRUCT,
    TASKS,
    assert_findings,
    base,
    board_doc,
    check_json,
    lead_setup,
    text_findings,
)
from tests.support.boards import set_
from tests.support.inprocess import one_per_rule
from tests.support.staged import MemoryScene, Scene, edit_tasks, on_both

CODER, REVIEWER, LEAD = "feat(python)", "chore(review)", "chore(lead)"
PLAN_PATH = "shared/plan.md"
CORE = "services/api/app/core.py"

Stage = Callable[[Scene], None]


def write(*pairs: tuple[str, str]) -> Stage:
    def stage(scene: Scene) -> None:
        for rel, content in pairs:
            scene.write(rel, content)

    return stage


def remove(rel: str) -> Stage:
    return lambda scene: scene.remove(rel)


def move(src: str, dst: str) -> Stage:
    return lambda scene: scene.move(src, dst)


def symlink(rel: str, target: str) -> Stage:
    return lambda scene: scene.symlink(rel, target)


def gitlink(rel: str) -> Stage:
    return lambda scene: scene.gitlink(rel)


def plan_edit(old: str, new: str) -> Stage:
    def stage(scene: Scene) -> None:
        text = scene.read_text(PLAN_PATH)
        assert old in text
        scene.write(PLAN_PATH, text.replace(old, new, 1))

    return stage


def chain(*stages: Stage) -> Stage:
    def stage(scene: Scene) -> None:
        for s in stages:
            s(scene)

    return stage


class Case(NamedTuple):
    name: str
    scope: str
    stage: Stage
    expected: list[tuple[str, str]]


W = "web/index.html"

CASES = [
    # a coder's own module, and what is outside it
    Case("coder changes own module", CODER, write((CORE, "X = 2\n")), []),
    Case("coder changes another module", CODER, write((W, "<p>x</p>\n")),
         [("TG201", W), ("TG203", W)]),
    Case("coder changes own and another module", CODER,
         write((CORE, "X = 2\n"), (W, "<p>x</p>\n")), [("TG201", W), ("TG202", W)]),
    Case("coder changes another module and a file of none", CODER,
         write((W, "<p>x</p>\n"), ("mobile/app.kt", "x\n")),
         [("TG201", W), ("TG201", "mobile/app.kt"), ("TG203", W)]),
    Case("coder changes a file of no module", CODER, write(("README.md", "hi\n")),
         [("TG201", "README.md")]),
    Case("coder changes a look-alike folder", CODER, write(("services/api2/x.py", "X = 1\n")),
         [("TG201", "services/api2/x.py")]),
    Case("coder changes a parent folder's file", CODER, write(("services/x.py", "X = 1\n")),
         [("TG201", "services/x.py")]),
    Case("coder deletes another module's file", CODER, remove(W),
         [("TG201", W), ("TG203", W)]),
    Case("coder renames another module's file into own module", CODER,
         move(W, "services/api/index.html"), [("TG201", W), ("TG202", W)]),
    Case("coder renames own file out of the module", CODER, move(CORE, "lib/core.py"),
         [("TG201", "lib/core.py")]),
    Case("coder renames within own module", CODER, move(CORE, "services/api/core2.py"), []),
    Case("coder copies another module's file into own module", CODER,
         write(("services/api/index.html", "<p>hi</p>\n")), []),
    # the shared exceptions: the API folder and the Contracts section
    Case("coder writes the API folder", CODER,
         write(("shared/api/openapi.json", '{"openapi": "3.1.0"}\n')), []),
    Case("coder writes a look-alike of the API folder", CODER,
         write(("shared/api2/x.json", "{}\n")), [("TG201", "shared/api2/x.json")]),
    Case("coder writes elsewhere in shared/", CODER, write(("shared/notes.md", "x\n")),
         [("TG201", "shared/notes.md")]),
    Case("coder appends an endpoint to Contracts", CODER,
         plan_edit("- GET /health\n", "- GET /health\n- GET /users/{id}\n"), []),
    Case("coder appends at the end of Contracts", CODER,
         plan_edit("- GET /health\n\n## Database", "- GET /health\n\n- POST /users\n\n## Database"),
         []),
    Case("coder adds a line to another section", CODER,
         plan_edit("1. Users.\n", "1. Users.\n2. Admins.\n"), [("TG206", PLAN_PATH)]),
    Case("coder changes a Contracts line", CODER,
         plan_edit("- GET /health\n", "- GET /healthz\n"), [("TG206", PLAN_PATH)]),
    Case("coder removes a line", CODER, plan_edit("- users(id, name)\n", ""),
         [("TG206", PLAN_PATH)]),
    Case("coder adds a heading inside Contracts", CODER,
         plan_edit("- GET /health\n", "- GET /health\n## Mine\n- GET /x\n"),
         [("TG206", PLAN_PATH)]),
    Case("coder deletes the plan", CODER, remove(PLAN_PATH), [("TG206", PLAN_PATH)]),
    # policy files are the lead's
    Case("coder changes the policy", CODER, write(("taskgate.toml", "[gate]\nenabled = true\n")),
         [("TG204", "taskgate.toml")]),
    Case("coder changes the module map", CODER,
         lambda scene: scene.write(STRUCT, scene.read_text(STRUCT).replace(
             '"version": 1,', '"version": 1, "x-note": "mine",')),
         [("TG204", STRUCT)]),
    Case("coder changes .pre-commit-config.yaml", CODER,
         write((".pre-commit-config.yaml", "repos: []\n")), [("TG204", ".pre-commit-config.yaml")]),
    Case("coder changes a workflow in .github/", CODER,
         write((".github/workflows/ci.yml", "on: push\n")),
         [("TG204", ".github/workflows/ci.yml")]),
    Case("coder changes .gitlab-ci.yml", CODER, write((".gitlab-ci.yml", "x: 1\n")),
         [("TG204", ".gitlab-ci.yml")]),
    Case("coder changes a hook shim", CODER, write(("hooks/pre-commit", "#!/bin/sh\n")),
         [("TG204", "hooks/pre-commit")]),
    Case("coder changes .gitattributes", CODER, write((".gitattributes", "* -diff\n")),
         [("TG204", ".gitattributes")]),
    Case("coder moves the policy into [tool.taskgate] of the root pyproject.toml", CODER,
         chain(remove("taskgate.toml"),
               write(("pyproject.toml", "[tool.taskgate.rules]\nignore = []\n"))),
         [("TG204", "pyproject.toml"), ("TG204", "taskgate.toml")]),
    # Beside taskgate.toml it makes two policies: refused at pre-commit already.
    Case("coder adds [tool.taskgate] beside taskgate.toml", CODER,
         write(("pyproject.toml", "[tool.taskgate.rules]\nignore = []\n")),
         [("TG311", "taskgate.toml")]),
    Case("coder changes a root pyproject.toml without taskgate", CODER,
         write(("pyproject.toml", "[tool.ruff]\nline-length = 100\n")),
         [("TG201", "pyproject.toml")]),
    Case("coder changes a .github folder inside the module", CODER,
         write(("services/api/.github/notes.md", "x\n")), []),
    # symlinks count where they point
    Case("coder links inside own module", CODER, symlink("services/api/link", "app/core.py"), []),
    Case("coder links into another module", CODER,
         symlink("services/api/link", "../../web/index.html"), [("TG205", "services/api/link")]),
    Case("coder links to an absolute path", CODER, symlink("services/api/link", "/etc/passwd"),
         [("TG205", "services/api/link")]),
    Case("coder links out of the repository", CODER,
         symlink("services/api/link", "../../../../outside"), [("TG205", "services/api/link")]),
    Case("coder links to a look-alike folder", CODER,
         symlink("services/api/link", "../api2/x.py"), [("TG205", "services/api/link")]),
    Case("coder links from the API folder into a module", CODER,
         symlink("shared/api/link", "../../web/index.html"), [("TG205", "shared/api/link")]),
    # submodules are the lead's
    Case("coder adds a submodule in own module", CODER, gitlink("services/api/lib"),
         [("TG207", "services/api/lib")]),
    Case("lead adds a submodule", LEAD, gitlink("vendor/lib"), []),
    # the reviewer may change only the board
    Case("reviewer changes module code", REVIEWER, write((CORE, "X = 2\n")),
         [("TG201", CORE)]),
    Case("reviewer changes the plan", REVIEWER,
         plan_edit("- GET /health\n", "- GET /health\n- GET /x\n"), [("TG201", PLAN_PATH)]),
    Case("reviewer changes the policy", REVIEWER,
         write(("taskgate.toml", "[gate]\nenabled = false\n# x\n")), [("TG204", "taskgate.toml")]),
    Case("reviewer adds a submodule", REVIEWER, gitlink("vendor/lib"), [("TG207", "vendor/lib")]),
    # the lead may change anything
    Case("lead changes everything", LEAD, chain(
        write((CORE, "X = 2\n"), (W, "<p>x</p>\n"), (".gitattributes", "* text=auto\n"),
              ("taskgate.toml", "[gate]\nenabled = false\n# reviewed\n"), ("README.md", "x\n")),
        plan_edit("1. Users.\n", "1. Users and admins.\n"),
        symlink("services/api/link", "../../web/index.html")), []),
]  # fmt: skip


def _attempt(scene: Scene, case: Case) -> CompletedProcess[str]:
    scene.setup({TASKS: board_doc(base(t1="in_progress")), CORE: "X = 1\n"})
    case.stage(scene)
    return scene.hooks(f"{case.scope}: change things")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lane(case: Case) -> None:
    assert_findings(_attempt(MemoryScene(), case), case.expected)


COMMITTED = one_per_rule(CASES, lambda c: c.expected)


@pytest.mark.parametrize("case", COMMITTED, ids=[c.name for c in COMMITTED])
def test_lane_through_git_commit(lane_repo: GitRepo, case: Case) -> None:
    """The end-to-end proof per rule id; the judge in memory agrees with it."""
    proc = on_both(lane_repo, lambda scene: _attempt(scene, case))
    assert_findings(proc, case.expected)
    subject = lane_repo.git("log", "-1", "--format=%s").stdout.strip()
    assert (subject == f"{case.scope}: change things") == (not case.expected)


# --- paths with spaces, quotes, newlines and non-ASCII characters ---------------------------

ODD_NAMES = ["with space.py", 'quo"te.py', "it's.py", "new\nline.py", "ünïcödé.py", "tab\there.py"]


def test_odd_paths_inside_the_module_land(lane_repo: GitRepo) -> None:
    lead_setup(lane_repo, {TASKS: board_doc(base(t1="in_progress"))})
    for name in ODD_NAMES:
        lane_repo.write(f"services/api/{name}", "X = 1\n")
    lane_repo.add("services/api")
    assert check_json(lane_repo, "feat(python): odd names") == []
    proc = lane_repo.commit("feat(python): odd names")
    assert proc.returncode == 0, proc.stderr


def test_odd_paths_outside_the_module_are_each_reported(lane_repo: GitRepo) -> None:
    lead_setup(lane_repo, {TASKS: board_doc(base(t1="in_progress"))})
    for name in ODD_NAMES:
        lane_repo.write(f"web/{name}", "x\n")
    lane_repo.add("web")
    found = check_json(lane_repo, "feat(python): odd names")
    paths = sorted(f"web/{n}" for n in ODD_NAMES)
    assert sorted(p for r, p in found if r == "TG201") == paths
    assert [(r, p) for r, p in found if r != "TG201"] == [("TG203", found[-1][1])]
    assert found[-1][1] in paths
    proc = lane_repo.commit("feat(python): odd names")
    assert proc.returncode == 1
    assert sorted(r for r, _ in text_findings(proc.stderr)) == ["TG201"] * 6 + ["TG203"]


def test_odd_path_renamed_into_another_module(lane_repo: GitRepo) -> None:
    lead_setup(lane_repo, {TASKS: board_doc(base(t1="in_progress")),
                           "services/api/ü b\"c.py": "VALUE = 'a long enough line'\n"})  # fmt: skip
    lane_repo.git("mv", 'services/api/ü b"c.py', 'web/ü b"c.py')
    assert check_json(lane_repo, "feat(python): move") == [
        ("TG201", 'web/ü b"c.py'),
        ("TG202", 'web/ü b"c.py'),
    ]


# --- identity known early: TASKGATE_AGENT / taskgate.agent at pre-commit ----------------------


def test_agent_claim_rejects_at_pre_commit(lane_repo: GitRepo) -> None:
    lane_repo.write(W, "<p>x</p>\n")
    lane_repo.add(W)
    proc = lane_repo.commit("feat(python): x", env={"TASKGATE_AGENT": "python-coder"})
    assert_findings(proc, [("TG201", W)])
    assert "taskgate pre-commit: 1 error" in proc.stderr
    assert "commit-msg" not in proc.stderr  # rejected before any message was written


def test_agent_claim_spanning_two_modules_at_pre_commit() -> None:
    scene = MemoryScene()
    scene.setup({TASKS: board_doc(base(t1="in_progress"))})
    write((CORE, "X = 2\n"), (W, "<p>x</p>\n"))(scene)
    proc = scene.hooks("feat(python): x", claim="python-coder")
    assert_findings(proc, [("TG201", W), ("TG202", W)])
    assert "taskgate pre-commit: 2 errors" in proc.stderr


def test_git_config_agent_claim_at_pre_commit(lane_repo: GitRepo) -> None:
    lane_repo.git("config", "taskgate.agent", "frontend-coder")
    lead_setup(lane_repo, {TASKS: board_doc(base(t2="in_progress"))})
    lane_repo.write(CORE, "X = 2\n")
    lane_repo.add(CORE)
    proc = lane_repo.commit("feat(web): x")
    assert_findings(proc, [("TG201", CORE)])
    assert "taskgate pre-commit: 1 error" in proc.stderr


def test_agent_claim_own_module_lands() -> None:
    scene = MemoryScene()
    scene.setup({TASKS: board_doc(base(t1="in_progress"))})
    write((CORE, "X = 2\n"))(scene)
    proc = scene.hooks("feat(python): x", claim="python-coder")
    assert_findings(proc, [])


def test_agent_claim_board_moves_at_pre_commit() -> None:
    """Board checks need the actor, not the message: they run early as well."""
    scene = MemoryScene()
    edit_tasks(scene, set_("T1", status="done"))
    proc = scene.hooks("feat(python): x", claim="python-coder")
    assert_findings(proc, [("TG304", TASKS)])
    assert "taskgate pre-commit: 1 error" in proc.stderr


# --- merges skip the lanes ------------------------------------------------------------------


def test_merge_commit_skips_lanes(lane_repo: GitRepo) -> None:
    lead_setup(lane_repo, {TASKS: board_doc(base(t1="in_progress"))})
    lane_repo.git("checkout", "-q", "-b", "side")
    lane_repo.write(W, "<p>from the side branch</p>\n")
    lane_repo.add(W)
    lane_repo.commit_no_hooks("feat(web): side work")
    lane_repo.git("checkout", "-q", "main")
    lane_repo.write(CORE, "X = 3\n")
    lane_repo.add(CORE)
    assert_findings(lane_repo.commit("feat(python): main work"), [])
    proc = lane_repo.git("merge", "--no-ff", "side", "-m", "feat(python): merge side", check=False)
    assert proc.returncode == 0, proc.stderr
    assert len(lane_repo.git("rev-list", "--parents", "-n1", "HEAD").stdout.split()) == 3


def test_hand_written_merge_subject_is_not_a_merge() -> None:
    scene = MemoryScene()
    scene.write(W, "<p>x</p>\n")
    proc = scene.hooks("feat(python): Merge branch 'web'")
    assert_findings(proc, [("TG201", W), ("TG203", W)])


def test_plan_finding_names_the_line() -> None:
    scene = MemoryScene()
    plan_edit("1. Users.\n", "1. Users.\n2. Admins.\n")(scene)
    proc = scene.hooks("feat(python): plan more")
    assert_findings(proc, [("TG206", PLAN_PATH)])
    line = PLAN.split("\n").index("1. Users.") + 2
    assert f"{PLAN_PATH}:{line}: line {line} of {PLAN_PATH} is added outside" in proc.stderr


def test_the_memory_scene_starts_from_the_workflow_repository(workflow_template: Path) -> None:
    """The tables judged in memory start from exactly the files `workflow_repo` commits."""
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "-z", "HEAD"], cwd=workflow_template, capture_output=True,
        check=True,
    ).stdout.decode()  # fmt: skip
    committed = {}
    for record in filter(None, listing.split("\0")):
        meta, path = record.split("\t", 1)
        mode, _, oid = meta.split(" ")
        committed[path] = (mode, oid)
    assert committed == {path: (node.mode, node.oid) for path, node in MemoryScene().head.items()}
