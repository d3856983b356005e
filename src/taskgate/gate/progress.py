"""A live line on a terminal while the gate's commands run; silence anywhere else."""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from typing import TextIO

_CLEAR = "\r\033[K"


class Progress:
    """Redraws one line: which commands run and for how long. Does nothing off a terminal."""

    interval = 0.1  # seconds between redraws

    def __init__(self, stream: TextIO) -> None:
        isatty = getattr(stream, "isatty", None)
        try:
            self.live = bool(isatty and isatty())
        except ValueError:  # a closed stream
            self.live = False
        self._stream = stream
        self._shown = False

    def show(self, running: Sequence[tuple[str, float]], waiting: int) -> None:
        """`running`: (label, start time on the perf_counter clock) of each running command."""
        if not self.live:
            return
        now = time.perf_counter()
        parts = [f"{label} {now - started:.1f}s" for label, started in running]
        line = "gate: " + " · ".join(parts) + (f" (+{waiting} waiting)" if waiting else "")
        width = shutil.get_terminal_size((80, 24)).columns - 1
        if len(line) > width:
            line = line[: max(width - 1, 0)] + "…"
        self._write(_CLEAR + line)
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self._write(_CLEAR)
            self._shown = False

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            self.live = False  # the terminal went away; the run goes on
