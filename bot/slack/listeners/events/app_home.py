"""``app_home_opened``: publish the Home tab (usage, triage channels, the KB's topics by area)."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import user_language
from bot.slack.compose import compose_home
from bot.slack.deps import Deps, deps_of
from bot.slack.guard import submit_guarded


def app_home_opened_callback(event: dict[str, Any], client: WebClient, context: BoltContext,
                             logger: Logger) -> None:
    """Publish the Home tab for the user who opened it, in the worker pool."""
    if event.get("tab") != "home":
        return
    deps = deps_of(context)
    user_id = str(event.get("user") or "")
    if not user_id:
        return
    submit_guarded(deps, "app_home", lambda: publish_home(deps, client, user_id), lambda: None)


def triage_channels(deps: Deps) -> set[str]:
    """Channels with triage on: switched on with the command, or configured and not switched off."""
    switched = deps.store.triage_settings()
    configured = {c for c in deps.settings.triage_channels if switched.get(c, True)}
    return configured | {c for c, on in switched.items() if on}


def publish_home(deps: Deps, client: WebClient, user_id: str) -> None:
    """``views.publish`` the Home tab in the user's Slack language."""
    lang = user_language(deps, client, user_id)
    view = compose_home(deps.matcher.kb, lang, deps.settings.slash_command, triage_channels(deps))
    client.views_publish(user_id=user_id, view=view)
