""""Helpful" / "Not helpful": the vote is kept in the store and counted per topic.

"Not helpful" also offers the other candidates ("Was it one of these?"); the pick
is handled by :mod:`bot.slack.listeners.actions.correction`.
"""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import messages
from bot.slack.compose import SlackMessage, compose_candidates, compose_notice
from bot.slack.deps import Deps, deps_of
from bot.slack.diagnosis import Diagnosis
from bot.slack.flows import apologize_privately
from bot.slack.guard import submit_guarded
from bot.slack.interaction import ActionContext
from bot.slack.listeners._context import delivery_of
from bot.slack.reply import respond_private


def feedback_callback(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                      client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Record the vote and thank the voter privately."""
    ack()
    deps = deps_of(context)
    ctx = ActionContext.from_body(body, action)
    helpful = action.get("action_id") == "k8sfix_helpful"
    submit_guarded(deps, "feedback", lambda: record_vote(deps, ctx, helpful, respond),
                   lambda: apologize_privately(respond), delivery_of(context))


def record_vote(deps: Deps, ctx: ActionContext, helpful: bool, respond: Respond) -> None:
    """Store the vote; answer with thanks, or say that the answer is gone."""
    qid = ctx.value or ctx.qid
    query = deps.store.get_query(qid)
    lang = ctx.selected_language or (query.lang if query is not None else "en")
    if query is None or not deps.store.record_feedback(qid, ctx.user_id, helpful, now=deps.clock()):
        respond_private(respond, compose_notice(messages.answer_expired(lang)))
        return
    deps.metrics.feedback.labels(query.entry_id or "none", "yes" if helpful else "no").inc()
    deps.logger.info("feedback", extra={"topic": query.entry_id, "helpful": helpful})
    thanks = compose_notice(messages.feedback_thanks(lang))
    if helpful or query.entry_id is None:
        respond_private(respond, thanks)
        return
    offer = compose_candidates(Diagnosis.from_dict(query.result), deps.matcher.kb, lang, qid)
    respond_private(respond, SlackMessage(text=offer.text, blocks=[*thanks.blocks, *offer.blocks]))
