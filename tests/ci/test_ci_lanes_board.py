"""`taskgate ci` re-checks lanes and board moves of every commit, not only messages.

A coder commit that reaches into another module (TG201) and a coder moving a
task straight from todo to done (TG304) get past the local hooks with
`--no-verify`, `cherry-pick` or `rebase`; `ci` must name exactly those commits.
"""

from __future__ import annotations

from tests.ci.support import USERS_V1, USERS_V2, USERS_V3, board, by_commit, ci_json, commit
from tests.conftest import GitRepo

BOARD_PATH = "shared/task_list.json"


def test_lane_and_board_violations_are_reported_on_their_commits(
    workflow_repo: GitRepo,
) -> None:
    repo = workflow_repo
    base = repo.head()
    started = board(T1={"status": "in_progress"})
    good = [
        commit(
            repo,
            "feat(python): start the users endpoint",
            {BOARD_PATH: started, "services/api/app/users.py": USERS_V1},
            verify=True,
        )
    ]
    # The python coder also edits the web module's page: outside its lane.
    lane = commit(
        repo,
        "feat(python): show users on the page",
        {"services/api/app/users.py": USERS_V2, "web/index.html": "<p>users</p>\n"},
        verify=False,
    )
    # The web coder closes its task straight from todo (and before T1 is done),
    # written on a branch and cherry-picked, so no hook ever saw it.
    repo.git("switch", "-q", "-c", "web-work")
    closed = board(
        T1={"status": "in_progress"},
        T2={"status": "done", "outputs": {"files": ["web/index.html"]}},
    )
    commit(repo, "chore(web): close the users page", {BOARD_PATH: closed}, verify=False)
    repo.git("switch", "-q", "main")
    repo.git("cherry-pick", "web-work")
    board_move = repo.head()
    good.append(
        commit(
            repo, "feat(python): list users", {"services/api/app/users.py": USERS_V3}, verify=True
        )
    )

    found = by_commit(ci_json(repo, "--range", f"{base}..HEAD"))

    assert set(found) == {lane, board_move}
    assert not set(found) & set(good)
    assert ("TG201", "web/index.html") in found[lane]
    # Reaching into another module may also be said as "spans two modules" (TG202/TG203).
    assert {rule for rule, _ in found[lane]} <= {"TG201", "TG202", "TG203"}
    assert all(path == "web/index.html" for rule, path in found[lane] if rule == "TG201")
    assert ("TG304", BOARD_PATH) in found[board_move]
    # The same move may also be reported as done-without-outputs or started too early.
    assert {rule for rule, _ in found[board_move]} <= {"TG304", "TG306", "TG309"}
    assert {path for _, path in found[board_move]} == {BOARD_PATH}
