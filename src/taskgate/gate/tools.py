"""Which executable a gate command runs, and the environment it runs in.

Kept apart from the runner: a cache hit resolves executables (they are part of
the cache key) but starts nothing, so it should not pay for importing the runner.
"""

# No `from __future__ import annotations`: NamedTuple would compile each string
# annotation into a ForwardRef at import, on the hook's path.

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple


class Resolved(NamedTuple):
    """A command split with shlex, its executable found (or not)."""

    command: str
    argv: tuple[str, ...]
    executable: str | None  # absolute path, a path relative to the module, or None: missing
    looked_in: tuple[str, ...]
    passed_over: tuple[str, ...] = ()  # found, but inside the content being judged


def search_path(root: Path | None, module_path: str, skip_venvs: Sequence[str] = ()) -> list[str]:
    """`<module>/.venv/bin`, `<repo>/.venv/bin`, taskgate's own environment, then PATH.

    `skip_venvs` names `.venv` folders (repository-relative) not to look in."""
    dirs: list[str] = []
    if root is not None:
        for venv in (f"{module_path}/.venv", ".venv"):
            if venv not in skip_venvs:
                dirs.append(str(root / venv / "bin"))
    # Not resolved: a venv's python is a symlink, its bin folder is what holds the tools.
    dirs.append(str(Path(sys.executable).parent))
    dirs += [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    return list(dict.fromkeys(dirs))


def _which(
    name: str, dirs: Sequence[str], refuse: Callable[[str], bool] | None, passed: list[str]
) -> str | None:
    # shutil.which, minus the import of shutil (and bz2, lzma) on the cache-hit path.
    for folder in dirs:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            if refuse is not None and refuse(candidate):
                passed.append(candidate)
                continue
            return candidate
    return None


def resolve(
    command: str,
    argv: Sequence[str],
    dirs: Sequence[str],
    refuse: Callable[[str], bool] | None = None,
) -> Resolved:
    """Find `argv[0]` in `dirs`, passing over what `refuse` says is part of the judged content."""
    name = argv[0]
    if "/" in name:
        # An explicit path: absolute, or relative to the module folder of the snapshot.
        return Resolved(command, tuple(argv), name, ())
    passed: list[str] = []
    found = _which(name, dirs, refuse, passed)
    return Resolved(command, tuple(argv), found, tuple(dirs), tuple(passed))


def command_env(executable: str | None, pythonpath: Sequence[Path]) -> dict[str, str]:
    """GIT_* scrubbed; the snapshot first on PYTHONPATH; the tool's venv first on PATH."""
    from taskgate.git import scrubbed_env

    env = scrubbed_env()
    extra = [str(p) for p in pythonpath]
    if env.get("PYTHONPATH"):
        extra.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(extra)
    if executable and os.path.isabs(executable):
        bindir = Path(executable).parent
        if (bindir.parent / "pyvenv.cfg").is_file():
            # As if activated: `python` and tools a test starts come from the same venv.
            env["VIRTUAL_ENV"] = str(bindir.parent)
            env["PATH"] = os.pathsep.join([str(bindir), env.get("PATH", "")])
    return env
