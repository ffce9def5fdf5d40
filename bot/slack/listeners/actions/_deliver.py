"""Show a re-rendered answer where the clicked one was: replace it, or send it privately."""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.slack.compose import SlackMessage
from bot.slack.interaction import ActionContext
from bot.slack.reply import respond_private, update_message, upload_to_dm


def replace_answer(client: WebClient, respond: Respond, ctx: ActionContext, message: SlackMessage) -> None:
    """Replace the clicked message: through the response_url if it is private, chat.update otherwise."""
    if ctx.is_ephemeral or not ctx.message_ts:
        respond_private(respond, message, replace_original=True)
    else:
        update_message(client, ctx.channel_id, ctx.message_ts, message)
    if message.full_text:
        upload_to_dm(client, ctx.user_id, message.full_text)


def show_privately(client: WebClient, respond: Respond, ctx: ActionContext, message: SlackMessage) -> None:
    """Show ``message`` to the clicking user only, in the thread of the clicked message when there is one."""
    if ctx.is_ephemeral or not ctx.channel_id:
        respond_private(respond, message)
    else:
        client.chat_postEphemeral(channel=ctx.channel_id, user=ctx.user_id,
                                  thread_ts=ctx.thread_ts or ctx.message_ts or None, **message.payload())
    if message.full_text:
        upload_to_dm(client, ctx.user_id, message.full_text)
