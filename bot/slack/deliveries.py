"""Every Slack delivery is pending in the store from before its acknowledgement until its answer is out.

The key of a delivery is what Slack repeats when it resends or when a signed
request is replayed: ``event:<event_id>``, ``command:<trigger_id>``,
``action:<trigger_id>:<action_ts>``, ``shortcut:<trigger_id>``. A first delivery
is recorded as pending with a lease held by this process; a resend of a done
one is dropped, a resend of a pending one whose lease ran out (the replica that
took it died) is processed again. Leases of running work are renewed, and
:mod:`bot.slack.recovery` finishes the pending deliveries nobody holds any more.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.redact import redact
from bot.store import Store
from bot.store.store import Begun

DELIVERY_KEY = "k8sfix_delivery"
"""Context key of the request's :class:`Delivery`."""
RAW_TEXT_CHARS = 4000
"""Characters of a question's raw text kept (redacted) from before the ack, so a replica killed before
its worker read the question can still answer it. Only this bounded cut is redacted before the ack;
markup is not parsed until later."""


@dataclass
class Delivery:
    """The delivery a request belongs to, and whether its work was queued."""

    key: str
    kind: str
    submitted: bool = False


def new_owner() -> str:
    """An id for this process in the store: host, pid and a random part (pids repeat in containers)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def describe(body: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """The key, kind and routing payload of a request body, None when it is not deduplicated.

    This runs before the acknowledgement: it reads ids and addresses, and keeps the first
    ``RAW_TEXT_CHARS`` of the question's raw text, redacted (no markup is parsed).
    """
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        event_id = body.get("event_id")
        if not event_id or not isinstance(event, dict):
            return None
        route = {k: str(event.get(k) or "") for k in ("type", "channel", "ts", "thread_ts", "user", "channel_type")}
        route["raw"] = _raw(event.get("text"))
        return f"event:{event_id}", "event", route
    trigger = str(body.get("trigger_id") or "")
    response_url = str(body.get("response_url") or "")
    if body.get("command"):
        route = {"response_url": response_url, "user": str(body.get("user_id") or ""),
                 "channel": str(body.get("channel_id") or ""), "raw": _raw(body.get("text"))}
        return f"command:{trigger or uuid.uuid4().hex}", "command", route
    if kind in ("block_actions", "message_action"):
        user = _object(body.get("user"))
        channel = _object(body.get("channel"))
        route = {"response_url": response_url, "user": str(user.get("id") or ""),
                 "channel": str(channel.get("id") or "")}
        if kind == "message_action":
            message = _object(body.get("message"))
            route.update(raw=_raw(message.get("text")), ts=str(message.get("ts") or ""),
                         thread_ts=str(message.get("thread_ts") or ""))
            return f"shortcut:{trigger or uuid.uuid4().hex}", "shortcut", route
        actions = body.get("actions") if isinstance(body.get("actions"), list) else []
        first = actions[0] if actions and isinstance(actions[0], dict) else {}
        action_ts = str(first.get("action_ts") or "")
        if not trigger and not action_ts:
            return f"action:{uuid.uuid4().hex}", "action", route
        return f"action:{trigger}:{action_ts}", "action", route
    return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _raw(text: Any) -> str:
    return redact(text[:RAW_TEXT_CHARS]) if isinstance(text, str) else ""


class DeliveryTracker:
    """This process's pending deliveries: begin, add the question, finish, renew the leases."""

    def __init__(self, store: Store, lease: float, clock: Callable[[], float] = time.time,
                 owner: str | None = None) -> None:
        """Track deliveries in ``store`` under leases of ``lease`` seconds."""
        self.store = store
        self.lease = lease
        self.clock = clock
        self.owner = owner or new_owner()
        self._active: dict[str, int] = {}
        """Held keys, with the length of the raw text kept at the ack (-1 when it was cut or absent)."""
        self._lock = threading.Lock()

    def begin(self, key: str, kind: str, payload: dict[str, Any], raw_chars: int = -1) -> Begun:
        """Record the delivery as pending (before the ack); see :meth:`Store.begin_delivery`.

        ``raw_chars`` is the length of the whole raw question when the payload holds all of it.
        """
        outcome = self.store.begin_delivery(key, kind, self.owner, self.lease, payload, now=self.clock())
        if outcome in ("new", "taken_over"):
            self.hold(key, raw_chars)
        return outcome

    def hold(self, key: str, raw_chars: int = -1) -> None:
        """Keep renewing ``key``'s lease until it is finished (a delivery taken over by recovery)."""
        with self._lock:
            self._active[key] = raw_chars

    def kept_whole(self, key: str, question_chars: int) -> bool:
        """Whether the raw text kept at the ack already holds a question this long (nothing to add)."""
        with self._lock:
            raw = self._active.get(key, -1)
        return raw >= 0 and question_chars <= raw

    def remember(self, key: str, payload: dict[str, Any]) -> None:
        """Add the question (already redacted) to a pending delivery, so a restart can answer it."""
        self.store.update_delivery(key, payload, now=self.clock())

    def finish(self, key: str) -> None:
        """Mark the delivery answered (once: later calls for a finished key do nothing)."""
        with self._lock:
            if self._active.pop(key, None) is None:
                return
        self.store.finish_delivery(key, now=self.clock())

    def release(self, key: str) -> None:
        """Forget a delivery that failed before its work was queued (Slack's retry will be processed)."""
        self.store.release_delivery(key)
        with self._lock:
            self._active.pop(key, None)

    def drop(self, key: str) -> None:
        """Stop renewing ``key`` but leave it pending (work dropped at shutdown: another replica finishes it)."""
        with self._lock:
            self._active.pop(key, None)

    def renew(self) -> int:
        """Extend the leases of every delivery still being worked on here."""
        with self._lock:
            keys = list(self._active)
        return self.store.renew_leases(self.owner, keys, self.lease, now=self.clock())
