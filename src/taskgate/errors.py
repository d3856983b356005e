"""Errors that end a run with exit status 2: usage, configuration, environment."""

from __future__ import annotations


class TaskgateError(Exception):
    """A problem the user can fix; the message says how. Exit status 2."""


class ConfigError(TaskgateError):
    """The policy or a workflow file the policy depends on cannot be used."""


class GitError(TaskgateError):
    """git failed or is missing."""


class GitMissing(GitError):
    """The git executable cannot be found on PATH."""
