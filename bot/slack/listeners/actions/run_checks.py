""""Run cluster checks": run the topic's read-only checks and post the report.

The checks package is imported here, lazily, so the app runs without it. The
button is shown only where everyone who sees it may run the checks (see
:meth:`bot.slack.deps.Deps.checks_offered`); a click on an older button that the
allow-lists no longer cover is refused with the setting that would allow it.
"""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import CheckError
from bot.slack import messages
from bot.slack.compose import SlackMessage, compose_checks_report, compose_notice
from bot.slack.deps import Deps, deps_of
from bot.slack.flows import apologize_privately
from bot.slack.guard import submit_guarded
from bot.slack.interaction import ActionContext
from bot.slack.language import normalise_display_language
from bot.slack.listeners._context import delivery_of
from bot.slack.listeners.actions._deliver import show_privately
from bot.slack.reply import post_in_thread, respond_private, update_message, upload_text


def run_checks_callback(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                        client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Acknowledge, then run the checks in the worker pool."""
    ack()
    deps = deps_of(context)
    ctx = ActionContext.from_body(body, action)
    submit_guarded(deps, "checks", lambda: run_checks(deps, ctx, client, respond),
                   lambda: apologize_privately(respond), delivery_of(context))


def run_checks(deps: Deps, ctx: ActionContext, client: WebClient, respond: Respond) -> None:
    """Authorise, say the checks are running, run them with names from the (redacted) question, show the report.

    The progress message goes out before the checks (and, on a cold start, the
    Kubernetes client) load, so the click is visibly answered at once. In a thread
    the report then replaces it; a private report follows it, as Slack cannot edit
    an ephemeral message other than the clicked one.
    """
    query = deps.store.get_query(ctx.value or ctx.qid)
    lang = normalise_display_language(ctx.selected_language or (query.lang if query else None))
    refusal = _refusal(deps, ctx, lang)
    if refusal is not None or deps.checks is None:
        respond_private(respond, compose_notice(refusal or messages.checks_off(lang)))
        return
    entry = deps.matcher.kb.get(query.entry_id or "") if query is not None else None
    if query is None or entry is None:
        respond_private(respond, compose_notice(messages.answer_expired(lang)))
        return
    if not entry.checks:
        respond_private(respond, compose_notice(messages.checks_none(lang)))
        return
    progress = compose_notice(messages.checks_running(len(entry.checks), entry.id, lang))
    thread_ts = ctx.thread_ts or ctx.message_ts
    progress_ts = "" if ctx.is_ephemeral else post_in_thread(client, ctx.channel_id, thread_ts, progress)
    if ctx.is_ephemeral:
        respond_private(respond, progress)
    from bot.checks import inputs_from_text, run_checks_for_entry

    try:
        report = run_checks_for_entry(entry, inputs_from_text(query.text), deps.checks)
    except CheckError as exc:
        failure = compose_notice(messages.checks_failed(str(exc), lang))
        _show_report(client, respond, ctx, failure, progress_ts)
        return
    for result in report.results:
        deps.metrics.check_runs.labels(str(result.status)).inc()
    deps.logger.info("checks run", extra={"topic": entry.id, "user": ctx.user_id, "cluster": report.cluster,
                                          "statuses": [str(r.status) for r in report.results]})
    message = compose_checks_report(entry, lang, report.cluster, report.elapsed_seconds, report.results,
                                    full_text_in_dm=ctx.is_ephemeral)
    _show_report(client, respond, ctx, message, progress_ts)


def _show_report(client: WebClient, respond: Respond, ctx: ActionContext, message: SlackMessage,
                 progress_ts: str) -> None:
    """Replace the thread's progress message with ``message`` (its full text beside it), or show it privately."""
    if ctx.is_ephemeral or not progress_ts:
        show_privately(client, respond, ctx, message)
        return
    update_message(client, ctx.channel_id, progress_ts, message)
    if message.full_text:
        upload_text(client, ctx.channel_id, ctx.thread_ts or ctx.message_ts or progress_ts, message.full_text,
                    title="k8sfix checks report")


def _refusal(deps: Deps, ctx: ActionContext, lang: str) -> str | None:
    if not deps.checks_enabled:
        return messages.checks_off(lang)
    try:
        import bot.checks  # noqa: F401  (the package may be absent from a slim install)
    except ImportError:
        return messages.checks_unavailable(lang)
    if deps.checks is None or not deps.checks.may_run_from_slack(ctx.user_id, ctx.channel_id):
        return messages.checks_forbidden(ctx.user_id, ctx.channel_id, lang)
    return None
