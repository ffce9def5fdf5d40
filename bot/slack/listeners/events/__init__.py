"""Events API listeners: mentions, direct messages and channel messages (triage)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.events.app_home import app_home_opened_callback
from bot.slack.listeners.events.app_mention import app_mention_callback
from bot.slack.listeners.events.message import message_callback


def register(app: App) -> None:
    """Register the ``app_mention``, ``message`` and ``app_home_opened`` listeners."""
    app.event("app_mention")(app_mention_callback)
    app.event("app_home_opened")(app_home_opened_callback)
    app.event("message")(message_callback)
