"""A topic button (closest topics of an abstention, related topics, alternatives): show that entry."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import messages
from bot.slack.answering import Ask, record
from bot.slack.compose import AnswerOptions, Surface, compose_diagnosis, compose_notice
from bot.slack.deps import Deps, deps_of
from bot.slack.diagnosis import Diagnosis
from bot.slack.flows import apologize_privately
from bot.slack.guard import submit_guarded
from bot.slack.interaction import ActionContext
from bot.slack.language import normalise_display_language
from bot.slack.listeners._context import delivery_of
from bot.slack.listeners.actions._deliver import replace_answer, show_privately
from bot.slack.reply import respond_private


def show_entry_callback(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                        client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Acknowledge, then show the chosen entry."""
    ack()
    deps = deps_of(context)
    ctx = ActionContext.from_body(body, action)
    submit_guarded(deps, "show_entry", lambda: show_entry(deps, ctx, client, respond),
                   lambda: apologize_privately(respond), delivery_of(context))


def show_entry(deps: Deps, ctx: ActionContext, client: WebClient, respond: Respond) -> None:
    """Replace an abstention (or a private answer) with the entry; else show it privately."""
    origin = deps.store.get_query(ctx.qid) if ctx.qid else None
    lang = normalise_display_language(ctx.selected_language or (origin.lang if origin else None))
    entry = deps.matcher.kb.get(ctx.value)
    if entry is None:
        respond_private(respond, compose_notice(messages.unknown_entry(ctx.value, lang)))
        return
    diagnosis = Diagnosis.lookup(entry.id)
    ask = Ask("topic", entry.id, user_id=ctx.user_id,
              channel_id=origin.channel_id if origin else ctx.channel_id,
              thread_ts=origin.thread_ts if origin else ctx.thread_ts)
    qid = record(deps, ask, diagnosis, lang, answered=True)
    in_place = ctx.is_ephemeral or (origin is not None and origin.abstained)
    surface: Surface = "ephemeral" if ctx.is_ephemeral or not in_place else "thread"
    options = AnswerOptions(qid=qid, surface=surface,
                            checks_enabled=deps.checks_offered(surface, ctx.user_id, ctx.channel_id),
                            full_text_in_dm=True,
                            paste_cut_chars=deps.settings.max_paste_chars)
    message = compose_diagnosis(diagnosis, deps.matcher.kb, lang, options)
    (replace_answer if in_place else show_privately)(client, respond, ctx, message)
