"""A staged change held in memory, judged exactly as the two commit hooks judge it.

A real `git commit` through the shims costs ~0.2 s and even the in-process hooks of
`inprocess.commit_hooks` need a repository copy, a set-up commit and `git add` per case.
The rules under test need only the change: `MemoryScene` holds HEAD and the index as
dicts (path → mode and bytes), starting from the files of the `workflow_repo` template
(tests/conftest.py), and `MemoryScene.hooks(message)` runs what `git commit -m message`
runs: the pre-commit stage, then (if it passed) the commit-msg stage with the parsed
message and the actor from its scope (or from a claimed agent), with the same builders'
functions the hooks call (`load_base`, `resolve_actor`, `run_checks`), the validated-blob
cache shared between the two stages as the hooks share its file, and the text reporter.
The result is shaped like the finished `git commit` process: its exit status and the
hooks' stderr, so a case table keeps its assertions (`assert_findings`, text in stderr).
`MemoryScene.check(message)` is `taskgate check -m message --format json --no-gate`
(`commithooks.check_staged`): one pass at the check stage, the JSON report on stdout, and
for a base policy it cannot use the `taskgate: error:` line and exit status 2.

`RepoScene` offers the same edits on a real repository (each one staged), so one table
can run every case in memory and its end-to-end cases through `git commit`; `on_both`
and `agree` prove both give the same verdict and findings on those cases, so a change to
the hooks that this module does not follow fails there.

What only git shows stays with real repositories: amend, GIT_INDEX_FILE, worktrees,
subfolders, merges, chained hooks, signed identity, the gate, the shims. Rename
detection here is git's exact-rename (and exact-copy from a changed file) detection:
a table whose cases rename and edit a file in one step keeps real commits for them.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import json
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from taskgate.builders import load_base, resolve_actor
from taskgate.change import Change, FileChange, Stage
from taskgate.errors import TaskgateError
from taskgate.finding import Finding, has_errors
from taskgate.git import Entry, Hints, parse_patch
from taskgate.message import CommitMessage, message_from_bytes
from taskgate.outcome import Outcome
from taskgate.repopath import is_tracked_form
from taskgate.report.json import render_json
from taskgate.report.text import render_text
from taskgate.rules.registry import run_checks
from taskgate.workflow.blobcache import ValidatedBlobs
from tests.conftest import BOARD, PLAN, POLICY_NO_GATE, STRUCTURE, GitRepo

# The commit `where` a hook names its base by (the real one is HEAD's id).
HEAD = "0a1b2c3d4e5f" + "0" * 28
# The commit a gitlink points at (a real test stages HEAD's id).
GITLINK = "1" * 40


def _json(data: object) -> bytes:
    """What `GitRepo.write_json` writes."""
    return (json.dumps(data, indent=2) + "\n").encode()


BOARD_PATH = "shared/task_list.json"

# The files of the `workflow_template` repository, as its set-up commit holds them.
TEMPLATE: dict[str, bytes] = {
    "shared/project_structure.json": _json(STRUCTURE),
    "shared/task_list.json": _json(BOARD),
    "shared/plan.md": PLAN.encode(),
    "taskgate.toml": POLICY_NO_GATE.encode(),
    "services/api/app/__init__.py": b"",
    "services/api/pyproject.toml": b'[project]\nname = "api"\nversion = "0"\n',
    "web/index.html": b"<p>hi</p>\n",
}


class Node(NamedTuple):
    """One entry of a tree or the index: its mode and content (a gitlink: its commit)."""

    mode: str
    data: bytes

    @property
    def oid(self) -> str:
        if self.mode == "160000":
            return self.data.decode()
        return blob_id(self.data)


@functools.lru_cache(maxsize=256)
def blob_id(data: bytes) -> str:
    """git's object id of a blob with this content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324


Tree = dict[str, Node]


def _type(mode: str) -> str:
    return {"120000": "link", "160000": "gitlink"}.get(mode, "file")


