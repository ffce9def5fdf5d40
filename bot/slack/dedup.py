"""Drop Slack deliveries that were already handled, by any replica, and record new ones as pending.

Slack redelivers an event when it did not see an acknowledgement in time
(``X-Slack-Retry-Num`` over HTTP, ``retry_attempt`` in Socket Mode) and may
deliver one ``event_id`` twice; a signed slash command or click can be replayed
within the signature's 5-minute window. Every such delivery has a key
(:func:`bot.slack.deliveries.describe`); the first one is recorded as pending
before it is acknowledged, later ones are acknowledged and dropped unless the
first was never answered (see :mod:`bot.slack.deliveries`). The ``message`` +
``app_mention`` pair of one mention has two event ids: the listeners claim
``msg:<channel>:<ts>`` for that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse

from bot.slack.deliveries import DELIVERY_KEY, RAW_TEXT_CHARS, Delivery, describe
from bot.slack.deps import deps_of


def retry_number(request: BoltRequest) -> int:
    """Slack's retry counter of this delivery (0 for the first)."""
    values = request.headers.get("x-slack-retry-num") or []
    try:
        return int(values[0]) if values else int(request.body.get("retry_attempt") or 0)
    except (TypeError, ValueError):
        return 0


def delivery_middleware(body: dict[str, Any], request: BoltRequest, context: BoltContext,
                        next: Callable[[], Any]) -> BoltResponse | None:
    """Record a new delivery as pending; acknowledge and drop one already done or in progress elsewhere."""
    described = describe(body) if isinstance(body, dict) else None
    if described is None:
        return next()
    key, kind, route = described
    deps = deps_of(context)
    if context.bot_user_id:
        route["bot"] = context.bot_user_id
    raw_chars = len(route["raw"]) if route.get("raw") and len(route["raw"]) < RAW_TEXT_CHARS else -1
    outcome = deps.deliveries.begin(key, kind, route, raw_chars)
    if outcome in ("duplicate", "busy"):
        reason = "retry" if retry_number(request) else ("event_id" if kind == "event" else kind)
        deps.metrics.duplicates.labels(reason).inc()
        deps.logger.info("duplicate delivery dropped",
                         extra={"delivery": key, "state": outcome, "retry": retry_number(request)})
        return BoltResponse(status=200, body="")
    if outcome == "taken_over":
        deps.logger.info("unanswered delivery taken over", extra={"delivery": key})
    context[DELIVERY_KEY] = Delivery(key, kind)
    return next()


def settle(context: BoltContext | dict[str, Any], response: BoltResponse) -> None:
    """After the listeners ran: a delivery that queued no work is done (or, if it failed, forgotten)."""
    delivery = context.get(DELIVERY_KEY)
    if not isinstance(delivery, Delivery) or delivery.submitted:
        return
    deps = deps_of(context)
    if response.status >= 500:
        deps.deliveries.release(delivery.key)
    else:
        deps.deliveries.finish(delivery.key)
