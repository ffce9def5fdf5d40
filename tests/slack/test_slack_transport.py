"""Transports and Slack's limits: the HTTP server, Socket Mode envelopes, rate limits (429 + Retry-After)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from slack_harness import Harness, blocks_of, command_body, event_body, header, mention_event, signed_headers
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.slack.server import SlackHTTPServer

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')


@pytest.fixture
def http(slack: Harness) -> Iterator[SlackHTTPServer]:
    server = SlackHTTPServer(slack.app, "127.0.0.1", 0, slack.deps.metrics)
    server.start()
    yield server
    server.stop()


def _post(server: SlackHTTPServer, body: str | bytes, headers: dict[str, str], path: str = "/slack/events"
          ) -> tuple[int, bytes]:
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _signed(body: str, content_type: str) -> dict[str, str]:
    return {k: v[0] for k, v in signed_headers(body, content_type).items()}


def test_a_signed_slash_command_over_http_is_acknowledged_and_answered(http: SlackHTTPServer,
                                                                       slack: Harness) -> None:
    body = command_body(CONNTRACK, response_url=slack.fake.response_url())
    started = time.perf_counter()
    status, payload = _post(http, body, _signed(body, "application/x-www-form-urlencoded"))
    assert status == 200 and payload == b"" and time.perf_counter() - started < 0.3
    assert header(blocks_of(slack.fake.wait_for("response_url")[0].params)).startswith("kube-proxy")
    assert slack.deps.metrics.value("k8sfix_request_seconds_count", {"transport": "http"}) == 1


def test_http_rejects_bad_signatures_and_unknown_paths(http: SlackHTTPServer, slack: Harness) -> None:
    body = command_body(CONNTRACK, response_url=slack.fake.response_url())
    headers = _signed(body, "application/x-www-form-urlencoded")
    headers["x-slack-signature"] = "v0=" + "1" * 64
    assert _post(http, body, headers)[0] == 401
    assert _post(http, body, _signed(body, "application/x-www-form-urlencoded"), path="/other")[0] == 404
    assert not slack.fake.calls_to("response_url")


def test_http_answers_the_url_verification_challenge(http: SlackHTTPServer) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c0ffee", "token": "t"})
    status, payload = _post(http, body, _signed(body, "application/json"))
    assert status == 200 and b"c0ffee" in payload


def test_the_longest_message_slack_sends_is_accepted_over_http(http: SlackHTTPServer, slack: Harness) -> None:
    # given: 40,000 characters (Slack's cap on a message), also in the message's rich-text block
    paste = ("I1121 12:00:00.000 chatty controller line about pod web-1 in namespace prod\n" * 520 + CONNTRACK)
    paste = paste[-40_000:]
    blocks = [{"type": "rich_text", "elements": [{"type": "rich_text_section",
                                                  "elements": [{"type": "text", "text": paste}]}]}]
    body = event_body(mention_event(paste, blocks=blocks))
    assert len(body) > 80_000
    assert _post(http, body, _signed(body, "application/json"))[0] == 200
    assert header(blocks_of(slack.fake.wait_for("chat.postMessage")[0].params)).startswith("kube-proxy")


def test_socket_mode_envelopes_are_handled_and_their_retries_dropped(make_harness: Callable[..., Harness]) -> None:
    from slack_bolt.adapter.socket_mode.internals import run_bolt_app

    # given: the same app in Socket Mode (no signing secret, no signature check)
    slack = make_harness(mode="socket", signing_secret="", app_token="xapp-1-A1-1-x")
    payload = json.loads(event_body(mention_event(CONNTRACK), event_id="EvSOCKET1"))
    # when: the envelope, then Slack's redelivery with retry_attempt
    first = run_bolt_app(slack.app, SocketModeRequest("events_api", "env-1", payload))
    retry = run_bolt_app(slack.app, SocketModeRequest("events_api", "env-2", payload, retry_attempt=1,
                                                      retry_reason="timeout"))
    slack.idle()
    # then
    assert first.status == 200 and retry.status == 200
    assert len(slack.fake.calls_to("chat.postMessage")) == 1
    assert slack.deps.metrics.value("k8sfix_duplicates_total", {"reason": "retry"}) == 1


def test_a_rate_limited_post_waits_for_retry_after_then_posts_once(slack: Harness) -> None:
    # given
    slack.fake.rate_limit("chat.postMessage", times=1, retry_after=1)
    # when
    slack.event(mention_event(CONNTRACK))
    attempts = slack.fake.wait_for("chat.postMessage", 2)
    slack.idle()
    # then: one 429, then one message after at least Retry-After seconds
    assert len(slack.fake.calls_to("chat.postMessage")) == 2
    assert attempts[1].at - attempts[0].at >= 1.0
    assert [c.params["name"] for c in slack.fake.calls_to("reactions.add")] == ["eyes", "white_check_mark"]


def test_rate_limited_reactions_and_locale_lookups_are_retried(slack: Harness) -> None:
    slack.fake.rate_limit("reactions.add", times=1, retry_after=0)
    slack.fake.rate_limit("users.info", times=1, retry_after=0)
    slack.fake.locales["U0USER1"] = "ru-RU"
    slack.command("12345")
    answer = slack.fake.wait_for("response_url")[0]
    assert "Нет уверенного совпадения" in json.dumps(blocks_of(answer.params), ensure_ascii=False)
    assert len(slack.fake.calls_to("users.info")) == 2


def test_the_web_client_uses_the_configured_api_url_and_proxy() -> None:
    from bot.config import Settings
    from bot.slack.client import build_web_client

    client = build_web_client(Settings(bot_token="xoxb-1", api_url="https://slack-gov.com/api/",
                                       https_proxy="http://proxy.internal:3128"))
    assert client.base_url == "https://slack-gov.com/api/" and client.proxy == "http://proxy.internal:3128"
    assert {type(h).__name__ for h in client.retry_handlers} >= {"RateLimitErrorRetryHandler"}


def test_nothing_outside_config_names_slacks_host() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).parents[2] / "bot"
    host = re.compile(r"slack\.com(?![\w])")
    offenders = [p for folder in ("slack", "store", "ops") for p in (root / folder).rglob("*.py")
                 if host.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
