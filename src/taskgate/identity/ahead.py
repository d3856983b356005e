"""Signatures verified ahead of the rules, on another core (`ci`, pre-push, pre-receive).

`ci` knows every commit it will judge, so their signatures can be checked while the main
thread runs the rules. On Linux a forked child process does it: the raw commits are
already in its memory (nothing to send, no interpreter to start), it holds no GIL the
main thread needs, and it sends back one small record a commit over a pipe. Worker
threads were tried first: the check itself releases the GIL, but every thread waits up
to a switch interval (5 ms) to get it back, so they finished late. Elsewhere, or when
the fork fails, threads still do it; on one CPU the commits are checked as they come.

Every commit is still verified: a result the child could not deliver is computed in
process. `close` ends and reaps the child (also at exit); the child closes every file
descriptor it inherited, never writes anywhere but its pipe, dies quietly on Ctrl-C or
when the reader is gone, and leaves with `os._exit` (no atexit handlers, no flushing).
"""

# No `from __future__ import annotations`: see taskgate.identity.sshsig.

import os
import sys
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from taskgate.identity.sshsig import SigCheck, check_commit_signature

if TYPE_CHECKING:
    from queue import Queue

CHUNK = 32  # commits a record batch (child) or a task (threads)


def _safe_check(raw: bytes) -> SigCheck:
    try:
        return check_commit_signature(raw)
    except Exception as exc:  # a worker never dies on one commit
        return SigCheck(None, f"not checked: {exc}", "unreadable")


# --- the child process (Linux) -------------------------------------------------------


def _child_main(raws: list[bytes], fd: int) -> None:
    """In the forked child: verify `raws` in order, write marshal'd batches to `fd`."""
    import contextlib
    import gc
    import marshal
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: end quietly, no traceback
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # the reader is gone: end quietly
    gc.disable()  # a collection would touch (and copy) the whole inherited heap
    null = os.open(os.devnull, os.O_RDWR)
    for n in (0, 1, 2):
        os.dup2(null, n)
    # The parent's pipes (its cat-file's stdin above all) must not stay open here.
    for name in os.listdir("/proc/self/fd"):
        if int(name) > 2 and int(name) != fd:
            with contextlib.suppress(OSError):  # the listing's own descriptor, gone
                os.close(int(name))
    keys: dict[bytes, bytes] = {}  # one object per key: marshal writes it once a batch
    for start in range(0, len(raws), CHUNK):
        out = []
        for raw in raws[start : start + CHUNK]:
            found = _safe_check(raw)
            key = None if found.key is None else keys.setdefault(found.key, found.key)
            out.append((key, found.problem, found.kind))
        data = marshal.dumps(out)
        view = memoryview(len(data).to_bytes(4, "big") + data)
        while view:
            view = view[os.write(fd, view) :]


class _Child:
    """A forked verifier: results arrive in order, a batch at a time."""

    def __init__(self, pid: int, stream: IO[bytes], count: int) -> None:
        self.pid = pid
        self.stream: IO[bytes] | None = stream
        self.count = count
        self.results: list[SigCheck] = []

    def get(self, index: int) -> SigCheck | None:
        """Result `index`, read when needed; None when the child could not deliver it."""
        import marshal

        while len(self.results) <= index and self.stream is not None:
            head = self.stream.read(4)
            data = self.stream.read(int.from_bytes(head, "big")) if len(head) == 4 else b""
            try:
                batch = marshal.loads(data) if data else None  # noqa: S302 - our own child's
            except (EOFError, ValueError, TypeError):
                batch = None
            if not batch:
                self.close()  # died early: the caller verifies the rest itself
                break
            self.results.extend(SigCheck(*item) for item in batch)
        if len(self.results) >= self.count:
            self.close()
        return self.results[index] if index < len(self.results) else None

    def close(self) -> None:
        if self.stream is None:
            return
        import signal

        finished = len(self.results) >= self.count
        self.stream.close()
        self.stream = None
        try:
            if not finished:
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass  # already reaped


