"""SPEC §1.3 through the commit hooks: every allowed move lands, every forbidden variant is
rejected with its rule id at the board's path (TG304–TG309).

The case tables are judged in memory as the two hooks judge a staged change
(tests/support/staged.py); their first case per rule id also makes a real commit through
the shims, which the judge in memory must agree with. What only git shows (the staged
board against the working tree) makes real commits.
"""

from __future__ import annotations

from subprocess import CompletedProcess
from typing import Any, NamedTuple

import pytest

from tests.conftest import GitRepo
from tests.lanes.conftest import (
    TASKS,
    USERS,
    Edit,
    assert_findings,
    base,
    board_doc,
    edit_board,
    lead_setup,
)
from tests.support.boards import DROP, add_task, both, comment, remove_task, resolve, set_
from tests.support.inprocess import one_per_rule
from tests.support.staged import MemoryScene, Scene, edit_tasks, on_both

CODER, WEB_CODER, REVIEWER, LEAD = "feat(python)", "feat(web)", "chore(review)", "chore(lead)"

OPEN = [{"author": "review", "body": "Handle unknown ids", "resolved": False}]
OUT = {"files": [USERS]}


class Case(NamedTuple):
    name: str
    before: list[dict[str, Any]]
    edit: Edit
    scope: str
    expected: list[tuple[str, str]]
    files: dict[str, str] | None = None


B = TASKS  # every board finding is reported at the board's path

