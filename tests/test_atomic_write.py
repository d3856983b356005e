"""One write-and-rename for every file taskgate keeps (taskgate.atomic)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from taskgate.atomic import TEMP_PREFIX, atomic_write


def test_the_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "cache.json"
    target.write_bytes(b"old")
    atomic_write(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert os.listdir(tmp_path) == ["cache.json"]


def test_the_mode_is_set_before_the_file_takes_its_place(tmp_path: Path) -> None:
    seen: list[int] = []
    target = tmp_path / "pre-commit"

    def look() -> None:
        # The temporary file is complete and executable before the rename.
        (tmp,) = [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
        seen.append(stat.S_IMODE(tmp.stat().st_mode))
        assert tmp.read_bytes() == b"#!/bin/sh\n"

    atomic_write(target, b"#!/bin/sh\n", mode=0o755, before_replace=look)
    assert seen == [0o755]
    assert stat.S_IMODE(target.stat().st_mode) == 0o755


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError])
def test_a_failure_before_the_rename_leaves_no_temporary_file(
    tmp_path: Path, error: type[BaseException]
) -> None:
    target = tmp_path / "validated-blobs"
    target.write_bytes(b"kept\n")

    def fail() -> None:
        raise error("stopped")

    with pytest.raises(error):
        atomic_write(target, b"lost\n", before_replace=fail)
    assert os.listdir(tmp_path) == ["validated-blobs"]
    assert target.read_bytes() == b"kept\n"


def test_a_failed_rename_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "inside").write_bytes(b"")
    with pytest.raises(OSError):  # a non-empty directory cannot be replaced by a file
        atomic_write(target, b"x")
    assert sorted(os.listdir(tmp_path)) == ["occupied"]