class MemoryTree:
    """One side of the change as `TreeSide` (HEAD) or `IndexSide` (the index) answers:
    blobs by path, entries and sizes; a gitlink is no blob (it exists in the index only,
    where ls-files shows it)."""

    def __init__(self, nodes: Tree, *, index: bool) -> None:
        self.nodes = nodes
        self.index = index

    def read(self, path: str) -> bytes | None:
        node = self.nodes.get(path) if is_tracked_form(path) else None
        return None if node is None or node.mode == "160000" else node.data

    def exists(self, paths: Iterable[str]) -> set[str]:
        out = set()
        for p in paths:
            node = self.nodes.get(p) if is_tracked_form(p) else None
            if node is not None and (self.index or node.mode != "160000"):
                out.add(p)
        return out

    def prefetch(self, paths: Iterable[str]) -> None:
        return None

    def blob_sizes(self, oids: Iterable[str]) -> dict[str, int]:
        sizes = {n.oid: len(n.data) for n in self.nodes.values() if n.mode != "160000"}
        return {oid: sizes[oid] for oid in oids if oid in sizes}

    def entry(self, path: str) -> Entry | None:
        node = self.nodes.get(path) if is_tracked_form(path) else None
        return Entry(path, node.mode, node.oid) if node is not None else None

    def entries(self, paths: Sequence[str]) -> dict[str, Entry]:
        wanted = [p.rstrip("/") for p in paths if is_tracked_form(p.rstrip("/"))]
        return {
            path: Entry(path, node.mode, node.oid)
            for path, node in self.nodes.items()
            if any(path == w or path.startswith(w + "/") for w in wanted)
        }


def staged_files(head: Tree, index: Tree) -> tuple[FileChange, ...]:
    """`git diff-index --cached -M -C HEAD` for two trees held in memory: exact renames
    (from a deleted path) and exact copies (from a modified one), a type change as T."""
    gone = sorted(p for p in head if p not in index)
    new = sorted(p for p in index if p not in head)
    changed = {p for p in head if p in index and head[p] != index[p]}
    out: list[FileChange] = []
    renamed: set[str] = set()
    for path in new:
        node = index[path]
        source = next((g for g in gone if g not in renamed and head[g] == node), None)
        if source is not None:
            renamed.add(source)
            out.append(FileChange("R", path, source, _entry(source, head[source]),
                                  _entry(path, node)))  # fmt: skip
            continue
        copied = next((c for c in sorted(changed) if head[c] == node), None)
        if copied is not None:
            out.append(FileChange("C", path, copied, _entry(copied, head[copied]),
                                  _entry(path, node)))  # fmt: skip
            continue
        out.append(FileChange("A", path, path, None, _entry(path, node)))
    for path in gone:
        if path not in renamed:
            out.append(FileChange("D", path, path, _entry(path, head[path]), None))
    for path in changed:
        old, node = head[path], index[path]
        status = "M" if _type(old.mode) == _type(node.mode) else "T"
        out.append(FileChange(status, path, path, _entry(path, old), _entry(path, node)))
    out.sort(key=lambda fc: fc.path)
    return tuple(out)


def _entry(path: str, node: Node) -> Entry:
    return Entry(path, node.mode, node.oid)


def git_lines(files: Iterable[FileChange], head: Tree, index: Tree) -> Hints:
    """git's added and removed lines of every modified regular file (`git diff
    --no-index -U0` of both contents), keyed by blob ids as the hook's patch is."""
    hints: Hints = {}
    pairs = [
        (head[fc.old_path].data, index[fc.path].data)
        for fc in files
        if fc.old is not None and fc.new is not None
        and fc.old.mode.startswith("100") and fc.new.mode.startswith("100")
    ]  # fmt: skip
    if not pairs:
        return hints
    with tempfile.TemporaryDirectory(prefix="taskgate-test-") as tmp:
        old, new = Path(tmp, "old"), Path(tmp, "new")
        for before, after in pairs:
            old.write_bytes(before)
            new.write_bytes(after)
            patch = subprocess.run(
                ["git", "diff", "--no-index", "-p", "-U0", "--full-index", "--no-color",
                 "--no-ext-diff", "--", str(old), str(new)],
                capture_output=True, check=False,
            ).stdout  # fmt: skip
            hints.update(parse_patch(patch))
    return hints


class _Staged:
    """The sides, files, base and shared caches of one staged change, as a hook builds
    them (`builders.staged_change`), for one or more stages."""

    def __init__(self, head: Tree, index: Tree) -> None:
        self.files = staged_files(head, index)
        self.head, self.index = head, index
        self.before, self.after = MemoryTree(head, index=False), MemoryTree(index, index=True)
        self.base = load_base(self.before.read, f"commit {HEAD[:12]}")
        if self.base.policy.gate.enabled or self.base.policy.identity.mode == "signed":
            raise NotImplementedError("the gate and signed identity need a real repository")
        self.blobs = ValidatedBlobs()  # the cache file both hooks share, held in memory
        self._hints: list[Hints] = []

    def lines(self) -> Hints:
        if not self._hints:
            self._hints.append(git_lines(self.files, self.head, self.index))
        return self._hints[0]

    def findings(
        self, stage: Stage, message: CommitMessage | None, claim: str | None
    ) -> list[Finding]:
        """`commithooks._run`: the base's problems, then every rule of `stage`."""
        structure = self.base.structure
        change = Change(
            files=self.files, before=self.before, after=self.after, stage=stage,
            structure=structure, message=message, actor=resolve_actor(structure, message, claim),
            agent_claim=claim, hints=self.lines,
        )  # fmt: skip
        change.validated_blobs = self.blobs
        return [*self.base.problems, *run_checks(change, self.base.policy)]


def _message(text: str, *, newline: bool) -> CommitMessage:
    raw = (text + "\n" if newline else text).encode("utf-8", "surrogateescape")
    return message_from_bytes(raw, "#", "whitespace")


def judge(
    head: Tree, index: Tree, message: str, *, claim: str | None = None
) -> subprocess.CompletedProcess[str]:
    """What `git commit -m message` (hooks installed, gate off) answers for the index
    `index` on top of the commit `head`: the pre-commit hook, then the commit-msg hook
    (git writes the message and a newline; no editor ran: whitespace cleanup).
    `claim` is a claimed agent (TASKGATE_AGENT or `git config taskgate.agent`)."""
    staged = _Staged(head, index)
    stderr = io.StringIO()
    args = ["git", "commit", "-m", message]
    for stage, msg, title in ((Stage.PRE_COMMIT, None, "pre-commit"),
                              (Stage.COMMIT_MSG, _message(message, newline=True),
                               "commit-msg")):  # fmt: skip
        findings = staged.findings(stage, msg, claim)
        render_text(Outcome(findings, title=title), stderr, 0)
        if has_errors(findings):
            return subprocess.CompletedProcess(args, 1, "", stderr.getvalue())
    return subprocess.CompletedProcess(args, 0, "", stderr.getvalue())


def check(
    head: Tree, index: Tree, message: str, *, claim: str | None = None
) -> subprocess.CompletedProcess[str]:
    """What `taskgate check -m message --format json --no-gate` prints for the index
    `index` on top of the commit `head` (`commithooks.check_staged`: one pass at the
    check stage; the JSON report on stdout, without its time)."""
    args = ["taskgate", "check", "-m", message, "--format", "json", "--no-gate"]
    try:
        staged = _Staged(head, index)
        findings = staged.findings(Stage.CHECK, _message(message, newline=False), claim)
    except TaskgateError as exc:  # what `cli.main` prints for it (a policy it cannot use)
        return subprocess.CompletedProcess(args, 2, "", f"taskgate: error: {exc}\n")
    out = io.StringIO()
    render_json(Outcome(findings, title="check"), out, 0)
    return subprocess.CompletedProcess(args, 1 if has_errors(findings) else 0, out.getvalue(), "")


Content = str | bytes


def _bytes(content: Content) -> bytes:
    return content.encode() if isinstance(content, str) else content


