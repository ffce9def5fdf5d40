"""Small helpers every listener uses."""

from __future__ import annotations

import time

from slack_bolt import BoltContext

from bot.slack.deliveries import DELIVERY_KEY, Delivery

STARTED_KEY = "k8sfix_started"


def started_at(context: BoltContext) -> float:
    """When the request reached the app (``time.monotonic``), set by the context middleware."""
    value = context.get(STARTED_KEY)
    return float(value) if isinstance(value, float) else time.monotonic()


def delivery_of(context: BoltContext) -> Delivery | None:
    """The pending delivery of this request (set by the delivery middleware), None if it has none."""
    value = context.get(DELIVERY_KEY)
    return value if isinstance(value, Delivery) else None
