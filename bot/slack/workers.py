"""The thread pool that computes and posts answers after Slack has been acknowledged.

Listeners only acknowledge and submit; the work runs here so that a burst of
slow answers never delays the next acknowledgement. On shutdown the pool stops
taking work and waits (up to a grace period) for what is in flight.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

logger = logging.getLogger(__name__)


class WorkerPool:
    """A bounded thread pool that tracks in-flight jobs for a graceful drain."""

    def __init__(self, workers: int, name: str = "k8sfix-answer") -> None:
        """Start a pool of ``workers`` threads."""
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._in_flight: set[Future[Any]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, job: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any] | None:
        """Run ``job`` in the pool; None once the pool is draining (the job is dropped and logged)."""
        with self._lock:
            if self._closed:
                logger.warning("shutting down: job dropped", extra={"job": getattr(job, "__name__", "?")})
                return None
            future = self._executor.submit(job, *args, **kwargs)
            self._in_flight.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._in_flight.discard(future)

    @property
    def in_flight(self) -> int:
        """Jobs queued or running."""
        with self._lock:
            return len(self._in_flight)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no job is queued or running (for tests and benchmarks); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                pending = {f for f in self._in_flight if not f.done()}
            if not pending:
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            wait(pending, timeout=left)

    def drain(self, timeout: float) -> bool:
        """Stop taking jobs, wait up to ``timeout`` seconds for the in-flight ones; True if all finished."""
        with self._lock:
            self._closed = True
            pending = set(self._in_flight)
        _done, not_done = wait(pending, timeout=timeout) if pending else (set(), set())
        self._executor.shutdown(wait=False, cancel_futures=True)
        if not_done:
            logger.warning("shutdown grace period over", extra={"unfinished": len(not_done)})
        return not not_done


class TrackedExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor (Bolt's listener executor) that can tell when it is idle."""

    def __init__(self, max_workers: int, thread_name_prefix: str) -> None:
        """Start the pool."""
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._tracked: set[Future[Any]] = set()
        self._track_lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Submit and track ``fn``."""
        future = super().submit(fn, *args, **kwargs)
        with self._track_lock:
            self._tracked.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._track_lock:
            self._tracked.discard(future)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every submitted listener returned; False on timeout."""
        with self._track_lock:
            pending = {f for f in self._tracked if not f.done()}
        if not pending:
            return True
        _done, not_done = wait(pending, timeout=timeout)
        return not not_done


class AnswerSlot:
    """The right to compute an answer: one at a time, and acknowledgements go first.

    Python runs one thread at a time, so an answer computing while Slack waits for an
    acknowledgement (3 s at most) takes the interpreter from the thread that would send it.
    An answer therefore starts only when no request is being acknowledged, or after
    ``ack_wait`` seconds, so a steady stream of requests cannot hold answers back for long.
    """

    def __init__(self, slots: int = 1, ack_wait: float = 0.1) -> None:
        """``slots`` answers may compute at once; each waits at most ``ack_wait`` s for acknowledgements."""
        self._slots = threading.BoundedSemaphore(slots)
        self._ack_wait = ack_wait
        self._acks = 0
        self._no_acks = threading.Condition()

    @contextmanager
    def acknowledging(self) -> Iterator[None]:
        """Held while a request is dispatched up to its acknowledgement."""
        with self._no_acks:
            self._acks += 1
        try:
            yield
        finally:
            with self._no_acks:
                self._acks -= 1
                if not self._acks:
                    self._no_acks.notify_all()

    @property
    def acknowledging_now(self) -> int:
        """Requests being acknowledged at this moment."""
        with self._no_acks:
            return self._acks

    def __enter__(self) -> AnswerSlot:
        with self._no_acks:
            self._no_acks.wait_for(lambda: not self._acks, timeout=self._ack_wait)
        self._slots.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._slots.release()
