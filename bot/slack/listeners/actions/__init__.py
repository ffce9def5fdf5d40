"""Block action listeners: the buttons and the language menu of an answer."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.slack.listeners.actions.correction import correction_callback
from bot.slack.listeners.actions.feedback import feedback_callback
from bot.slack.listeners.actions.language import language_callback
from bot.slack.listeners.actions.post_to_channel import post_to_channel_callback
from bot.slack.listeners.actions.run_checks import run_checks_callback
from bot.slack.listeners.actions.show_entry import show_entry_callback


def register(app: App) -> None:
    """Register every action of the answer templates."""
    app.action("k8sfix_post")(post_to_channel_callback)
    app.action(re.compile(r"^k8sfix_(not_)?helpful$"))(feedback_callback)
    app.action("k8sfix_language")(language_callback)
    app.action("k8sfix_run_checks")(run_checks_callback)
    app.action(re.compile(r"^k8sfix_show_entry_\d+$"))(show_entry_callback)
    app.action(re.compile(r"^k8sfix_correct_(\d+|none)$"))(correction_callback)
