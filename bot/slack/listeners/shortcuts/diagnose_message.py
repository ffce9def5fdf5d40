"""Message shortcut "Diagnose with k8sfix": diagnose any message, answer in its thread."""

from __future__ import annotations

import time
from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.answering import Ask
from bot.slack.deps import Deps, deps_of
from bot.slack.flows import answer_in_thread, apologize_privately, question_of
from bot.slack.guard import submit_guarded
from bot.slack.listeners._context import delivery_of, started_at


def diagnose_message_callback(ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond,
                              context: BoltContext, logger: Logger) -> None:
    """Acknowledge, then answer in the message's thread (privately if the bot may not post there)."""
    ack()
    deps = deps_of(context)
    started = started_at(context)
    deps.metrics.ack_seconds.labels("shortcut").observe(time.monotonic() - started)
    delivery = delivery_of(context)
    key = delivery.key if delivery else ""
    submit_guarded(deps, "shortcut",
                   lambda: diagnose(deps, shortcut, client, respond, context.bot_user_id, started, key),
                   lambda: apologize_privately(respond), delivery)


def diagnose(deps: Deps, shortcut: dict[str, Any], client: WebClient, respond: Respond, bot_user_id: str | None,
             started: float, delivery: str = "") -> None:
    """Answer the shortcut's message."""
    message = shortcut.get("message") or {}
    ts = str(message.get("ts") or "")
    ask = Ask("shortcut", question_of(deps, message, bot_user_id),
              user_id=str((shortcut.get("user") or {}).get("id") or ""),
              channel_id=str((shortcut.get("channel") or {}).get("id") or ""),
              message_ts=ts, thread_ts=str(message.get("thread_ts") or ts), started=started, delivery=delivery)
    answer_in_thread(deps, ask, client, respond)
