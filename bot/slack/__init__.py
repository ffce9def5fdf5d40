"""The Slack app: slash command, mentions, DMs, message shortcut, channel triage, answer buttons."""

from __future__ import annotations

from bot.slack.app import create_app, deps_of_app
from bot.slack.compose import SlackMessage
from bot.slack.deps import Deps

__all__ = ["Deps", "SlackMessage", "create_app", "deps_of_app"]
