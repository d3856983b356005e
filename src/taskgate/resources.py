"""Files shipped with taskgate: the JSON Schemas and the hook shim templates.

In a wheel they live inside the package (hatchling force-include); in an editable
install the package is the source tree's `src/taskgate`, so they are found at the
repository's top level instead.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder `schemas` or `hooks`, wherever this installation keeps it."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"taskgate's {name}/ folder is missing from this installation")


def schema_path(filename: str) -> Path:
    return data_dir("schemas") / filename


def hook_template() -> str:
    return (data_dir("hooks") / "shim.sh").read_text(encoding="utf-8")
