"""`taskgate agent add|worktree|list`: the lead gives each agent a key and a worktree.

- `add NAME --key-dir DIR`: an ed25519 key pair made by `ssh-keygen` outside the
  repository (private key mode 600), its public key listed for the principal NAME in
  the allowed-signers file of the working tree; the lead then commits that file.
- `worktree NAME PATH [-b BRANCH]`: a linked worktree whose worktree-scoped config
  (`extensions.worktreeConfig`) names the agent and signs every commit with its key.
  Each agent gets its own index: one agent's `git add -A` cannot stage another's work,
  and agents committing at the same time do not fight over one `index.lock`.
- `list`: agents, modules, key fingerprints and worktrees.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from taskgate.errors import ConfigError, GitError, TaskgateError
from taskgate.git import Git, Repo, scrubbed_env
from taskgate.identity.signers import parse_allowed_signers
from taskgate.identity.sshsig import fingerprint, public_key_of_file
from taskgate.policy import Policy, load_policy
from taskgate.rules.catalog import RULE_IDS
from taskgate.workflow.structure import Structure, StructureError, parse_structure

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]*")


def _key_config(name: str) -> str:
    """Where `add` records the private key's path for `worktree` (local config)."""
    return f"taskgate.{name}.signingkey"


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise TaskgateError(
            f"agent name {name!r}: use letters, digits and . _ @ + - (it becomes the key's "
            "principal in the allowed-signers file)"
        )


class Workspace(NamedTuple):
    """The policy and the module map as the lead's working tree has them (else HEAD's)."""

    policy: Policy
    structure: Structure | None


def _read_fn(repo: Repo) -> Callable[[str], bytes | None]:
    """Read a file from the working tree, else from HEAD (a bare repository)."""

    def read(path: str) -> bytes | None:
        if not repo.bare:
            try:
                return (repo.root / path).read_bytes()
            except OSError:
                pass
        return repo.objects.read(f"HEAD:{path}", "blob")

    return read


def workspace(repo: Repo) -> Workspace:
    read = _read_fn(repo)
    policy = load_policy(read, "the working tree", rule_ids=RULE_IDS)
    raw = read(policy.paths.structure)
    structure = None
    if raw is not None:
        try:
            structure = parse_structure(raw)
        except StructureError:
            structure = None
    return Workspace(policy, structure)


def _role_of(structure: Structure | None, name: str) -> str | None:
    """'module api', 'lead', 'reviewer', or None when the module map does not know `name`."""
    if structure is None:
        return None
    module = structure.module_for_agent(name)
    if module is not None:
        return f"module {module.name}"
    if name.lower() == structure.lead:
        return "lead"
    if name.lower() == structure.reviewer:
        return "reviewer"
    return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


# --- add ---------------------------------------------------------------------------


def add_agent(repo: Repo, name: str, key_dir: Path) -> list[str]:
    """Make NAME's key pair in `key_dir` and list its public key; the lines to print."""
    _check_name(name)
    if repo.bare:
        raise TaskgateError("taskgate agent add needs a working tree (the lead's clone)")
    folder = key_dir.expanduser().resolve()
    for inner in (repo.root.resolve(), repo.common_dir.resolve()):
        if _inside(folder, inner):
            raise TaskgateError(
                f"--key-dir {key_dir} is inside the repository ({inner}); keep private keys "
                "outside it, e.g. --key-dir ~/.taskgate/keys"
            )
    private = folder / name
    public = folder / f"{name}.pub"
    for path in (private, public):
        if path.exists() or path.is_symlink():
            raise TaskgateError(
                f"{path} already exists; remove it, or choose another --key-dir "
                "(an existing key is never overwritten)"
            )
    ws = workspace(repo)
    rel = ws.policy.identity.allowed_signers
    signers = repo.root / rel
    top = repo.root.resolve()
    # Never write through a symlink, or outside the repository (as `taskgate init`).
    if signers.is_symlink() or not _inside(signers.parent.resolve() / signers.name, top):
        raise TaskgateError(f"{rel} is a symlink or leads outside the repository; not writing it")
    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        raise TaskgateError("ssh-keygen is not installed or not on PATH; install OpenSSH")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    proc = subprocess.run(
        [keygen, "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@taskgate", "-f", str(private)],
        capture_output=True,
        check=False,
        env=scrubbed_env(),
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise TaskgateError(f"ssh-keygen could not make the key: {err or proc.returncode}")
    os.chmod(private, 0o600)
    line = public.read_text(encoding="ascii").strip()
    blob = public_key_of_file(line.encode())
    if blob is None:
        raise TaskgateError(f"ssh-keygen wrote an unreadable public key: {public}")

    signers.parent.mkdir(parents=True, exist_ok=True)
    before = signers.read_bytes() if signers.exists() else b""
    sep = b"" if not before or before.endswith(b"\n") else b"\n"
    with signers.open("ab") as fh:
        fh.write(sep + f"{name} {line}\n".encode("ascii"))
    repo.git.run("config", "--local", _key_config(name), str(private))

    lead = ws.structure.lead if ws.structure is not None else "lead"
    lines = [
        f"key pair for {name}: {private} (private, mode 600) and {public}",
        f"fingerprint: {fingerprint(blob)}",
        f"listed {name} in {rel}",
    ]
    if _role_of(ws.structure, name) is None:
        lines.append(
            f"note: {name} is no module's agent and no role in {ws.policy.paths.structure}; "
            "its commits will be refused (TG707) until the module map names it"
        )
    # Once HEAD is in signed mode the lead's own commits must be signed too.
    try:
        head = load_policy(
            lambda p: repo.objects.read(f"HEAD:{p}", "blob"), "HEAD", rule_ids=RULE_IDS
        )
    except ConfigError:
        head = Policy()  # the hooks will say what is wrong with it; the key is made
    sign = " -S" if head.identity.mode == "signed" else ""
    lines += [
        "the lead must now commit the allowed-signers file (a policy file: lead only):",
        f'  git add {rel} && git commit{sign} -m "chore({lead}): list the signing key of {name}"',
        f"then give the agent its worktree: taskgate agent worktree {name} PATH",
    ]
    return lines


# --- worktree ----------------------------------------------------------------------


def agent_worktree(
    repo: Repo, name: str, path: Path, branch: str | None, key: Path | None = None
) -> list[str]:
    """A linked worktree for NAME, signing every commit with NAME's key."""
    _check_name(name)
    if key is None:
        recorded = repo.config(_key_config(name))
        if not recorded:
            raise TaskgateError(
                f"no key recorded for {name}: run `taskgate agent add {name} --key-dir DIR` "
                "first, or pass --key PATH/TO/PRIVATE_KEY"
            )
        key = Path(recorded)
    key = key.expanduser().resolve()
    try:
        blob = public_key_of_file(key.read_bytes())
    except OSError as exc:
        raise TaskgateError(f"cannot read the key {key}: {exc.strerror}") from exc
    if blob is None:
        raise TaskgateError(f"{key} is not an OpenSSH key file")
    target = path.expanduser().absolute()
    if target.exists() and any(target.iterdir()):
        raise TaskgateError(f"{target} exists and is not empty; choose a new folder")
    ws = workspace(repo)
    args = ["worktree", "add", "-q"]
    if branch:
        args += ["-b", branch]
    repo.git.run(*args, str(target))
    repo.git.run("config", "--local", "extensions.worktreeConfig", "true")
    git = Git(target)
    signers = target / ws.policy.identity.allowed_signers
    settings = {
        "taskgate.agent": name,
        "user.name": name,
        "user.email": f"{name}@agents.invalid",
        "gpg.format": "ssh",
        "user.signingkey": str(key),
        "commit.gpgsign": "true",
        "gpg.ssh.allowedSignersFile": str(signers),
    }
    for setting, value in settings.items():
        git.run("config", "--worktree", setting, value)
    head = git.run("rev-parse", "--abbrev-ref", "HEAD").decode().strip()
    return [
        f"worktree for {name}: {target} (branch {head})",
        f"its own config (config.worktree): taskgate.agent={name}, signs every commit with "
        f"{key} ({fingerprint(blob)})",
        f"the agent works there: cd {target}",
    ]


# --- list --------------------------------------------------------------------------


class AgentRow(NamedTuple):
    agent: str
    role: str  # "module api", "lead", "reviewer", "unknown"
    fingerprints: tuple[str, ...]
    worktrees: tuple[str, ...]


def _worktrees(repo: Repo) -> dict[str, list[str]]:
    """agent name → worktree paths whose config names it (taskgate.agent)."""
    try:
        out = repo.git.run("worktree", "list", "--porcelain")
    except GitError:
        return {}
    found: dict[str, list[str]] = {}
    for line in out.decode("utf-8", "surrogateescape").split("\n"):
        if not line.startswith("worktree "):
            continue
        path = line[len("worktree ") :]
        if not Path(path).is_dir():
            continue
        try:
            agent = Git(Path(path)).run("config", "--get", "taskgate.agent", ok_codes=(0, 1))
        except GitError:
            continue
        name = agent.decode("utf-8", "replace").strip()
        if name:
            found.setdefault(name, []).append(path)
    return found


def agent_rows(repo: Repo) -> list[AgentRow]:
    ws = workspace(repo)
    raw = _read_fn(repo)(ws.policy.identity.allowed_signers)
    keys: dict[str, list[str]] = {}
    if raw is not None:
        for signer in parse_allowed_signers(raw).signers:
            for principal in signer.principals:
                keys.setdefault(principal, []).append(fingerprint(signer.key))
    trees = _worktrees(repo)
    names: dict[str, str] = {}
    if ws.structure is not None:
        for module in ws.structure.modules.values():
            names.setdefault(module.agent, f"module {module.name}")
        names.setdefault(ws.structure.lead, "lead")
        names.setdefault(ws.structure.reviewer, "reviewer")
    for name in [*keys, *trees]:
        names.setdefault(name, _role_of(ws.structure, name) or "unknown")
    return [
        AgentRow(name, role, tuple(keys.get(name, ())), tuple(trees.get(name, ())))
        for name, role in names.items()
    ]


def list_agents(repo: Repo, fmt: str) -> str:
    rows = agent_rows(repo)
    ws = workspace(repo)
    if fmt == "json":
        doc = {
            "mode": ws.policy.identity.mode,
            "allowed_signers": ws.policy.identity.allowed_signers,
            "agents": [
                {"agent": r.agent, "role": r.role, "keys": list(r.fingerprints),
                 "worktrees": list(r.worktrees)}
                for r in rows
            ],
        }  # fmt: skip
        return json.dumps(doc, indent=2) + "\n"
    lines = [
        f"identity: {ws.policy.identity.mode} (allowed signers: "
        f"{ws.policy.identity.allowed_signers})"
    ]
    width = max([len(r.agent) for r in rows] + [5])
    role_width = max([len(r.role) for r in rows] + [4])
    lines.append(f"{'agent':<{width}}  {'role':<{role_width}}  keys / worktrees")
    for r in rows:
        keys = ", ".join(r.fingerprints) or "no key listed"
        lines.append(f"{r.agent:<{width}}  {r.role:<{role_width}}  {keys}")
        for tree in r.worktrees:
            lines.append(f"{'':<{width}}  {'':<{role_width}}  worktree {tree}")
    return "\n".join(lines) + "\n"


def run_agent_command(repo: Repo, args: Any) -> str:
    """`taskgate agent add|worktree|list`: the text to print."""
    if args.agent_command == "add":
        return "\n".join(add_agent(repo, args.name, args.key_dir)) + "\n"
    if args.agent_command == "worktree":
        key = args.key
        if key is None and args.key_dir is not None:
            key = args.key_dir / args.name
        lines = agent_worktree(repo, args.name, args.path, args.branch, key)
        return "\n".join(lines) + "\n"
    return list_agents(repo, args.format)