CASES = [
    # todo → in_progress: coder if every dependency is done; not the reviewer; the lead
    Case("coder starts own task", base(), set_("T1", status="in_progress"), CODER, []),
    Case("coder starts task whose dependency is in progress", base(t1="in_progress"),
         set_("T3", status="in_progress"), CODER, [("TG309", B)]),
    Case("coder starts task whose dependency is todo", base(),
         set_("T3", status="in_progress"), CODER, [("TG309", B)]),
    Case("coder starts task whose dependency is done", base(t1="done", outputs=OUT),
         set_("T3", status="in_progress"), CODER, []),
    Case("reviewer starts a task", base(), set_("T1", status="in_progress"), REVIEWER,
         [("TG304", B)]),
    Case("lead starts a task whose dependency is not done", base(t1="in_progress"),
         set_("T3", status="in_progress"), LEAD, []),
    # in_progress → done: coder if outputs.files lists files of the commit inside the module
    Case("coder finishes with outputs in the commit", base(t1="in_progress"),
         set_("T1", status="done", outputs=OUT), CODER, [], {USERS: "USERS: list[str] = []\n"}),
    Case("coder finishes with outputs committed earlier", base(t1="in_progress"),
         set_("T1", status="done", outputs={"files": ["services/api/app/__init__.py"]}),
         CODER, []),
    Case("coder finishes without outputs", base(t1="in_progress"),
         set_("T1", status="done"), CODER, [("TG306", B)]),
    Case("coder finishes with an empty file list", base(t1="in_progress"),
         set_("T1", status="done", outputs={"files": [], "notes": "all done"}), CODER,
         [("TG306", B)]),
    Case("coder finishes naming a file absent from the commit", base(t1="in_progress"),
         set_("T1", status="done", outputs={"files": ["services/api/app/missing.py"]}), CODER,
         [("TG306", B)]),
    Case("coder finishes naming a file of another module", base(t1="in_progress"),
         set_("T1", status="done", outputs={"files": ["web/index.html"]}), CODER,
         [("TG306", B)]),
    Case("coder finishes naming a file in a look-alike folder", base(t1="in_progress"),
         set_("T1", status="done", outputs={"files": ["services/api2/x.py"]}), CODER,
         [("TG306", B), ("TG201", "services/api2/x.py")], {"services/api2/x.py": "X = 1\n"}),
    Case("reviewer finishes a task", base(t1="in_progress", outputs=OUT),
         set_("T1", status="done"), REVIEWER, [("TG304", B)]),
    Case("reviewer finishes a task and edits its outputs", base(t1="in_progress"),
         set_("T1", status="done", outputs=OUT), REVIEWER, [("TG304", B), ("TG308", B)]),
    Case("lead finishes a task without outputs", base(t1="in_progress"),
         set_("T1", status="done"), LEAD, []),
    # in_progress → blocked / blocked → in_progress: coder (with a reason); lead
    Case("coder blocks with a reason", base(t1="in_progress"),
         set_("T1", status="blocked", blocked_reason="waiting for the schema"), CODER, []),
    Case("coder blocks without a reason", base(t1="in_progress"),
         set_("T1", status="blocked"), CODER, [("TG304", B)]),
    Case("coder blocks with a blank reason", base(t1="in_progress"),
         set_("T1", status="blocked", blocked_reason="  "), CODER, [("TG304", B)]),
    Case("coder blocks with a null reason", base(t1="in_progress"),
         set_("T1", status="blocked", blocked_reason=None), CODER, [("TG304", B)]),
    Case("coder unblocks", base(t1="blocked", blocked_reason="db down"),
         set_("T1", status="in_progress", blocked_reason=None), CODER, []),
    Case("reviewer blocks", base(t1="in_progress"),
         set_("T1", status="blocked"), REVIEWER, [("TG304", B)]),
    Case("reviewer unblocks", base(t1="blocked", blocked_reason="db down"),
         set_("T1", status="in_progress"), REVIEWER, [("TG304", B)]),
    Case("lead blocks without a reason", base(t1="in_progress"),
         set_("T1", status="blocked"), LEAD, []),
    # done → review_feedback: reviewer with a new unresolved comment; lead
    Case("reviewer sends back with a new comment", base(t1="done", outputs=OUT),
         both(set_("T1", status="review_feedback"), comment("T1")), REVIEWER, []),
    Case("reviewer sends back without a comment", base(t1="done", outputs=OUT),
         set_("T1", status="review_feedback"), REVIEWER, [("TG304", B)]),
    Case("reviewer sends back with only a resolved comment", base(t1="done", outputs=OUT),
         both(set_("T1", status="review_feedback"), comment("T1", resolved=True)), REVIEWER,
         [("TG304", B)]),
    Case("coder sends own task back", base(t1="done", outputs=OUT),
         set_("T1", status="review_feedback"), CODER, [("TG304", B)]),
    Case("lead sends back without a comment", base(t1="done", outputs=OUT),
         set_("T1", status="review_feedback"), LEAD, []),
    # review_feedback → in_progress: coder; lead
    Case("coder resumes after feedback", base(t1="review_feedback", review_comments=OPEN),
         set_("T1", status="in_progress"), CODER, []),
    Case("reviewer resumes a task", base(t1="review_feedback", review_comments=OPEN),
         set_("T1", status="in_progress"), REVIEWER, [("TG304", B)]),
    Case("lead resumes a task", base(t1="review_feedback", review_comments=OPEN),
         set_("T1", status="in_progress"), LEAD, []),
    # review_feedback → done: coder with every comment resolved and the outputs rule
    Case("coder resubmits with comments resolved",
         base(t1="review_feedback", review_comments=OPEN, outputs=OUT),
         both(resolve("T1"), set_("T1", status="done")), CODER, [], {USERS: "X = 2\n"}),
    Case("coder resubmits with a comment open",
         base(t1="review_feedback", review_comments=OPEN, outputs=OUT),
         set_("T1", status="done"), CODER, [("TG304", B)], {USERS: "X = 2\n"}),
    Case("coder resubmits without outputs", base(t1="review_feedback", review_comments=OPEN),
         both(resolve("T1"), set_("T1", status="done")), CODER, [("TG306", B)]),
    Case("reviewer finishes after feedback",
         base(t1="review_feedback", review_comments=OPEN, outputs=OUT),
         set_("T1", status="done"), REVIEWER, [("TG304", B)]),
    Case("lead finishes with a comment open",
         base(t1="review_feedback", review_comments=OPEN), set_("T1", status="done"), LEAD, []),
    # any other status change: the lead only
    Case("coder todo → done", base(), set_("T1", status="done", outputs=OUT), CODER,
         [("TG304", B)], {USERS: "X = 1\n"}),
    Case("coder done → in_progress", base(t1="done", outputs=OUT),
         set_("T1", status="in_progress"), CODER, [("TG304", B)]),
    Case("coder in_progress → todo", base(t1="in_progress"), set_("T1", status="todo"), CODER,
         [("TG304", B)]),
    Case("coder blocked → done", base(t1="blocked", blocked_reason="x", outputs=OUT),
         set_("T1", status="done"), CODER, [("TG304", B)], {USERS: "X = 1\n"}),
    Case("reviewer done → todo", base(t1="done", outputs=OUT), set_("T1", status="todo"),
         REVIEWER, [("TG304", B)]),
    Case("lead done → todo", base(t1="done", outputs=OUT), set_("T1", status="todo"), LEAD, []),
    # outputs, blocked_reason, a comment's resolved: coder on own tasks; lead
    Case("coder edits outputs of own task", base(t1="in_progress"),
         set_("T1", outputs={"notes": "uses fastapi", "dependencies": ["fastapi"]}), CODER, []),
    Case("coder edits blocked_reason of own task", base(t1="blocked", blocked_reason="a"),
         set_("T1", blocked_reason="b"), CODER, []),
    Case("coder resolves a comment", base(t1="review_feedback", review_comments=OPEN),
         resolve("T1"), CODER, []),
    Case("coder edits outputs of another module's task", base(t2="in_progress"),
         set_("T2", outputs={"notes": "x"}), CODER, [("TG305", B)]),
    Case("reviewer edits outputs", base(t1="done", outputs=OUT),
         set_("T1", outputs={"files": [USERS], "notes": "x"}), REVIEWER, [("TG308", B)]),
    Case("reviewer edits blocked_reason", base(t1="blocked", blocked_reason="a"),
         set_("T1", blocked_reason="b"), REVIEWER, [("TG308", B)]),
    Case("reviewer resolves a comment", base(t1="review_feedback", review_comments=OPEN),
         resolve("T1"), REVIEWER, [("TG308", B)]),
    Case("lead edits outputs and resolves", base(t1="review_feedback", review_comments=OPEN),
         both(resolve("T1"), set_("T1", outputs={"notes": "x"})), LEAD, []),
    # append a review comment: reviewer, lead
    Case("coder appends a review comment", base(t1="in_progress"), comment("T1"), CODER,
         [("TG308", B)]),
    Case("coder edits a comment's body", base(t1="review_feedback", review_comments=OPEN),
         set_("T1", review_comments=[{**OPEN[0], "body": "never mind"}]), CODER,
         [("TG308", B)]),
    Case("coder deletes a comment", base(t1="review_feedback", review_comments=OPEN),
         set_("T1", review_comments=[]), CODER, [("TG308", B)]),
    Case("reviewer appends a review comment", base(t1="in_progress"), comment("T1"),
         REVIEWER, []),
    Case("reviewer deletes a comment", base(t1="review_feedback", review_comments=OPEN),
         set_("T1", review_comments=[]), REVIEWER, [("TG308", B)]),
    Case("lead appends a review comment", base(t1="in_progress"), comment("T1"), LEAD, []),
    # title, assignee, depends_on; adding and removing tasks: the lead only
    Case("coder edits a title", base(), set_("T1", title="Renamed"), CODER, [("TG308", B)]),
    Case("coder edits an assignee", base(), set_("T3", assignee="web"), CODER, [("TG308", B)]),
    Case("coder edits depends_on", base(), set_("T3", depends_on=[]), CODER, [("TG308", B)]),
    Case("coder drops depends_on", base(), set_("T3", depends_on=DROP), CODER, [("TG308", B)]),
    Case("coder adds a task", base(), add_task("T9", "python"), CODER, [("TG308", B)]),
    Case("coder removes a task", base(), remove_task("T3"), CODER, [("TG308", B)]),
    Case("coder adds an extension key to a task", base(), set_("T1", **{"x-estimate": 3}),
         CODER, [("TG308", B)]),
    Case("reviewer edits a title", base(), set_("T1", title="Renamed"), REVIEWER,
         [("TG308", B)]),
    Case("reviewer adds a task", base(), add_task("T9", "python"), REVIEWER, [("TG308", B)]),
    Case("lead edits title, assignee and depends_on, adds and removes tasks", base(),
         both(set_("T1", title="Renamed"), set_("T3", assignee="web", depends_on=[]),
              add_task("T9", "python"), remove_task("T2")), LEAD, []),
    # anything in another module's task: the lead only
    Case("coder starts another module's task", base(t1="done", outputs=OUT),
         set_("T2", status="in_progress"), CODER, [("TG305", B)]),
    Case("web coder finishes a python task", base(t1="in_progress"),
         set_("T1", status="done", outputs=OUT), WEB_CODER, [("TG305", B)]),
    Case("web coder starts its own task", base(t1="done", outputs=OUT),
         set_("T2", status="in_progress"), WEB_CODER, []),
    Case("lead changes a web task", base(), set_("T2", status="blocked"), LEAD, []),
    # several problems in one commit: each reported
    Case("coder: bad move, another module's task and a title", base(),
         both(set_("T1", status="done", title="x"), set_("T2", status="in_progress")), CODER,
         [("TG304", B), ("TG305", B), ("TG308", B)]),
]  # fmt: skip


