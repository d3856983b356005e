"""The `taskgate` console script and `python -m taskgate`: the agent's guard first.

`taskgate guard` runs on every tool call a coding agent makes (issue 16: under 50 ms, whole
process), so it is recognised here, before cli.py and what it imports load; every other
command goes to `taskgate.cli.main`. A guard that cannot load still blocks: exit 2 with the
reason on standard error (Claude Code, Codex and Gemini block on 2; Cursor does as well).
"""

import os
import sys

TYPE_CHECKING = False  # typing is not loaded on the guard's quick path
if TYPE_CHECKING:
    from typing import NoReturn


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["guard"]:
        import gc

        gc.disable()  # a short process that frees nothing: no collections while it imports
        from taskgate.agentside import run_guard

        _leave(run_guard(argv[1:]))
    if argv[:1] == ["hook"] and argv[1:2] and argv[1] in _COMMIT_HOOKS:
        # Every commit starts these (issue 14: 150 ms for the pre-commit hook): as short
        # as the guard, so no collections (imports included) and no teardown either.
        import gc

        gc.disable()
        from taskgate.cli import main as hook_main

        _leave(hook_main(argv))
    from taskgate.cli import main as cli_main

    return cli_main(argv)


# The hooks of `git commit`; pre-push and pre-receive may judge long histories.
_COMMIT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "pre-merge-commit")


def _leave(status: int) -> "NoReturn":
    """The answer is out and git is reaped: skip tearing down the ~100 modules the rules
    loaded, a few milliseconds of every call (the process ends here anyway)."""
    if "coverage" in sys.modules:
        sys.exit(status)  # `make coverage`: its data is saved by an atexit handler
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 - contextlib is not loaded on the guard's quick path
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
