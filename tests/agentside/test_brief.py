"""`taskgate agent brief MODULE`: the instructions, compiled from the policy at HEAD."""

from __future__ import annotations

from taskgate.agentside.brief import cited_ids, coder_rule_ids
from taskgate.agentside.shell import analyse
from taskgate.policy import Policy
from taskgate.rules.board import CODER_MOVES
from taskgate.rules.catalog import RULES
from taskgate.rules.registry import registered_checks
from tests.conftest import GitRepo

GUARD_IDS = {"TG801", "TG802", "TG803", "TG804", "TG805", "TG806", "TG807"}


def brief(repo: GitRepo, module: str = "python") -> str:
    proc = repo.taskgate("agent", "brief", module)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_brief_cites_every_rule_the_hooks_and_the_guard_enforce(workflow_repo: GitRepo) -> None:
    text = brief(workflow_repo)
    cited = cited_ids(text)
    enforced = {rid for chk in registered_checks() for rid in chk.ids}
    assert enforced, "the registry lists the hooks' checks"
    assert enforced <= cited, sorted(enforced - cited)
    assert cited >= GUARD_IDS
    # Nothing cited that `taskgate explain` cannot explain, and nothing documented left out.
    assert cited == set(RULES)


def test_guard_emits_only_catalogued_ids() -> None:
    from taskgate.agentside.shell import Inspector

    ins = Inspector(lambda: ["/r/.git/hooks"], lambda c: "main", lambda c, a: True)
    commands = [
        "git commit -n",
        "git push -f origin main",
        "git config core.hooksPath x",
        "rm .git/hooks/x",
        "git update-ref a b",
        "git rebase -i x",
    ]
    ids = {f.rule for c in commands for f in analyse(c, "/r", ins)}
    assert ids == GUARD_IDS - {"TG807"}
    assert ids <= set(coder_rule_ids(Policy()))


def test_ignored_rules_are_left_out_and_warnings_marked(workflow_repo: GitRepo) -> None:
    workflow_repo.write(
        "taskgate.toml", '[gate]\nenabled = false\n[rules]\nignore = ["TG603"]\nwarn = ["TG601"]\n'
    )
    workflow_repo.add("taskgate.toml")
    workflow_repo.commit_no_hooks("chore(lead): relax")
    text = brief(workflow_repo)
    assert "TG603" not in cited_ids(text)
    assert "- TG601 coder commit deletes tests or test functions (a warning here)" in text


def test_brief_states_lane_tasks_header_moves_gate_and_dispute(workflow_repo: GitRepo) -> None:
    workflow_repo.write(
        "taskgate.toml", '[commit]\ntypes = ["feat", "fix"]\nrequire_task_trailer = true\n'
    )
    workflow_repo.add("taskgate.toml")
    workflow_repo.commit_no_hooks("chore(lead): gate on")
    text = brief(workflow_repo)
    assert "You change files under `services/api/` only." in text
    assert "the board `shared/task_list.json`" in text
    assert "`shared/api/`" in text
    assert "`taskgate.toml`" in text
    assert "`.github/`" in text
    assert "| T1 | `todo` | User CRUD |" in text
    assert "T2" not in text.split("## Your tasks")[1].split("##")[0]  # web's task
    assert "Header: `<type>(python): <description>`, at most 100 characters" in text
    assert "Types: `feat`, `fix`." in text
    assert "Trailer `Task: <id>` naming one of your tasks: required." in text
    for src, targets in CODER_MOVES.items():
        for dst in targets:
            assert f"| `{src}` | `{dst}` |" in text
    rows = text.split("## Board moves")[1].split("##")[0]
    assert "\n| `done` |" not in rows  # nothing leaves done for a coder
    for command in ("ruff check .", "mypy .", "pytest -q"):  # the python defaults, gate on
        assert f"- `{command}`" in text
    assert "taskgate dispute <TASK> --reason" in text
    assert "Do not weaken, skip, delete or suppress a test" in text


def test_brief_for_an_unknown_module_is_a_usage_error(workflow_repo: GitRepo) -> None:
    proc = workflow_repo.taskgate("agent", "brief", "pyhton")
    assert proc.returncode == 2
    assert "no module named 'pyhton' (modules: python, web)" in proc.stderr
