"""What the listeners share: settings, matcher, store, metrics, worker pool, caches.

One :class:`Deps` is created per app by :func:`bot.slack.app.create_app` and put
into every request's context by a middleware; listeners take it with
:func:`deps_of`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.ops.metrics import Metrics
from bot.slack.deliveries import DeliveryTracker
from bot.slack.language import LocaleCache
from bot.slack.workers import AnswerSlot, TrackedExecutor, WorkerPool
from bot.store import Store

if TYPE_CHECKING:
    from slack_bolt import BoltContext

    from bot.matching import Matcher

CONTEXT_KEY = "k8sfix"
DM_CHANNEL_PREFIX = "D"
"""Slack's direct-message channel ids start with D: only the user and the bot read them."""
CPU_SLOTS = 1
"""Answers computing at once (matching, rendering, recording). Python runs one thread at a time, so more
would not answer faster; they would only take the interpreter from the threads acknowledging Slack."""


@dataclass
class Deps:
    """Services of one running app."""

    settings: Settings
    matcher: Matcher
    store: Store
    metrics: Metrics
    workers: WorkerPool
    deliveries: DeliveryTracker
    """Pending deliveries held by this process (answered after a crash by the next replica)."""
    listeners: TrackedExecutor | None = None
    """Bolt's listener executor (runs listeners up to their ack)."""
    checks: Any | None = None
    """``bot.checks.ChecksSettings`` when the checks package is installed, else None."""
    clock: Callable[[], float] = time.time
    locales: LocaleCache = field(default_factory=LocaleCache)
    cpu: AnswerSlot = field(default_factory=lambda: AnswerSlot(CPU_SLOTS))
    """Held while an answer computes; the worker threads wait for Slack's API outside it, and for
    requests being acknowledged before it."""
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("bot.slack"))

    @property
    def checks_enabled(self) -> bool:
        """Whether cluster checks are switched on at all (who may run them is :meth:`checks_offered`)."""
        return bool(self.checks is not None and getattr(self.checks, "enabled", False))

    def checks_offered(self, surface: str, user_id: str, channel_id: str) -> bool:
        """Whether an answer shown on ``surface`` gets the "Run cluster checks" button.

        A button that could only refuse is never offered, so it is shown only when
        everyone who sees the answer may click it: an ephemeral answer (or a thread in
        the bot's direct-message channel) is seen by ``user_id`` alone, who may run the
        checks when they or ``channel_id`` are allowed; a thread or channel post is seen
        by everyone in ``channel_id``, so only the channel's allow-list counts there.
        """
        if not self.checks_enabled or self.checks is None:
            return False
        seen_by_one = surface == "ephemeral" or channel_id.startswith(DM_CHANNEL_PREFIX)
        return bool(self.checks.may_run_from_slack(user_id if seen_by_one else "", channel_id))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no listener runs and no answer is in flight (tests, benchmarks, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            left = deadline - time.monotonic()
            listeners_idle = self.listeners is None or self.listeners.wait_idle(left)
            workers_idle = listeners_idle and self.workers.wait_idle(max(0.0, deadline - time.monotonic()))
            if workers_idle and (self.listeners is None or self.listeners.wait_idle(0)):
                return True
        return False

    def drain(self, grace: float) -> bool:
        """Let running listeners submit their work, then drain the worker pool within ``grace`` seconds."""
        started = time.monotonic()
        if self.listeners is not None:
            self.listeners.wait_idle(min(grace, 3.0))
            self.listeners.shutdown(wait=False, cancel_futures=True)
        return self.workers.drain(max(0.0, grace - (time.monotonic() - started)))


def deps_of(context: BoltContext | dict[str, Any]) -> Deps:
    """The app's :class:`Deps` from a request context."""
    deps = context.get(CONTEXT_KEY)
    if not isinstance(deps, Deps):
        raise RuntimeError("the k8sfix context middleware did not run")
    return deps
