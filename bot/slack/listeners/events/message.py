"""Channel and DM messages: DMs are answered in a thread; channel messages go to triage.

Edits, deletions, joins and thread replies are ignored, as are the bot's own
posts; posts by other bots (Alertmanager) are triaged. A message that mentions
the bot is left to the ``app_mention`` listener so one mention gets one answer.
"""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import Ask
from bot.slack.deps import Deps, deps_of
from bot.slack.flows import answer_in_thread, apologize_in_thread, question_of
from bot.slack.guard import submit_guarded
from bot.slack.listeners._context import delivery_of, started_at
from bot.slack.reply import FAILED, react
from bot.slack.triage import triage_message, triage_on

ANSWERED_SUBTYPES = frozenset({None, "bot_message", "file_share"})


def message_callback(event: dict[str, Any], client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Route a new message to the DM answer or to triage."""
    if event.get("subtype") not in ANSWERED_SUBTYPES or _is_own(event, context):
        return
    deps = deps_of(context)
    channel, ts = str(event.get("channel") or ""), str(event.get("ts") or "")
    started = started_at(context)
    delivery = delivery_of(context)
    key = delivery.key if delivery else ""
    if event.get("channel_type") == "im":
        thread_ts = str(event.get("thread_ts") or ts)
        submit_guarded(deps, "dm", lambda: answer_dm(deps, event, client, context.bot_user_id, started, key),
                       lambda: apologize_in_thread(deps, client, channel, thread_ts), delivery)
        return
    if event.get("thread_ts") and event.get("thread_ts") != ts:
        return
    if context.bot_user_id and f"<@{context.bot_user_id}" in str(event.get("text") or ""):
        return
    submit_guarded(deps, "triage", lambda: triage(deps, event, client, context.bot_user_id, started, key),
                   lambda: react(client, channel, ts, FAILED), delivery)


def answer_dm(deps: Deps, event: dict[str, Any], client: WebClient, bot_user_id: str | None,
              started: float, delivery: str = "") -> None:
    """Answer a direct message in its thread, once."""
    channel, ts = str(event.get("channel") or ""), str(event.get("ts") or "")
    if not deps.store.claim(f"msg:{channel}:{ts}", now=deps.clock(), holder=delivery):
        deps.metrics.duplicates.labels("message").inc()
        return
    ask = Ask("dm", question_of(deps, event, bot_user_id), user_id=str(event.get("user") or ""),
              channel_id=channel, message_ts=ts, thread_ts=str(event.get("thread_ts") or ts), started=started,
              delivery=delivery)
    answer_in_thread(deps, ask, client)


def triage(deps: Deps, event: dict[str, Any], client: WebClient, bot_user_id: str | None, started: float,
           delivery: str = "") -> None:
    """Triage a channel message when triage is on in its channel."""
    channel = str(event.get("channel") or "")
    if not triage_on(deps, channel):
        return
    user = str(event.get("user") or "")
    ask = Ask("triage", question_of(deps, event, bot_user_id), user_id=user, channel_id=channel,
              message_ts=str(event.get("ts") or ""), thread_ts=str(event.get("ts") or ""), started=started,
              delivery=delivery)
    triage_message(deps, ask, client, locale_user=user or None)


def _is_own(event: dict[str, Any], context: BoltContext) -> bool:
    return bool((context.bot_id and event.get("bot_id") == context.bot_id)
                or (context.bot_user_id and event.get("user") == context.bot_user_id))