def _move(scene: Scene, case: Case) -> CompletedProcess[str]:
    scene.setup({TASKS: board_doc(case.before), USERS: "X = 0\n"})
    edit_tasks(scene, case.edit)
    for rel, content in (case.files or {}).items():
        scene.write(rel, content)
    return scene.hooks(f"{case.scope}: update the board")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_board_move(case: Case) -> None:
    assert_findings(_move(MemoryScene(), case), case.expected)


COMMITTED = one_per_rule(CASES, lambda c: c.expected)


@pytest.mark.parametrize("case", COMMITTED, ids=[c.name for c in COMMITTED])
def test_board_move_through_git_commit(lane_repo: GitRepo, case: Case) -> None:
    """The end-to-end proof per rule id; the judge in memory agrees with it."""
    proc = on_both(lane_repo, lambda scene: _move(scene, case))
    assert_findings(proc, case.expected)
    subject = lane_repo.git("log", "-1", "--format=%s").stdout.strip()
    assert (subject == f"{case.scope}: update the board") == (not case.expected)


def test_board_messages_name_task_move_and_allowed_moves() -> None:
    scene = MemoryScene()
    scene.setup({TASKS: board_doc(base())})
    edit_tasks(scene, set_("T1", status="done", outputs=OUT))
    proc = scene.hooks("feat(python): finish T1")
    assert_findings(proc, [("TG304", TASKS)])
    assert "T1: todo → done is not a move the coder of 'python' may make" in proc.stderr
    assert "from todo the coder of 'python' may move a task to in_progress" in proc.stderr
    # The line of the finding is the task's status line in the committed board.
    status_line = scene.read_text(TASKS).split("\n").index('      "status": "done",')
    assert f"{TASKS}:{status_line + 1}: T1: todo" in proc.stderr


