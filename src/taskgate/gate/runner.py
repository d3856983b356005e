"""Run the gate's commands concurrently, each in its own process group, with a timeout.

Output goes to a log file in the snapshot folder (a pipe inherited by a command's
stray background process would keep a reader waiting forever). On a timeout or
an interrupt the whole process group is signalled, then reaped, before the
snapshot folder is removed.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any

from taskgate.gate.progress import Progress
from taskgate.gate.tools import Resolved

GRACE = 2.0  # seconds between SIGTERM and SIGKILL
TAIL_LINES = 40
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_WATCHED = ("SIGINT", "SIGTERM", "SIGHUP")


# --- interrupts -----------------------------------------------------------------


class Interrupts:
    """While active, SIGINT/SIGTERM/SIGHUP raise KeyboardInterrupt, or wait during cleanup."""

    def __init__(self) -> None:
        # Whatever was installed before (a callable, SIG_DFL, SIG_IGN, or None from C).
        self._previous: dict[int, Any] = {}
        self._deferring = False
        self._received: int | None = None

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for name in _WATCHED:
                signum = getattr(signal, name, None)
                if signum is not None:
                    self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            if handler is not None:  # None: set from C, cannot be put back from Python
                signal.signal(signum, handler)
        self._previous.clear()

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self._deferring:
            self._received = signum
            return
        raise KeyboardInterrupt

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold signals off for a block that must finish (start a job, clean up)."""
        outer = self._deferring
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = outer
        if not outer and self._received is not None:
            self._received = None
            raise KeyboardInterrupt


# --- jobs -----------------------------------------------------------------------


class Job:
    """One command of one module: a process group, its log, its fate."""

    def __init__(
        self,
        label: str,
        resolved: Resolved,
        cwd: Path,
        env: Mapping[str, str],
        timeout: float,
        log: Path,
    ) -> None:
        self.label = label
        self.resolved = resolved
        self.cwd = cwd
        self.env = dict(env)
        self.timeout = timeout
        self.log = log
        self.record: Path | None = None  # where pytest's test record goes (testrecord)
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.ended = 0.0
        self.returncode: int | None = None
        self.error: str | None = None  # could not be started
        self.timed_out = False
        self._kill_at: float | None = None
        self._reaped = False
        self._lock = threading.Lock()

    @property
    def duration(self) -> float:
        return max(self.ended - self.started, 0.0)

    def start(self, done: queue.Queue[Job]) -> bool:
        argv = list(self.resolved.argv)
        if self.resolved.executable is not None:
            argv[0] = self.resolved.executable
        self.started = time.perf_counter()
        try:
            with self.log.open("wb") as out:
                self.proc = subprocess.Popen(
                    argv,
                    cwd=self.cwd,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own group: one signal reaches all it starts
                )
        except OSError as exc:
            self.error = exc.strerror or str(exc)
            self.ended = time.perf_counter()
            return False
        threading.Thread(target=self._wait, args=(done,), daemon=True).start()
        return True

    def _wait(self, done: queue.Queue[Job]) -> None:
        proc = self.proc
        if proc is None:
            return
        try:
            if hasattr(os, "waitid"):
                # Wait without reaping: while the leader is a zombie its group id stays
                # reserved, so signalling the group cannot hit a recycled one.
                with suppress(ChildProcessError):
                    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
                self.ended = time.perf_counter()
                with self._lock:
                    # Whatever it left running in the background goes with the snapshot.
                    self._signal_group(signal.SIGKILL)
                    self.returncode = proc.wait()
                    self._reaped = True
            else:
                self.returncode = proc.wait()
                self.ended = time.perf_counter()
                self._reaped = True
        finally:
            done.put(self)

    def _signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    def signal(self, sig: int) -> None:
        with self._lock:
            if not self._reaped:
                self._signal_group(sig)

    def enforce(self, now: float) -> None:
        """Timeout: SIGTERM to the group, SIGKILL after a grace period."""
        if self._reaped:
            return
        if not self.timed_out and now - self.started >= self.timeout:
            self.timed_out = True
            self._kill_at = now + GRACE
            self.signal(signal.SIGTERM)
        elif self._kill_at is not None and now >= self._kill_at:
            self._kill_at = None
            self.signal(signal.SIGKILL)

    def next_event(self) -> float:
        if self._kill_at is not None:
            return self._kill_at
        return self.started + self.timeout if not self.timed_out else float("inf")

    def tail(self, lines: int = TAIL_LINES) -> list[str]:
        """The last `lines` lines of the output, without colour codes."""
        try:
            with self.log.open("rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(size - 64 * 1024, 0))
                data = fh.read()
        except OSError:
            return []
        text = data.decode("utf-8", "replace")
        out = [_ANSI.sub("", line).rstrip("\r") for line in text.split("\n")]
        while out and not out[-1].strip():
            out.pop()
        return out[-lines:]


def run_jobs(jobs: Sequence[Job], interrupts: Interrupts, progress: Progress, limit: int) -> None:
    """Run `jobs`, at most `limit` at a time; returns when every one has ended."""
    done: queue.Queue[Job] = queue.Queue()
    waiting = deque(jobs)
    running: list[Job] = []
    try:
        while waiting or running:
            while waiting and len(running) < limit:
                with interrupts.deferred():
                    job = waiting.popleft()
                    if job.start(done):
                        running.append(job)
            if not running:
                continue
            now = time.perf_counter()
            wake = min(j.next_event() for j in running) - now
            if progress.live:
                wake = min(wake, progress.interval)
            try:
                finished: Job | None = done.get(
                    timeout=max(wake, 0.0) if wake != float("inf") else None
                )
            except queue.Empty:
                finished = None
            while finished is not None:
                running.remove(finished)
                try:
                    finished = done.get_nowait()
                except queue.Empty:
                    finished = None
            now = time.perf_counter()
            for job in running:
                job.enforce(now)
            progress.show([(j.label, j.started) for j in running], len(waiting))
    finally:
        with interrupts.deferred():
            progress.clear()
            _stop(running, done)


def _stop(running: list[Job], done: queue.Queue[Job]) -> None:
    """Interrupted: SIGTERM every group, SIGKILL what is left after the grace period, reap."""
    if not running:
        return
    for job in running:
        job.signal(signal.SIGTERM)
    deadline = time.perf_counter() + GRACE
    escalated = False
    while running:
        left = deadline - time.perf_counter()
        if left <= 0 and not escalated:
            for job in running:
                job.signal(signal.SIGKILL)
            escalated = True
            deadline = time.perf_counter() + 10.0
            continue
        if left <= 0:
            return  # a process SIGKILL cannot end (stuck in the kernel): stop waiting
        try:
            running.remove(done.get(timeout=left))
        except queue.Empty:
            continue