def _fork(raws: list[bytes]) -> _Child | None:
    """A child verifying `raws`, or None where forking is not the way (or failed)."""
    if not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2:
        return None
    import threading

    if threading.active_count() > 1:
        return None  # forking beside other threads can deadlock the child (and warns)
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # pragma: no cover - the child; its output is checked by the parent
        code = 1
        try:
            os.close(r)
            _child_main(raws, w)
            code = 0
        finally:
            os._exit(code)  # never back into the caller's code, whatever happened
    os.close(w)
    return _Child(pid, os.fdopen(r, "rb"), len(raws))


# --- threads (elsewhere) ---------------------------------------------------------------


class _Chunk:
    """Raw commits checked together by one worker thread; `done` is set with `results`."""

    __slots__ = ("done", "raws", "results")

    def __init__(self, raws: list[bytes]) -> None:
        import threading

        self.raws = raws
        self.results: list[SigCheck] = []
        self.done = threading.Event()

    def get(self, index: int) -> SigCheck | None:
        self.done.wait()
        return self.results[index]


def _work(queue: "Queue[_Chunk]") -> None:
    while True:
        chunk = queue.get()
        chunk.results = [_safe_check(raw) for raw in chunk.raws]
        chunk.done.set()


# --- the verifier ----------------------------------------------------------------------


class Verifier:
    """Signatures checked once per commit, ahead of the rules when the commits are known.

    Results are kept by commit id, so judging a commit twice (two policies) verifies it
    once. `fork=False` keeps to threads (the fallback, and its tests).
    """

    def __init__(self, fork: bool = True) -> None:
        self.fork = fork
        self._queue: Queue[_Chunk] | None = None
        self._pending: dict[str, tuple[Any, int]] = {}  # sha → (_Child or _Chunk, index)
        self._children: list[_Child] = []
        self._done: dict[str, SigCheck] = {}

    def ahead(self, commits: Iterable[tuple[str, bytes]]) -> None:
        """Start checking these (commit id, raw object) pairs in the background."""
        todo = [(sha, raw) for sha, raw in commits
                if sha not in self._pending and sha not in self._done]  # fmt: skip
        if not todo:
            return
        child = _fork([raw for _sha, raw in todo]) if self.fork else None
        if child is not None:
            if not self._children:
                import atexit

                atexit.register(self.close)
            self._children.append(child)
            for i, (sha, _raw) in enumerate(todo):
                self._pending[sha] = (child, i)
            return
        if self.fork and (os.cpu_count() or 1) < 2:
            return  # one CPU: a helper would only take turns with the rules
        queue = self._queue or self._start()
        for start in range(0, len(todo), CHUNK):
            part = todo[start : start + CHUNK]
            chunk = _Chunk([raw for _sha, raw in part])
            for i, (sha, _raw) in enumerate(part):
                self._pending[sha] = (chunk, i)
            queue.put(chunk)

    def _start(self) -> "Queue[_Chunk]":
        import threading
        from queue import Queue

        queue: Queue[_Chunk] = Queue()
        for n in range(max(1, min(4, (os.cpu_count() or 2) - 1))):
            name = f"taskgate-verify-{n}"
            threading.Thread(target=_work, args=(queue,), name=name, daemon=True).start()
        self._queue = queue
        return queue

    def check(self, sha: str | None, raw: bytes) -> SigCheck:
        if sha is None:
            return check_commit_signature(raw)
        found = self._done.get(sha)
        if found is None:
            pending = self._pending.pop(sha, None)
            if pending is not None:
                found = pending[0].get(pending[1])
            if found is None:
                found = check_commit_signature(raw)
            self._done[sha] = found
        return found

    def close(self) -> None:
        """End and reap the child processes; what they did not deliver is checked later."""
        children, self._children = self._children, []
        for child in children:
            child.close()
        if children:
            self._pending = {s: p for s, p in self._pending.items() if p[0] not in children}


VERIFIER = Verifier()
