"""``/k8sfix <text | id | help | triage on|off>``: acknowledged at once, answered privately."""

from __future__ import annotations

import time
from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.answering import Ask
from bot.slack.deps import deps_of
from bot.slack.flows import answer_command, apologize_privately
from bot.slack.guard import submit_guarded
from bot.slack.listeners._context import started_at
from bot.slack.paste import slack_to_plain


def k8sfix_callback(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient,
                    context: BoltContext, logger: Logger) -> None:
    """Acknowledge, then answer in the worker pool through the response_url."""
    ack()
    deps = deps_of(context)
    started = started_at(context)
    deps.metrics.ack_seconds.labels("command").observe(time.monotonic() - started)
    ask = Ask("command", slack_to_plain(str(command.get("text") or "")), user_id=str(command.get("user_id") or ""),
              channel_id=str(command.get("channel_id") or ""), started=started)
    submit_guarded(deps, "command", lambda: answer_command(deps, ask, respond, client),
                   lambda: apologize_privately(respond))
