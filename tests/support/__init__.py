"""Shared test helpers: one package for what several test folders use.

- `tests.support.inprocess`: run `taskgate.cli.main` in this process (no interpreter
  start, no import of the package per call) and get a CompletedProcess back.
"""
