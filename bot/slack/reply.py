"""Sending answers: thread replies, private replies, file uploads for long answers, reactions."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.compose import SlackMessage

logger = logging.getLogger(__name__)

FULL_TEXT_FILENAME = "k8sfix-answer.txt"
HARMLESS_REACTION_ERRORS = frozenset({"already_reacted", "no_reaction", "message_not_found", "not_reactable"})
WORKING, ANSWERED, REPEAT, FAILED = "eyes", "white_check_mark", "repeat", "warning"


def post_in_thread(client: WebClient, channel: str, thread_ts: str | None, message: SlackMessage) -> str:
    """Post ``message`` in a thread, or in the channel when ``thread_ts`` is empty; return its ts.

    When the message had to be shortened, its full text is uploaded next to it.
    """
    response = client.chat_postMessage(channel=channel, thread_ts=thread_ts or None, unfurl_links=False,
                                       unfurl_media=False, **message.payload())
    if message.full_text:
        upload_text(client, channel, thread_ts or str(response.get("ts") or "") or None, message.full_text)
    return str(response.get("ts") or "")


def update_message(client: WebClient, channel: str, ts: str, message: SlackMessage) -> None:
    """Replace a posted message's content."""
    client.chat_update(channel=channel, ts=ts, **message.payload())


def respond_private(respond: Respond, message: SlackMessage, *, replace_original: bool = False) -> None:
    """Answer through the response_url, visible only to the asker."""
    result = respond(response_type="ephemeral", replace_original=replace_original, **message.payload())
    status = getattr(result, "status_code", 200)
    if isinstance(status, int) and status >= 400:
        logger.warning("response_url answered with an error", extra={"status": status})


def upload_text(client: WebClient, channel: str, thread_ts: str | None, text: str,
                title: str = "k8sfix answer") -> None:
    """Upload ``text`` as a file in a channel (and thread)."""
    kwargs: dict[str, Any] = {"channel": channel, "content": text, "filename": FULL_TEXT_FILENAME, "title": title}
    if thread_ts:
        kwargs["thread_ts"] = thread_ts
    client.files_upload_v2(**kwargs)


def upload_to_dm(client: WebClient, user_id: str, text: str) -> None:
    """Send ``text`` as a file in a direct message to ``user_id`` (for answers only they can see)."""
    opened = client.conversations_open(users=user_id)
    channel = (opened.get("channel") or {}).get("id")
    if channel:
        upload_text(client, str(channel), None, text)


def react(client: WebClient, channel: str, ts: str, name: str) -> None:
    """Add a reaction; failures are logged, never raised (reactions are a courtesy)."""
    try:
        client.reactions_add(channel=channel, timestamp=ts, name=name)
    except SlackApiError as exc:
        _log_reaction_error(exc, "reactions.add")


def unreact(client: WebClient, channel: str, ts: str, name: str) -> None:
    """Remove a reaction; failures are logged, never raised."""
    try:
        client.reactions_remove(channel=channel, timestamp=ts, name=name)
    except SlackApiError as exc:
        _log_reaction_error(exc, "reactions.remove")


def permalink(client: WebClient, channel: str, ts: str) -> str:
    """The permalink of a message, empty when Slack cannot give one."""
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink") or "")
    except SlackApiError as exc:
        logger.warning("chat.getPermalink failed", extra={"error": exc.response.get("error")})
        return ""


def slack_error(exc: SlackApiError) -> str:
    """The error code of a failed Web API call (``not_in_channel`` ...)."""
    return str(exc.response.get("error") or "unknown_error")


def _log_reaction_error(exc: SlackApiError, method: str) -> None:
    error = slack_error(exc)
    if error not in HARMLESS_REACTION_ERRORS:
        logger.warning("reaction failed", extra={"method": method, "error": error})
