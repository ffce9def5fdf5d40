"""Every listener of the app, grouped by Slack surface."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, shortcuts


def register_listeners(app: App, slash_command: str) -> None:
    """Register the command, event, shortcut and action listeners on ``app``."""
    commands.register(app, slash_command)
    events.register(app)
    shortcuts.register(app)
    actions.register(app)
