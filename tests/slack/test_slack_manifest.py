"""slack/manifest.yaml agrees with the code: command, shortcut, events and every scope the app needs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.config import Settings
from bot.slack.listeners.shortcuts import DIAGNOSE_CALLBACK_ID

ROOT = Path(__file__).parents[2]
MANIFEST = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text(encoding="utf-8"))
SCOPE_OF_METHOD = {
    "chat_postMessage": "chat:write", "chat_update": "chat:write", "chat_postEphemeral": "chat:write",
    "reactions_add": "reactions:write", "reactions_remove": "reactions:write", "users_info": "users:read",
    "conversations_info": "channels:read", "conversations_join": "channels:join",
    "conversations_open": "im:write", "conversations_replies": "channels:history",
    "files_upload_v2": "files:write",
}
NO_SCOPE = {"chat_getPermalink", "auth_test", "views_publish"}
"""Web API methods that need no OAuth scope."""


def test_the_command_and_shortcut_match_the_code() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    [shortcut] = MANIFEST["features"]["shortcuts"]
    assert command["command"] == Settings(bot_token="xoxb-x").slash_command
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", DIAGNOSE_CALLBACK_ID)


def test_socket_mode_interactivity_and_events() -> None:
    settings = MANIFEST["settings"]
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.channels", "message.groups", "message.im", "app_home_opened"}
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_every_web_api_method_the_app_calls_has_its_scope() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot" / "slack").rglob("*.py"))
    called = set(re.findall(r"client\.([a-z]+_[A-Za-z0-9_]+)\(", code)) - {"is_connected", "connect_to_new_endpoint"}
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert called <= set(SCOPE_OF_METHOD) | NO_SCOPE, called - set(SCOPE_OF_METHOD)
    for method in called - NO_SCOPE:
        assert SCOPE_OF_METHOD[method] in scopes, method
    assert {"commands", "app_mentions:read", "im:history", "groups:history", "files:read"} <= scopes
