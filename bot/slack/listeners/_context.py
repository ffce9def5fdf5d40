"""Small helpers every listener uses."""

from __future__ import annotations

import time

from slack_bolt import BoltContext

STARTED_KEY = "k8sfix_started"


def started_at(context: BoltContext) -> float:
    """When the request reached the app (``time.monotonic``), set by the context middleware."""
    value = context.get(STARTED_KEY)
    return float(value) if isinstance(value, float) else time.monotonic()
