"""The language menu: re-render the answer in the chosen language, in place."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import messages
from bot.slack.compose import AnswerOptions, Surface, compose_diagnosis, compose_notice
from bot.slack.deps import Deps, deps_of
from bot.slack.diagnosis import Diagnosis
from bot.slack.flows import apologize_privately
from bot.slack.guard import submit_guarded
from bot.slack.interaction import ActionContext
from bot.slack.language import normalise_display_language
from bot.slack.listeners._context import delivery_of
from bot.slack.listeners.actions._deliver import replace_answer
from bot.slack.reply import respond_private


def language_callback(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                      client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Acknowledge, then replace the answer with its rendering in the chosen language."""
    ack()
    deps = deps_of(context)
    ctx = ActionContext.from_body(body, action)
    submit_guarded(deps, "language", lambda: rerender(deps, ctx, client, respond),
                   lambda: apologize_privately(respond), delivery_of(context))


def rerender(deps: Deps, ctx: ActionContext, client: WebClient, respond: Respond) -> None:
    """Render the stored diagnosis in ``ctx.selected_language``."""
    lang = normalise_display_language(ctx.selected_language)
    query = deps.store.get_query(ctx.qid)
    if query is None:
        respond_private(respond, compose_notice(messages.answer_expired(lang)))
        return
    surface: Surface = "ephemeral" if ctx.is_ephemeral else "thread"
    options = AnswerOptions(qid=query.id, surface=surface,
                            checks_enabled=deps.checks_offered(surface, ctx.user_id, ctx.channel_id),
                            full_text_in_dm=True,
                            paste_cut_chars=deps.settings.max_paste_chars)
    message = compose_diagnosis(Diagnosis.from_dict(query.result), deps.matcher.kb, lang, options)
    replace_answer(client, respond, ctx, message)
