"""Signed Slack requests into the app in HTTP mode: slash commands, events, shortcuts, actions."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_fakes import FakeSlack
from slack_sdk.signature import SignatureVerifier

from bot.slack import Deps, deps_of_app

SIGNING_SECRET = "test-signing-secret-0123456789"
_counter = itertools.count(1)


def next_ts() -> str:
    return f"{int(time.time())}.{next(_counter):06d}"


def signed_headers(body: str, content_type: str, secret: str = SIGNING_SECRET,
                   timestamp: int | None = None) -> dict[str, list[str]]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"content-type": [content_type], "x-slack-request-timestamp": [ts], "x-slack-signature": [signature]}


def next_trigger() -> str:
    """A fresh trigger_id: Slack gives each command, click and shortcut its own."""
    return f"{next(_counter)}.{int(time.time())}.abcdef"


def command_body(text: str, *, user: str = "U0USER1", channel: str = "C0CHAN1", response_url: str,
                 command: str = "/k8sfix", trigger_id: str | None = None) -> str:
    return urlencode({
        "token": "legacy", "team_id": "T0001", "team_domain": "test", "channel_id": channel,
        "channel_name": "general", "user_id": user, "user_name": "alice", "command": command, "text": text,
        "api_app_id": "A0001", "response_url": response_url, "trigger_id": trigger_id or next_trigger(),
    })


def event_body(event: dict[str, Any], event_id: str | None = None) -> str:
    return json.dumps({
        "token": "legacy", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
        "event_id": event_id or f"Ev{next(_counter):08d}", "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0001", "user_id": "UBOT0001", "is_bot": True}],
        "event": event,
    })


def message_event(text: str, *, channel: str = "C0CHAN1", user: str | None = "U0USER1", ts: str | None = None,
                  channel_type: str = "channel", **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "message", "channel": channel, "text": text, "ts": ts or next_ts(),
                             "channel_type": channel_type, **extra}
    if user is not None:
        event["user"] = user
    return event


def mention_event(text: str, *, channel: str = "C0CHAN1", user: str = "U0USER1", ts: str | None = None,
                  **extra: Any) -> dict[str, Any]:
    return {"type": "app_mention", "channel": channel, "user": user, "text": f"<@UBOT0001> {text}",
            "ts": ts or next_ts(), **extra}


class Harness:
    """The app in HTTP mode plus the fake Web API it talks to."""

    def __init__(self, app: App, fake: FakeSlack, secret: str = SIGNING_SECRET) -> None:
        self.app = app
        self.fake = fake
        self.secret = secret

    @property
    def deps(self) -> Deps:
        return deps_of_app(self.app)

    def dispatch(self, body: str, content_type: str, *, headers: dict[str, list[str]] | None = None,
                 signed: bool = True) -> BoltResponse:
        all_headers = signed_headers(body, content_type, self.secret) if signed else {
            "content-type": [content_type]}
        all_headers.update(headers or {})
        return self.app.dispatch(BoltRequest(body=body, headers=all_headers))

    def command(self, text: str, *, user: str = "U0USER1", channel: str = "C0CHAN1",
                response: str = "r1") -> BoltResponse:
        body = command_body(text, user=user, channel=channel, response_url=self.fake.response_url(response))
        return self.dispatch(body, "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None) -> BoltResponse:
        headers = {"x-slack-retry-num": [str(retry)], "x-slack-retry-reason": ["http_timeout"]} if retry else None
        return self.dispatch(event_body(event, event_id), "application/json", headers=headers)

    def interactive(self, payload: dict[str, Any]) -> BoltResponse:
        return self.dispatch(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def shortcut(self, message: dict[str, Any], *, channel: str = "C0CHAN1", user: str = "U0USER1",
                 response: str = "s1") -> BoltResponse:
        return self.interactive({
            "type": "message_action", "callback_id": "k8sfix_diagnose", "trigger_id": next_trigger(),
            "team": {"id": "T0001"}, "user": {"id": user}, "channel": {"id": channel},
            "message": message, "message_ts": message.get("ts"), "response_url": self.fake.response_url(response),
        })

    def action(self, action_id: str, *, value: str = "", block_id: str = "", qid: str = "",
               ephemeral: bool = True, channel: str = "C0CHAN1", user: str = "U0USER1",
               message_ts: str = "", thread_ts: str = "", selected: str | None = None,
               response: str = "a1") -> BoltResponse:
        action: dict[str, Any] = {"action_id": action_id, "block_id": block_id or f"k8sfix:{qid}",
                                  "type": "static_select" if selected else "button", "action_ts": next_ts()}
        if selected:
            action["selected_option"] = {"value": selected, "text": {"type": "plain_text", "text": selected}}
        else:
            action["value"] = value or qid
        container = {"type": "message", "message_ts": message_ts or next_ts(), "channel_id": channel,
                     "is_ephemeral": ephemeral}
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": "T0001"}, "user": {"id": user}, "api_app_id": "A0001",
            "container": container, "channel": {"id": channel}, "trigger_id": next_trigger(),
            "response_url": self.fake.response_url(response), "actions": [action],
        }
        if not ephemeral:
            payload["message"] = {"ts": container["message_ts"], "type": "message", "text": "k8sfix",
                                  **({"thread_ts": thread_ts} if thread_ts else {})}
        return self.interactive(payload)

    def idle(self, timeout: float = 10.0) -> None:
        assert self.deps.wait_idle(timeout), "answers still running"

    def wait_response(self, name: str, timeout: float = 10.0) -> dict[str, Any]:
        """The first response_url post to ``name``, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.responses(name)
            if found:
                return found[0]
            time.sleep(0.01)
        raise AssertionError(f"no response_url post to {name}")

    def responses(self, name: str | None = None) -> list[dict[str, Any]]:
        return [c.params for c in self.fake.calls_to("response_url") if name is None or c.params["_name"] == name]


def answer_qid(blocks: list[dict[str, Any]]) -> str:
    """The query id an answer's buttons carry."""
    for block in blocks:
        block_id = str(block.get("block_id") or "")
        if block_id.startswith(("k8sfix:", "k8sfix_topics:")):
            return block_id.split(":", 1)[1]
    raise AssertionError("no k8sfix action block in the message")


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def header(blocks: list[dict[str, Any]]) -> str:
    return str(blocks[0]["text"]["text"])


def all_text(blocks: list[dict[str, Any]] | str) -> str:
    return json.dumps(blocks, ensure_ascii=False) if not isinstance(blocks, str) else blocks


def blocks_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks of a recorded Web API or response_url call (JSON or form encoded)."""
    blocks = params.get("blocks")
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks or [])
