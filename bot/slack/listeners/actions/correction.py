""""Was it one of these?" after a "Not helpful" vote: keep the pick as a correction, show that topic."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import messages
from bot.slack.compose import compose_notice, entry_title
from bot.slack.deps import Deps, deps_of
from bot.slack.flows import apologize_privately
from bot.slack.guard import submit_guarded
from bot.slack.interaction import ActionContext
from bot.slack.language import normalise_display_language
from bot.slack.listeners.actions.show_entry import show_entry
from bot.slack.reply import respond_private


def correction_callback(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                        client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Acknowledge, then record the pick."""
    ack()
    deps = deps_of(context)
    ctx = ActionContext.from_body(body, action)
    submit_guarded(deps, "correction", lambda: record_correction(deps, ctx, client, respond),
                   lambda: apologize_privately(respond))


def record_correction(deps: Deps, ctx: ActionContext, client: WebClient, respond: Respond) -> None:
    """Store the topic picked instead of the answer ("" for none); thank, and show the picked topic."""
    query = deps.store.get_query(ctx.qid) if ctx.qid else None
    lang = normalise_display_language(query.lang if query is not None else None)
    entry = deps.matcher.kb.get(ctx.value) if ctx.value else None
    if ctx.value and entry is None:
        respond_private(respond, compose_notice(messages.unknown_entry(ctx.value, lang)))
        return
    chosen = entry.id if entry is not None else ""
    if query is None or not deps.store.record_correction(query.id, ctx.user_id, chosen, now=deps.clock()):
        respond_private(respond, compose_notice(messages.answer_expired(lang)), replace_original=True)
        return
    deps.logger.info("correction", extra={"topic": query.entry_id, "chosen": chosen or None})
    if entry is None:
        respond_private(respond, compose_notice(messages.correction_none(lang)), replace_original=True)
        return
    respond_private(respond, compose_notice(messages.correction_thanks(entry_title(entry, lang), lang)))
    show_entry(deps, ctx, client, respond)
