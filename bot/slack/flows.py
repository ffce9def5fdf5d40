"""Deliver answers for the slash command, mentions, direct messages and the message shortcut."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import messages
from bot.slack.answering import Ask, delivered, finish, prepare_reply, remember, user_language
from bot.slack.compose import SlackMessage, compose_notice, compose_topic_list
from bot.slack.deps import Deps
from bot.slack.files import attached_text
from bot.slack.paste import message_text, slack_to_plain
from bot.slack.reply import (
    ANSWERED,
    WORKING,
    post_in_thread,
    react,
    respond_private,
    slack_error,
    unreact,
    upload_to_dm,
)
from bot.slack.triage import switch_triage

CANNOT_POST = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action",
                         "cannot_reply_to_message", "missing_scope"})


def answer_command(deps: Deps, ask: Ask, respond: Respond, client: WebClient) -> None:
    """Answer ``/k8sfix ...`` privately (or run its ``triage``, ``list [word]`` or ``show ID`` sub-command)."""
    remember(deps, ask, "command", getattr(respond, "response_url", None) or "")
    words = ask.text.split()
    if words and words[0].lower() == "triage":
        lang = user_language(deps, client, ask.user_id)
        text = switch_triage(deps, client, ask.channel_id, ask.user_id, words[1:], lang)
        respond_private(respond, compose_notice(text))
        return
    verb = words[0].lower() if words else ""
    if verb == "list" and len(words) <= 2:  # more words: a question that starts with "list"
        lang = user_language(deps, client, ask.user_id)
        word = words[1] if len(words) == 2 else None
        respond_private(respond, compose_topic_list(deps.matcher.kb, lang, deps.settings.slash_command, word))
        return
    if verb == "show" and len(words) == 2:
        if deps.matcher.kb.get(words[1]) is None:
            respond_private(respond, compose_notice(messages.unknown_entry(words[1],
                                                                           user_language(deps, client, ask.user_id))))
            return
        ask = replace(ask, text=words[1])
    reply = prepare_reply(deps, ask, client, surface="ephemeral")
    respond_private(respond, reply.message)
    delivered(deps, ask)
    if reply.message.full_text:
        upload_to_dm(client, ask.user_id, reply.message.full_text)
    finish(deps, ask, reply)


def answer_in_thread(deps: Deps, ask: Ask, client: WebClient, respond: Respond | None = None) -> None:
    """Answer a mention, DM or shortcut in the thread of the asker's message.

    The asker's message shows ``eyes`` while the answer is prepared and a check
    mark once it is posted. When the bot may not post there (a shortcut in a
    channel it is not in) the answer is sent privately through ``respond``.
    """
    remember(deps, ask, "thread", getattr(respond, "response_url", None) or "")
    react(client, ask.channel_id, ask.message_ts, WORKING)
    try:
        reply = prepare_reply(deps, ask, client, surface="thread")
        try:
            post_in_thread(client, ask.channel_id, ask.thread_ts or ask.message_ts, reply.message)
            delivered(deps, ask)
        except SlackApiError as exc:
            if respond is None or slack_error(exc) not in CANNOT_POST:
                raise
            _answer_privately(reply.message, respond, slack_error(exc), reply.lang)
            delivered(deps, ask)
            if reply.message.full_text:
                upload_to_dm(client, ask.user_id, reply.message.full_text)
            finish(deps, ask, reply, delivered="private")
            return
    finally:
        unreact(client, ask.channel_id, ask.message_ts, WORKING)
    react(client, ask.channel_id, ask.message_ts, ANSWERED)
    finish(deps, ask, reply)


def _answer_privately(message: SlackMessage, respond: Respond, error: str, lang: str) -> None:
    note = compose_notice(messages.not_in_thread(error, lang))
    respond_private(respond, SlackMessage(text=message.text, blocks=[*note.blocks, *message.blocks]))


def thread_parent(client: WebClient, channel: str, thread_ts: str) -> dict[str, Any] | None:
    """The first message of a thread (``conversations.replies``), None when unreadable."""
    try:
        response = client.conversations_replies(channel=channel, ts=thread_ts, limit=1, inclusive=True)
    except SlackApiError:
        return None
    found = response.get("messages") or []
    return found[0] if found and isinstance(found[0], dict) else None


def question_of(deps: Deps, message: dict[str, Any], bot_user_id: str | None) -> str:
    """The question a message asks: its text (links unwrapped, the bot's mention removed) and text files."""
    text = slack_to_plain(message_text(message), bot_user_id)
    files = message.get("files")
    if isinstance(files, list) and files:
        attached = attached_text(files, deps.settings)
        text = "\n\n".join(t for t in (text, attached) if t)
    return text


def apologize_in_thread(deps: Deps, client: WebClient, channel: str, thread_ts: str, lang: str = "en") -> None:
    """Post the apology in the asker's thread."""
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, **compose_notice(messages.apology(lang)).payload())


def apologize_privately(respond: Respond, lang: str = "en") -> None:
    """Send the apology through the response_url."""
    respond_private(respond, compose_notice(messages.apology(lang)))
