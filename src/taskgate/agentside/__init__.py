"""The agent's side: the policy compiled into an agent's instructions (`agent brief`), its
runtime's hooks (`guard`, `agent hooks`) and a sanctioned way to dispute (`dispute`).

`run_guard` is the command's entry (the console script and `taskgate.cli` call it): it
fails closed, whatever goes wrong.
"""

import sys


def run_guard(argv: list[str]) -> int:
    """`taskgate guard …`: exit 0 allows, 2 blocks; never 1 (a warning to Claude Code)."""
    try:
        from taskgate.agentside.guard import cli

        return cli(argv)
    except BaseException as exc:  # a guard that cannot load or answer must still block
        try:
            sys.stderr.write(f"TG807 taskgate guard cannot run, so it blocks: {exc!r}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        return 2