def test_top_level_extension_is_the_leads() -> None:
    scene = MemoryScene()
    edit_tasks(scene, lambda tasks: None, **{"x-sprint": 3})
    assert_findings(scene.hooks("feat(python): tag the sprint"), [("TG308", TASKS)])
    assert_findings(scene.hooks("chore(lead): tag the sprint"), [])


def test_coder_deleting_the_board_is_rejected() -> None:
    scene = MemoryScene()
    scene.remove(TASKS)
    assert_findings(scene.hooks("feat(python): drop the board"), [("TG308", TASKS)])


# --- the active-task rule (TG307) ------------------------------------------------------

CODE = "services/api/app/__init__.py"

ACTIVE_CASES = [
    ("no task in progress", base(), None, [("TG307", CODE)]),
    ("own task in progress", base(t1="in_progress"), None, []),
    ("own task in review_feedback", base(t1="review_feedback", review_comments=OPEN), None, []),
    ("only a web task in progress", base(t1="done", outputs=OUT, t2="in_progress"), None,
     [("TG307", CODE)]),
    ("own task blocked", base(t1="blocked", blocked_reason="x"), None, [("TG307", CODE)]),
    ("own task started in the same commit", base(), set_("T1", status="in_progress"), []),
    ("own task finished in the same commit", base(t1="in_progress"),
     set_("T1", status="done", outputs={"files": [CODE]}), []),
    ("only a done task", base(t1="done", outputs=OUT), None, [("TG307", CODE)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "before", "edit", "expected"), ACTIVE_CASES, ids=[c[0] for c in ACTIVE_CASES]
)
def test_active_task(
    request: pytest.FixtureRequest,
    name: str,
    before: list[dict[str, Any]],
    edit: Edit | None,
    expected: list[tuple[str, str]],
) -> None:
    def work(scene: Scene) -> CompletedProcess[str]:
        scene.setup({TASKS: board_doc(before), USERS: "X = 0\n"})
        if edit is not None:
            edit_tasks(scene, edit)
        scene.write(CODE, "VERSION = 2\n")
        return scene.hooks("feat(python): work")

    # The first two cases (TG307, a pass) go through git commit too; the rest in memory.
    if name in (ACTIVE_CASES[0][0], ACTIVE_CASES[1][0]):
        assert_findings(on_both(request.getfixturevalue("lane_repo"), work), expected)
    else:
        assert_findings(work(MemoryScene()), expected)


def test_no_board_at_all_means_no_active_task() -> None:
    scene = MemoryScene()
    scene.remove(TASKS)
    scene.setup({})  # the lead's commit without a board
    scene.write(CODE, "VERSION = 2\n")
    assert_findings(scene.hooks("feat(python): work"), [("TG307", CODE)])


def test_reviewer_and_lead_need_no_task() -> None:
    scene = MemoryScene()
    scene.write(CODE, "VERSION = 2\n")
    assert_findings(scene.hooks("chore(lead): work"), [])


def test_transitions_judged_against_head_board_not_working_tree(lane_repo: GitRepo) -> None:
    """The staged board is what counts: an unstaged edit to the board is invisible."""
    lead_setup(lane_repo, {TASKS: board_doc(base(t1="in_progress"))})
    edit_board(lane_repo, set_("T1", status="blocked", blocked_reason="db"))
    # An unstaged, forbidden edit on top of the staged, allowed one.
    doc = board_doc(base(t1="done"))
    lane_repo.write_json(TASKS, doc)
    assert_findings(lane_repo.commit("feat(python): blocked on the db"), [])
    shown = lane_repo.git("show", f"HEAD:{TASKS}").stdout
    assert '"status": "blocked"' in shown
