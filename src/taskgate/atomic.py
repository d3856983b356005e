"""Write a file whole or not at all: a temporary file beside it, renamed over it."""

# No `from __future__ import annotations`: this module is on the hook's path (policy cache,
# validated blobs), and it has nothing to annotate lazily.

import os
from collections.abc import Callable
from pathlib import Path

# Every temporary file starts so: a folder's owner can tell (and prune) leftovers of a
# run killed between write and rename (taskgate.gate.cache does).
TEMP_PREFIX = ".tmp-"


def atomic_write(
    path: Path,
    data: bytes,
    *,
    mode: int | None = None,
    before_replace: Callable[[], object] | None = None,
) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename it.

    Readers see the old content or the new, never a part. `mode` is given to the file
    before it takes `path`'s place (None: 0o666 less the umask, as `open` does);
    `before_replace` runs just before that rename (after the data is complete on disk).
    On any failure or interrupt the temporary file is removed and the exception raised
    again; `path` is then as it was. The folder must exist.
    """
    # O_EXCL with a random name: two processes writing the same file never share a temp.
    tmp = path.with_name(f"{TEMP_PREFIX}{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, mode)  # the umask narrowed the mode os.open was given
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
