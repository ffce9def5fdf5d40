"""``@k8sfix <text>``: answered in the thread; alone in a thread, it diagnoses the thread's first message."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import Ask, remember
from bot.slack.deps import Deps, deps_of
from bot.slack.flows import answer_in_thread, apologize_in_thread, question_of, thread_parent
from bot.slack.guard import submit_guarded
from bot.slack.listeners._context import delivery_of, started_at


def app_mention_callback(event: dict[str, Any], client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Answer the mention in the worker pool."""
    deps = deps_of(context)
    channel, ts = str(event.get("channel") or ""), str(event.get("ts") or "")
    thread_ts = str(event.get("thread_ts") or ts)
    started = started_at(context)
    delivery = delivery_of(context)
    key = delivery.key if delivery else ""

    def job() -> None:
        answer_mention(deps, event, client, context.bot_user_id, started, key)

    submit_guarded(deps, "mention", job, lambda: apologize_in_thread(deps, client, channel, thread_ts), delivery)


def answer_mention(deps: Deps, event: dict[str, Any], client: WebClient, bot_user_id: str | None,
                   started: float, delivery: str = "") -> None:
    """Answer one mention, once across retries, replicas and the paired ``message`` event."""
    channel, ts = str(event.get("channel") or ""), str(event.get("ts") or "")
    if not deps.store.claim(f"msg:{channel}:{ts}", now=deps.clock(), holder=delivery):
        deps.metrics.duplicates.labels("message").inc()
        return
    text = question_of(deps, event, bot_user_id)
    parent_ts = str(event.get("thread_ts") or "")
    from_parent = False
    if not text and parent_ts and parent_ts != ts:
        parent = thread_parent(client, channel, parent_ts)
        if parent is not None:
            text, from_parent = question_of(deps, parent, bot_user_id), True
    ask = Ask("mention", text, user_id=str(event.get("user") or ""), channel_id=channel, message_ts=ts,
              thread_ts=parent_ts or ts, started=started, delivery=delivery)
    if from_parent:
        remember(deps, ask, "thread", force=True)
    answer_in_thread(deps, ask, client)
