"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.commands.k8sfix import k8sfix_callback


def register(app: App, slash_command: str) -> None:
    """Register ``/k8sfix`` (or the configured command name)."""
    app.command(slash_command)(k8sfix_callback)
