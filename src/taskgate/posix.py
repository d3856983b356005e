"""taskgate supports POSIX systems only (its hook shims are sh scripts): the one test."""

import os
import sys


def windows() -> bool:
    """Whether this is Windows (native, Cygwin or MSYS), where the shims cannot run."""
    return os.name == "nt" or sys.platform.startswith(("win", "cygwin", "msys"))
