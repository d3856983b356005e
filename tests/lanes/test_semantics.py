"""Which change a commit makes, and which policy judges it (SPEC §4, §9), through real git:
`commit -a`, `commit <paths>`, `--amend`, the first commit, a subdirectory."""

from __future__ import annotations

import json

from tests.conftest import PLAN, POLICY_NO_GATE, STRUCTURE, GitRepo
from tests.lanes.conftest import (
    STRUCT,
    TASKS,
    assert_findings,
    base,
    board_doc,
    check_json,
    edit_board,
    lead_setup,
)
from tests.support.boards import set_

CORE = "services/api/app/core.py"
W = "web/index.html"


def started(repo: GitRepo) -> None:
    lead_setup(repo, {TASKS: board_doc(base(t1="in_progress")), CORE: "X = 1\n"})


# --- git commit -a and git commit <paths>: a temporary index (GIT_INDEX_FILE) -------------


def test_commit_all_sees_unstaged_tracked_changes(lane_repo: GitRepo) -> None:
    started(lane_repo)
    lane_repo.write(CORE, "X = 2\n")
    lane_repo.write(W, "<p>unstaged</p>\n")
    before = lane_repo.head()
    proc = lane_repo.commit("feat(python): everything", "-a")
    assert_findings(proc, [("TG201", W), ("TG202", W)])
    assert lane_repo.head() == before


def test_plain_commit_ignores_unstaged_changes(lane_repo: GitRepo) -> None:
    started(lane_repo)
    lane_repo.write(CORE, "X = 2\n")
    lane_repo.add(CORE)
    lane_repo.write(W, "<p>unstaged</p>\n")
    assert_findings(lane_repo.commit("feat(python): staged only"), [])
    assert lane_repo.git("diff", "--name-only").stdout.split() == [W]


def test_commit_paths_judges_only_those_paths(lane_repo: GitRepo) -> None:
    started(lane_repo)
    lane_repo.write(W, "<p>staged web work</p>\n")
    lane_repo.add(W)  # staged, but not part of `git commit <paths>`
    lane_repo.write(CORE, "X = 2\n")
    assert_findings(lane_repo.commit("feat(python): core only", CORE), [])
    assert lane_repo.git("show", "--name-only", "--format=", "HEAD").stdout.split() == [CORE]
    assert lane_repo.git("diff", "--cached", "--name-only").stdout.split() == [W]


def test_commit_paths_outside_the_module(lane_repo: GitRepo) -> None:
    started(lane_repo)
    lane_repo.write(W, "<p>x</p>\n")
    before = lane_repo.head()
    assert_findings(lane_repo.commit("feat(python): web", W), [("TG201", W), ("TG203", W)])
    assert lane_repo.head() == before


def test_commit_paths_includes_a_board_move(lane_repo: GitRepo) -> None:
    edit_board(lane_repo, set_("T1", status="done"))
    lane_repo.git("reset", "-q")  # unstaged: `git commit <paths>` must still see it
    assert_findings(lane_repo.commit("feat(python): finish", TASKS), [("TG304", TASKS)])


# --- --amend: the change is relative to HEAD's parent ----------------------------------------


def test_amend_is_judged_against_the_parent(lane_repo: GitRepo) -> None:
    lead_setup(lane_repo, {CORE: "X = 1\n"})
    parent = lane_repo.head()
    edit_board(lane_repo, set_("T1", status="in_progress"))
    lane_repo.write(CORE, "X = 2\n")
    lane_repo.add(CORE)
    assert_findings(lane_repo.commit("feat(python): start T1"), [])
    # First amend: more work, same net move todo → in_progress.
    lane_repo.write(CORE, "X = 3\n")
    lane_repo.add(CORE)
    assert_findings(lane_repo.commit("feat(python): start T1", "--amend"), [])
    first = lane_repo.head()
    assert lane_repo.git("rev-parse", "HEAD^").stdout.strip() == parent
    # Second amend: against HEAD (the coder's own first version) in_progress → done would
    # pass; against the parent it is todo → done, which a coder may not do.
    edit_board(lane_repo, set_("T1", status="done", outputs={"files": [CORE]}))
    assert_findings(lane_repo.commit("feat(python): finish T1", "--amend"), [("TG304", TASKS)])
    assert lane_repo.head() == first


def test_amend_keeps_what_the_amended_commit_did(lane_repo: GitRepo) -> None:
    """A coder amending the lead's web commit takes on its web change."""
    started(lane_repo)
    lane_repo.write(W, "<p>lead</p>\n")
    lane_repo.add(W)
    assert_findings(lane_repo.commit("chore(lead): web copy"), [])
    proc = lane_repo.commit("feat(python): mine now", "--amend")
    assert_findings(proc, [("TG201", W), ("TG203", W)])


# --- the first commit: the index is the base ----------------------------------------------------


def _first_commit_files(repo: GitRepo) -> None:
    repo.write_json(STRUCT, STRUCTURE)
    repo.write_json(TASKS, board_doc(base(t1="in_progress")))
    repo.write("shared/plan.md", PLAN)
    repo.write("taskgate.toml", POLICY_NO_GATE)
    repo.write("services/api/pyproject.toml", '[project]\nname = "api"\nversion = "0"\n')


