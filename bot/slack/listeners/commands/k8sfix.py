"""``/k8sfix <text | id | help | triage on|off>``: acknowledged at once, answered privately."""

from __future__ import annotations

import dataclasses
import time
from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.answering import Ask
from bot.slack.deps import deps_of
from bot.slack.flows import answer_command, apologize_privately
from bot.slack.guard import submit_guarded
from bot.slack.listeners._context import delivery_of, started_at
from bot.slack.paste import slack_to_plain


def k8sfix_callback(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient,
                    context: BoltContext, logger: Logger) -> None:
    """Acknowledge, then read the markup and answer in the worker pool through the response_url.

    Nothing looks at the text before the acknowledgement: a hostile paste cannot delay it.
    """
    ack()
    deps = deps_of(context)
    started = started_at(context)
    deps.metrics.ack_seconds.labels("command").observe(time.monotonic() - started)
    delivery = delivery_of(context)
    raw = str(command.get("text") or "")
    ask = Ask("command", "", user_id=str(command.get("user_id") or ""),
              channel_id=str(command.get("channel_id") or ""), started=started,
              delivery=delivery.key if delivery else "")

    def job() -> None:
        answer_command(deps, dataclasses.replace(ask, text=slack_to_plain(raw)), respond, client)

    submit_guarded(deps, "command", job, lambda: apologize_privately(respond), delivery)
