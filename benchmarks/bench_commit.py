"""A whole `git commit -m` through every hook `taskgate install` writes, with the
prepare-commit-msg shim as shipped (it starts taskgate only when git passes `commit <sha>`:
an amend, `-c`, `-C`) and with a shim that starts taskgate for every source, as before.

Both repositories are the same (bench_gate's module of source and test files, the gate
off, one source file of the module edited and staged), and both commits are rejected by
the same hook: the message is not a Conventional Commits header (TG101, at commit-msg),
so pre-commit, prepare-commit-msg and commit-msg all run and nothing lands: every run
judges the same change. Run alternately, medians of the whole `git commit` process.
"""

from __future__ import annotations

from pathlib import Path

from bench_gate import GATE_OFF, make_repo
from harness import Row, bench_env, fresh_dir, median_ms, python_exe, run_process, time_commands

MESSAGE = "Changed the users"  # TG101: rejected at commit-msg, after prepare-commit-msg
ALWAYS = '[ "$2" = commit ] || exit 0\n'


def _repo(root: Path, name: str, files: int) -> tuple[Path, dict[str, str]]:
    folder = fresh_dir(root, name)
    config = folder / "gitconfig"
    config.write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n", encoding="utf-8")
    env = bench_env({"HOME": str(folder), "GIT_CONFIG_GLOBAL": str(config), "GIT_EDITOR": ":"})
    repo = folder / "repo"
    repo.mkdir()
    make_repo(repo, env, GATE_OFF, files)
    if run_process([python_exe(), "-m", "taskgate", "install"], repo, env)() != 0:
        raise RuntimeError("taskgate install failed")
    return repo, env


def run(workdir: Path, quick: bool) -> list[Row]:
    root = fresh_dir(workdir, "commit")
    files = 10 if quick else 30
    shipped, shipped_env = _repo(root, "shipped", files)
    before, before_env = _repo(root, "always", files)
    shim = before / ".git" / "hooks" / "prepare-commit-msg"
    text = shim.read_text(encoding="utf-8")
    if ALWAYS not in text:
        raise RuntimeError("the shipped prepare-commit-msg shim has no source test")
    shim.write_text(text.replace(ALWAYS, ""), encoding="utf-8")
    argv = ["git", "commit", "-q", "-m", MESSAGE]
    commands = {
        "taskgate": run_process(argv, shipped, shipped_env, check_returncode=1),
        "taskgate, prepare-commit-msg starting taskgate every time (before)": run_process(
            argv, before, before_env, check_returncode=1
        ),
    }
    runs = 9 if quick else 31
    timings = time_commands(commands, runs=runs, warmup=1)
    name = "whole `git commit -m`, every hook installed, rejected at commit-msg"
    return [
        Row(
            name,
            tool,
            median_ms(seconds),
            None,
            f"pre-commit, prepare-commit-msg and commit-msg; module of {2 * files + 2} files, "
            f"one edited; {runs} runs, alternated",
        )
        for tool, seconds in timings.items()
    ]


if __name__ == "__main__":
    import sys

    from harness import WORK_ROOT, markdown_table

    print(markdown_table(run(WORK_ROOT, "--quick" in sys.argv)))
