"""The agent's side: the policy compiled into an agent's instructions (`agent brief`), its
runtime's hooks (`guard`, `agent hooks`) and a sanctioned way to dispute (`dispute`).

`run_guard` is the command's entry (the console script and `taskgate.cli` call it): it
fails closed, whatever goes wrong.
"""

import sys


def run_guard(argv: list[str]) -> int:
    """`taskgate guard …`: exit 0 allows, 2 blocks; never 1 (a warning to Claude Code).

    The quick path answers where it is certain (`agentside.quick`: no git, no rules);
    otherwise the full path (`agentside.guard`) judges the same event with the rules."""
    try:
        raw = sys.stdin.buffer.read()
        from taskgate.agentside.quick import answer

        found = answer(argv, raw)
        if found is None:
            from taskgate.agentside.guard import cli

            return cli(argv, raw)
        sys.stdout.write(found.stdout)
        sys.stdout.flush()
        sys.stderr.write(found.stderr)
        sys.stderr.flush()
        return found.status
    except BaseException as exc:  # a guard that cannot load or answer must still block
        try:
            sys.stderr.write(f"TG807 taskgate guard cannot run, so it blocks: {exc!r}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        return 2
