""""Post to channel": share a private answer with the channel (in its thread when it came from one)."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import messages
from bot.slack.compose import AnswerOptions, compose_diagnosis, compose_notice
from bot.slack.deps import Deps, deps_of
from bot.slack.diagnosis import Diagnosis
from bot.slack.flows import apologize_privately
from bot.slack.guard import submit_guarded
from bot.slack.interaction import ActionContext
from bot.slack.language import normalise_display_language
from bot.slack.listeners._context import delivery_of
from bot.slack.reply import post_in_thread, respond_private, slack_error


def post_to_channel_callback(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                             client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Acknowledge, then post the answer for everyone and remove the private copy."""
    ack()
    deps = deps_of(context)
    ctx = ActionContext.from_body(body, action)
    submit_guarded(deps, "post", lambda: share(deps, ctx, client, respond), lambda: apologize_privately(respond),
                   delivery_of(context))


def share(deps: Deps, ctx: ActionContext, client: WebClient, respond: Respond) -> None:
    """Post the stored answer in the channel, marked as shared by the clicking user."""
    query = deps.store.get_query(ctx.value or ctx.qid)
    lang = normalise_display_language(ctx.selected_language or (query.lang if query else None))
    if query is None:
        respond_private(respond, compose_notice(messages.answer_expired(lang)))
        return
    channel = query.channel_id or ctx.channel_id
    options = AnswerOptions(qid=query.id, surface="channel", checks_enabled=deps.checks_offered("channel", "", channel),
                            shared_by=ctx.user_id, paste_cut_chars=deps.settings.max_paste_chars)
    message = compose_diagnosis(Diagnosis.from_dict(query.result), deps.matcher.kb, lang, options)
    try:
        post_in_thread(client, channel, query.thread_ts or None, message)
    except SlackApiError as exc:
        respond_private(respond, compose_notice(messages.post_failed(slack_error(exc), lang)))
        return
    respond(delete_original=True)
