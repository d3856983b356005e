"""A copy of the files a wheel is built from, for the packaging and pre-commit framework
tests (both build taskgate from this tree, never in place)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# What a wheel is built from; everything else in the tree is irrelevant to it.
PACKAGE_FILES = ("src", "schemas", "hooks", "docs", "pyproject.toml", "README.md")
# Read before the per-test fixture points HOME at a temporary folder: reuse pip's cache.
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")


def copy_package_tree(dest: Path) -> Path:
    """The files a build needs, copied from the working tree (never built in place)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    dest.mkdir(parents=True, exist_ok=True)
    for name in PACKAGE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest
