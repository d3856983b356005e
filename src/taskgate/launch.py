"""The `taskgate` console script and `python -m taskgate`: the agent's guard first.

`taskgate guard` runs on every tool call a coding agent makes (issue 16: under 50 ms, whole
process), so it is recognised here, before cli.py and what it imports load; every other
command goes to `taskgate.cli.main`. A guard that cannot load still blocks: exit 2 with the
reason on standard error (Claude Code, Codex and Gemini block on 2; Cursor does as well).
"""

import os
import sys


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["guard"]:
        import gc

        gc.disable()  # a short process that frees nothing: no collections while it imports
        from taskgate.agentside import run_guard

        status = run_guard(argv[1:])
        # The answer is out and git is reaped: skip tearing down the ~100 modules the rules
        # loaded, a few milliseconds of every tool call (the process ends here anyway).
        for stream in (sys.stdout, sys.stderr):
            try:  # noqa: SIM105 - contextlib is not loaded on the guard's quick path
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(status)
    from taskgate.cli import main as cli_main

    return cli_main(argv)
