"""On-call channel triage: answer high-confidence matches in a thread, point repeats to the first thread.

A channel is triaged when ``/k8sfix triage on`` was run there (kept in the store),
or, if never set there, when it is listed in ``K8SFIX_TRIAGE_CHANNELS``. Anything
below high confidence stays silent. The same topic again within the window gets a
short "same as" reply or a reaction; the store arbitrates between replicas.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import messages
from bot.slack.answering import Ask, Reply, delivered, finish, log_request, record, remember, run_match
from bot.slack.compose import AnswerOptions, compose_diagnosis, compose_repeat
from bot.slack.deps import Deps
from bot.slack.diagnosis import Diagnosis
from bot.slack.language import display_language_of_locale, display_language_of_query
from bot.slack.paste import looks_binary
from bot.slack.reply import ANSWERED, REPEAT, WORKING, permalink, post_in_thread, react, slack_error, unreact

MIN_TRIAGE_CHARS = 8


def triage_on(deps: Deps, channel_id: str) -> bool:
    """Whether messages in ``channel_id`` are triaged."""
    setting = deps.store.triage_setting(channel_id)
    return setting if setting is not None else channel_id in deps.settings.triage_channels


def switch_triage(deps: Deps, client: WebClient, channel_id: str, user_id: str, args: list[str], lang: str) -> str:
    """Run ``triage on|off|status`` in a channel; return the sentence to show."""
    if channel_id.startswith("D"):
        return messages.triage_not_here(lang)
    action = args[0].lower() if args else "status"
    if action == "status":
        return messages.triage_status(channel_id, triage_on(deps, channel_id), lang)
    if action not in ("on", "off"):
        return messages.triage_usage(deps.settings.slash_command, lang)
    on = action == "on"
    deps.store.set_triage(channel_id, on, user_id, now=deps.clock())
    deps.logger.info("triage switched", extra={"channel": channel_id, "on": on, "user": user_id})
    if on and not _can_read(client, channel_id):
        return messages.triage_invite(channel_id, lang)
    return messages.triage_switched(channel_id, on, deps.settings.triage_window, lang)


def _can_read(client: WebClient, channel_id: str) -> bool:
    """Whether the bot is (or could join as) a member of the channel, so it receives its messages."""
    try:
        info = client.conversations_info(channel=channel_id).get("channel") or {}
    except SlackApiError:
        return False
    if info.get("is_member"):
        return True
    if info.get("is_private"):
        return False
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as exc:
        return slack_error(exc) == "already_in_channel"
    return True


def triage_message(deps: Deps, ask: Ask, client: WebClient, locale_user: str | None) -> None:
    """Triage one new channel message: answer, point to the first thread, or stay silent."""
    text = ask.text.strip()
    if len(text) < MIN_TRIAGE_CHARS or looks_binary(text):
        return
    remember(deps, ask, "triage")
    result, cut = run_match(deps, text)
    diagnosis = Diagnosis.from_result(result, paste_cut=cut)
    best = diagnosis.best
    confident = best is not None and best.confidence == "high"
    lang = display_language_of_query(result.query_lang) or (
        display_language_of_locale(deps.locales.get(client, locale_user)) if locale_user and confident else None
    ) or "en"
    qid = record(deps, ask, diagnosis, lang, answered=confident)
    entry = deps.matcher.kb.get(best.entry_id) if best is not None else None
    if not confident or best is None or entry is None:
        log_request(deps, ask, "silent", lang, diagnosis)
        return
    if not deps.store.claim(f"msg:{ask.channel_id}:{ask.message_ts}", now=deps.clock(), holder=ask.delivery):
        deps.metrics.duplicates.labels("message").inc()
        return
    claim = deps.store.claim_topic(ask.channel_id, entry.id, ask.message_ts, deps.settings.triage_window,
                                   now=deps.clock())
    if not claim.first and claim.thread_ts != ask.message_ts:
        deps.metrics.triage_repeats.inc()
        if deps.settings.triage_repeat == "reaction":
            react(client, ask.channel_id, ask.message_ts, REPEAT)
        else:
            link = claim.permalink or permalink(client, ask.channel_id, claim.thread_ts)
            post_in_thread(client, ask.channel_id, ask.message_ts, compose_repeat(entry, lang, link))
        delivered(deps, ask)
        finish(deps, ask, Reply("answer", compose_repeat(entry, lang, ""), lang, qid, diagnosis), triage="repeat")
        return
    react(client, ask.channel_id, ask.message_ts, WORKING)
    try:
        link = permalink(client, ask.channel_id, ask.message_ts)
        if link:
            deps.store.set_topic_permalink(ask.channel_id, entry.id, ask.message_ts, link)
        options = AnswerOptions(qid=qid, surface="thread",
                                checks_enabled=deps.checks_offered("thread", ask.user_id, ask.channel_id),
                                paste_cut_chars=deps.settings.max_paste_chars)
        message = compose_diagnosis(diagnosis, deps.matcher.kb, lang, options)
        post_in_thread(client, ask.channel_id, ask.message_ts, message)
        delivered(deps, ask)
    finally:
        unreact(client, ask.channel_id, ask.message_ts, WORKING)
    react(client, ask.channel_id, ask.message_ts, ANSWERED)
    finish(deps, ask, Reply("answer", message, lang, qid, diagnosis), triage="answer")
