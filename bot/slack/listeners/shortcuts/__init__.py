"""Shortcut listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.shortcuts.diagnose_message import diagnose_message_callback

DIAGNOSE_CALLBACK_ID = "k8sfix_diagnose"
"""callback_id of the "Diagnose with k8sfix" message shortcut in slack/manifest.yaml."""


def register(app: App) -> None:
    """Register the message shortcut."""
    app.message_shortcut(DIAGNOSE_CALLBACK_ID)(diagnose_message_callback)
