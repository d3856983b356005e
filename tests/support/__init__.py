"""Shared test helpers: one package for what several test folders use.

- `tests.support.inprocess`: run `taskgate.cli.main` in this process (no interpreter
  start, no import of the package per call) and get a CompletedProcess back.
- `tests.support.staged`: a staged change held in memory (`MemoryScene`), judged as the
  two commit hooks (`hooks`) or `taskgate check` (`check`) judge it, with no repository;
  `RepoScene` makes the same edits in a real one and `on_both` proves they agree.
- `tests.support.templates`: a repository built once per session and copied per test.
- `tests.support.framework`: the run's taskgate source repository and pre-commit home,
  shared by the pre-commit framework tests.
"""