def test_first_commit_by_the_lead(repo: GitRepo) -> None:
    repo.install()
    _first_commit_files(repo)
    repo.write(W, "<p>hi</p>\n")
    repo.add()
    assert_findings(repo.commit("chore(lead): start"), [])


def test_first_commit_lanes_use_the_staged_module_map(repo: GitRepo) -> None:
    repo.install()
    _first_commit_files(repo)
    repo.write(W, "<p>hi</p>\n")
    repo.add()
    proc = repo.commit("feat(python): start")
    # Everything is added by a first commit: the workflow files too, which are the lead's.
    assert_findings(proc, [("TG201", W), ("TG202", W), ("TG204", STRUCT),
                           ("TG204", "taskgate.toml"), ("TG206", "shared/plan.md"),
                           ("TG308", TASKS)])  # fmt: skip
    assert repo.git("rev-parse", "-q", "--verify", "HEAD", check=False).returncode != 0


def test_first_commit_with_a_broken_board(repo: GitRepo) -> None:
    repo.install()
    _first_commit_files(repo)
    repo.write(TASKS, '{"version": 1, "tasks": [}\n')
    repo.add()
    assert_findings(repo.commit("chore(lead): start"), [("TG301", TASKS)])


# --- from a subdirectory ------------------------------------------------------------------------


def test_commit_from_a_subdirectory(lane_repo: GitRepo) -> None:
    started(lane_repo)
    sub = lane_repo.path / "services" / "api"
    lane_repo.write(W, "<p>x</p>\n")
    lane_repo.git("add", "../../web/index.html", cwd=sub)
    proc = lane_repo.git("commit", "-m", "feat(python): from below", cwd=sub, check=False)
    assert_findings(proc, [("TG201", W), ("TG203", W)])
    proc = lane_repo.taskgate("check", "-m", "feat(python): x", "--format", "json", "--no-gate",
                              cwd=sub)  # fmt: skip
    assert [(f["rule"], f["path"]) for f in json.loads(proc.stdout)["findings"]] == [
        ("TG201", W),
        ("TG203", W),
    ]
    lane_repo.git("reset", "-q")
    lane_repo.write(CORE, "X = 5\n")
    lane_repo.git("add", "app/core.py", cwd=sub)
    assert_findings(lane_repo.git("commit", "-m", "feat(python): ok", cwd=sub, check=False), [])


# --- the policy comes from HEAD (SPEC §4) ---------------------------------------------------------

WEAK_POLICY = POLICY_NO_GATE + '\n[rules]\nignore = ["TG201", "TG203", "TG204", "TG105"]\n'


def test_coder_cannot_weaken_the_policy_it_is_checked_against(lane_repo: GitRepo) -> None:
    started(lane_repo)
    lane_repo.write("taskgate.toml", WEAK_POLICY)
    lane_repo.write(W, "<p>x</p>\n")
    lane_repo.add("taskgate.toml", W)
    proc = lane_repo.commit("feat(python): relax the rules")
    assert_findings(proc, [("TG204", "taskgate.toml"), ("TG201", W), ("TG203", W)])


def test_lead_weakening_takes_effect_from_the_next_commit(lane_repo: GitRepo) -> None:
    started(lane_repo)
    long_header = "chore(lead): " + "relax the rules " * 7
    assert len(long_header) > 100
    lane_repo.write("taskgate.toml", WEAK_POLICY)
    lane_repo.add("taskgate.toml")
    # This very commit is still checked against HEAD's policy: TG105 applies to it.
    rejected = lane_repo.commit(long_header)
    assert rejected.returncode == 1
    assert [line.split(" ", 1)[0] for line in rejected.stderr.splitlines()
            if line.startswith("TG")] == ["TG105"]  # fmt: skip
    assert_findings(lane_repo.commit("chore(lead): relax the rules"), [])
    # From the next commit on the new policy applies: a long header, a coder in web/.
    lane_repo.write(W, "<p>x</p>\n")
    lane_repo.add(W)
    assert_findings(lane_repo.commit("feat(python): " + "touch the web page " * 5), [])


def test_unknown_policy_key_is_a_configuration_error(lane_repo: GitRepo) -> None:
    lead_setup(lane_repo, {"taskgate.toml": POLICY_NO_GATE + "[commit]\nheader_maxx = 80\n"})
    lane_repo.write(CORE, "X = 2\n")
    lane_repo.add(CORE)
    proc = lane_repo.commit("chore(lead): anything")
    assert proc.returncode != 0
    assert "unknown key 'header_maxx' in [commit]" in proc.stderr
    assert "taskgate.toml" in proc.stderr
    assert "Traceback" not in proc.stderr
    check = lane_repo.taskgate("check", "-m", "chore(lead): anything", "--no-gate")
    assert check.returncode == 2
    assert "unknown key 'header_maxx'" in check.stderr


def test_check_json_paths_from_subdirectory_match_root(lane_repo: GitRepo) -> None:
    started(lane_repo)
    lane_repo.write(W, "<p>x</p>\n")
    lane_repo.add(W)
    assert check_json(lane_repo, "feat(python): x") == [("TG201", W), ("TG203", W)]
