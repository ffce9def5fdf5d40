"""Drop Events API deliveries that were already handled, by any replica.

Slack redelivers an event when it did not see an acknowledgement in time
(``X-Slack-Retry-Num`` over HTTP, ``retry_attempt`` in Socket Mode) and may
deliver one ``event_id`` twice. The first delivery claims ``event:<event_id>`` in
the store; every later one is acknowledged and dropped. The ``message`` +
``app_mention`` pair of one mention has two event ids: the listeners claim
``msg:<channel>:<ts>`` for that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse

from bot.slack.deps import deps_of


def retry_number(request: BoltRequest) -> int:
    """Slack's retry counter of this delivery (0 for the first)."""
    values = request.headers.get("x-slack-retry-num") or []
    try:
        return int(values[0]) if values else int(request.body.get("retry_attempt") or 0)
    except (TypeError, ValueError):
        return 0


def event_dedup_middleware(body: dict[str, Any], request: BoltRequest, context: BoltContext,
                           next: Callable[[], Any]) -> BoltResponse | None:
    """Acknowledge and drop an event whose ``event_id`` was already claimed."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id:
        deps = deps_of(context)
        if not deps.store.claim(f"event:{event_id}", now=deps.clock()):
            deps.metrics.duplicates.labels("retry" if retry_number(request) else "event_id").inc()
            deps.logger.info("duplicate event dropped",
                             extra={"event_id": event_id, "retry": retry_number(request)})
            return BoltResponse(status=200, body="")
    return next()