class MemoryScene:
    """HEAD and the index of a copy of the `workflow_repo` template, in memory. The edits
    stage at once (as `RepoScene`'s do); `setup` commits the index as the lead's set-up
    commit (no hooks), `hooks` judges the staged change."""

    def __init__(self, files: Mapping[str, Content] | None = None) -> None:
        start = TEMPLATE if files is None else files
        self.head: Tree = {p: Node("100644", _bytes(c)) for p, c in start.items()}
        self.index: Tree = dict(self.head)

    def write(self, rel: str, content: Content) -> None:
        self.index[rel] = Node("100644", _bytes(content))

    def write_json(self, rel: str, data: object) -> None:
        self.index[rel] = Node("100644", _json(data))

    def read_text(self, rel: str) -> str:
        return self.index[rel].data.decode()

    def remove(self, rel: str) -> None:
        del self.index[rel]

    def move(self, src: str, dst: str) -> None:
        self.index[dst] = self.index.pop(src)

    def symlink(self, rel: str, target: str) -> None:
        self.index[rel] = Node("120000", target.encode())

    def gitlink(self, rel: str) -> None:
        self.index[rel] = Node("160000", GITLINK.encode())

    def setup(self, files: Mapping[str, Any]) -> None:
        """`lead_setup`: write `files` (dicts and lists as JSON) and commit them."""
        for rel, content in files.items():
            if isinstance(content, dict | list):
                self.write_json(rel, content)
            else:
                self.write(rel, content)
        self.head = dict(self.index)

    def hooks(self, message: str, *, claim: str | None = None) -> subprocess.CompletedProcess[str]:
        return judge(self.head, self.index, message, claim=claim)

    def check(self, message: str, *, claim: str | None = None) -> subprocess.CompletedProcess[str]:
        return check(self.head, self.index, message, claim=claim)


class RepoScene:
    """The same edits on a real repository, each staged; `hooks` makes a real commit."""

    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo

    def write(self, rel: str, content: Content) -> None:
        self.repo.write(rel, content)
        self.repo.add(rel)

    def write_json(self, rel: str, data: object) -> None:
        self.repo.write_json(rel, data)
        self.repo.add(rel)

    def read_text(self, rel: str) -> str:
        return (self.repo.path / rel).read_text(encoding="utf-8")

    def remove(self, rel: str) -> None:
        self.repo.git("rm", "-q", "--", rel)

    def move(self, src: str, dst: str) -> None:
        (self.repo.path / dst).parent.mkdir(parents=True, exist_ok=True)
        self.repo.git("mv", "--", src, dst)

    def symlink(self, rel: str, target: str) -> None:
        path = self.repo.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
        self.repo.add(rel)

    def gitlink(self, rel: str) -> None:
        self.repo.git("update-index", "--add", "--cacheinfo", f"160000,{self.repo.head()},{rel}")

    def setup(self, files: Mapping[str, Any]) -> None:
        for rel, content in files.items():
            if isinstance(content, dict | list):
                self.repo.write_json(rel, content)
            else:
                self.repo.write(rel, content)
        self.repo.add(*files)
        self.repo.commit_no_hooks("chore(lead): set the scene")

    def hooks(self, message: str, *, claim: str | None = None) -> subprocess.CompletedProcess[str]:
        return self.repo.commit(message, env={"TASKGATE_AGENT": claim} if claim else None)


Scene = MemoryScene | RepoScene


def rules_and_paths(stderr: str) -> list[tuple[str, str]]:
    """(rule, path) of each text-format finding line, sorted (the line number dropped)."""
    out = []
    for line in stderr.splitlines():
        word, _, rest = line.partition(" ")
        if len(word) == 5 and word.startswith("TG") and word[2:].isdigit():
            rest = rest.split(" ", 1)[1].lstrip(" ") if " " in rest else ""
            out.append((word, re.sub(r":[0-9]+$", "", rest.split(": ", 1)[0])))
    return sorted(out)


def agree(memory: subprocess.CompletedProcess[str], real: subprocess.CompletedProcess[str]) -> None:
    """The in-memory judge and a real commit give the same verdict and findings."""
    assert memory.returncode == real.returncode, (memory.stderr, real.stderr)
    assert rules_and_paths(memory.stderr) == rules_and_paths(real.stderr), (
        memory.stderr,
        real.stderr,
    )


def on_both(
    repo: GitRepo, act: Callable[[Scene], subprocess.CompletedProcess[str]]
) -> subprocess.CompletedProcess[str]:
    """`act` on a real repository (a real commit) and in memory; they must agree. The
    real result is returned, for the test's own assertions."""
    real = act(RepoScene(repo))
    agree(act(MemoryScene()), real)
    return real


def edit_tasks(scene: Scene, edit: Callable[[list[dict[str, Any]]], None], **top: Any) -> None:
    """`edit` applied to the committed board's tasks, staged (as lanes' `edit_board`)."""
    doc = json.loads(scene.read_text(BOARD_PATH))
    tasks = copy.deepcopy(doc["tasks"])
    edit(tasks)
    doc["tasks"] = tasks
    doc.update(top)
    scene.write_json(BOARD_PATH, doc)
