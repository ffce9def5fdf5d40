"""HTTP mode against hostile and broken clients: every request gets an answer, none stalls or repeats work."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from slack_harness import Harness, blocks_of, command_body, event_body, header, mention_event, signed_headers

from bot.ops.logs import configure_logging
from bot.slack.server import MAX_BODY_BYTES, SlackHTTPServer

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def http(slack: Harness) -> Iterator[SlackHTTPServer]:
    server = SlackHTTPServer(slack.app, "127.0.0.1", 0, slack.deps.metrics, socket_timeout=1.0, max_connections=32)
    server.start()
    yield server
    server.stop()


def _raw(server: SlackHTTPServer, head: str, body: bytes = b"", wait: float = 5.0) -> bytes:
    """Send a request as raw bytes and return what the server answers before it closes or ``wait`` passes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as conn:
        conn.sendall(head.encode("latin-1") + b"\r\n" + body)
        received = b""
        deadline = time.monotonic() + wait
        while b"\r\n\r\n" not in received and time.monotonic() < deadline:
            try:
                chunk = conn.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
        return received


def _status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), f"no HTTP answer: {answer[:80]!r}"
    return int(answer.split()[1])


def _head(length: str, headers: dict[str, str] | None = None) -> str:
    lines = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {length}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return "\r\n".join(lines) + "\r\n"


def _signed(body: str, content_type: str, **overrides: str) -> dict[str, str]:
    headers = {k: v[0] for k, v in signed_headers(body, content_type).items()}
    headers.update({k.lower(): v for k, v in overrides.items()})
    return headers


def _post(server: SlackHTTPServer, body: str, headers: dict[str, str]) -> int:
    data = body.encode("utf-8")
    head = "\r\n".join(["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(data)}",
                        *(f"{k}: {v}" for k, v in headers.items())]) + "\r\n"
    return _status(_raw(server, head, data))


@pytest.mark.parametrize("size", [1024 * 1024, 10 * 1024 * 1024])
def test_big_bodies_are_refused_with_413_before_they_are_read(http: SlackHTTPServer, size: int) -> None:
    # given: headers announcing the body and only its first 64 KB sent
    body = json.dumps({"type": "event_callback", "pad": "x" * 65536}).encode()[:65536]
    # when
    started = time.monotonic()
    answer = _raw(http, _head(str(size)), body, wait=5.0)
    # then: the answer came without the server waiting for the rest
    assert size > MAX_BODY_BYTES
    assert _status(answer) == 413 and b"Connection: close" in answer
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", " ", "99999999999999999999"])
def test_unusable_content_lengths_get_400(http: SlackHTTPServer, length: str) -> None:
    assert _status(_raw(http, _head(length), b"{}")) == 400


def test_a_chunked_body_gets_400(http: SlackHTTPServer) -> None:
    head = "\r\n".join(["POST /slack/events HTTP/1.1", "Host: x", "Transfer-Encoding: chunked"]) + "\r\n"
    assert _status(_raw(http, head, b"2\r\n{}\r\n0\r\n\r\n")) == 400


MALFORMED = [
    ("{not json", "application/json"),
    ("[1, 2]", "application/json"),
    ('"a string"', "application/json"),
    ("\udcff\udcfe".encode("utf-8", "surrogateescape").decode("latin-1"), "application/json"),
    ('{"type": "event_callback", "event": "not an object", "event_id": "Ev1"}', "application/json"),
    ('{"type": "event_callback", "event": {"type": "app_mention"}, "event_id": "Ev2", "authorizations": 5}',
     "application/json"),
    ("payload=%7Bbroken", FORM),
    ("payload=%5B1%5D", FORM),
    (urlencode({"payload": json.dumps({"type": "block_actions", "actions": "x", "user": "U1"})}), FORM),
    ("command=/k8sfix&text=%ZZ&trigger_id=1", FORM),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
@pytest.mark.parametrize("signed", [True, False])
def test_malformed_bodies_get_an_answer(http: SlackHTTPServer, slack: Harness, body: str, content_type: str,
                                        signed: bool) -> None:
    headers = _signed(body, content_type) if signed else {"Content-Type": content_type,
                                                          "X-Slack-Request-Timestamp": str(int(time.time()))}
    status = _post(http, body, headers)
    assert status in ((400, 401, 404, 200) if signed else (401, 400))
    if not signed:
        assert status in (400, 401)
    # and the server still answers the next request
    ok = command_body(CONNTRACK, response_url=slack.fake.response_url("after"))
    assert _post(http, ok, _signed(ok, FORM)) == 200


@pytest.mark.parametrize("timestamp", ["abc", "", "12.5", "1e9", "-5"])
def test_a_non_numeric_timestamp_gets_401(http: SlackHTTPServer, slack: Harness, timestamp: str) -> None:
    body = command_body(CONNTRACK, response_url=slack.fake.response_url())
    assert _post(http, body, _signed(body, FORM, **{"X-Slack-Request-Timestamp": timestamp})) == 401
    slack.idle()
    assert not slack.fake.calls_to("response_url")


def test_stalled_connections_are_closed_and_do_not_pile_up_threads(http: SlackHTTPServer) -> None:
    # given: 20 clients that send half a request and then nothing
    before = threading.active_count()
    stalled = [socket.create_connection(("127.0.0.1", http.port), timeout=5) for _ in range(20)]
    try:
        for conn in stalled:
            conn.sendall(b"POST /slack/events HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
        # when / then: the server closes each of them after its 1 s socket timeout
        for conn in stalled:
            assert conn.recv(100) == b""
        deadline = time.monotonic() + 5
        while threading.active_count() > before + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threading.active_count() <= before + 1
    finally:
        for conn in stalled:
            conn.close()


def test_connections_beyond_the_limit_get_503_at_once(slack: Harness) -> None:
    server = SlackHTTPServer(slack.app, "127.0.0.1", 0, slack.deps.metrics, socket_timeout=5.0, max_connections=4)
    server.start()
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(4)]
    try:
        for conn in held:
            conn.sendall(b"POST /slack/events HTTP/1.1\r\n")
        time.sleep(0.2)
        assert _status(_raw(server, _head("2"), b"{}", wait=2.0)) == 503
    finally:
        for conn in held:
            conn.close()
        server.stop()


def test_the_body_of_an_unsigned_request_is_never_logged(http: SlackHTTPServer, slack: Harness,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    body = command_body("MARKER-do-not-log password=hunter2", response_url=slack.fake.response_url())
    assert _post(http, body, _signed(body, FORM, **{"X-Slack-Signature": "v0=" + "0" * 64})) == 401
    assert _post(http, body, {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time()))}) == 401
    logged = "\n".join(r.getMessage() + " " + json.dumps(vars(r), default=str) for r in caplog.records)
    assert "MARKER" not in logged and "hunter2" not in logged
    assert any("invalid request signature" in r.getMessage() for r in caplog.records)


def test_unknown_event_types_are_acknowledged_with_200(http: SlackHTTPServer, slack: Harness) -> None:
    body = event_body({"type": "app_rate_limited_v9", "channel": "C1", "ts": "1.2"})
    assert _post(http, body, _signed(body, "application/json")) == 200
    body = event_body({"type": "reaction_added", "user": "U1", "reaction": "eyes"})
    assert _post(http, body, _signed(body, "application/json")) == 200


def test_the_text_log_format_cannot_be_forged_with_newlines(slack: Harness) -> None:
    # given: text logs, and a question from a channel id that carries a forged log line
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    forged = "C0CHAN1\n2026-01-01 00:00:00,000 ERROR bot.slack: forged"
    try:
        configure_logging("INFO", "text", stream)
        slack.command(CONNTRACK + "\r\n2026-01-01 00:00:00,000 INFO forged too", channel=forged)
        slack.wait_response("r1")
        slack.idle()
        logging.getLogger("bot.slack").info("note\nforged", extra={"field": "a\nb\u2028c"})
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    # then: every line is a record of its own (starts with its time stamp) or an indented traceback line
    lines = stream.getvalue().splitlines()
    assert lines and all(line[:2] == "20" or line.startswith("  ") for line in lines)
    assert not any("forged" in line and not line.startswith(time.strftime("%Y")) for line in lines)
    assert any("channel=C0CHAN1\\n2026" in line for line in lines)


def test_a_replayed_slash_command_is_answered_once(http: SlackHTTPServer, slack: Harness) -> None:
    # given: one signed slash command (its trigger_id is unique to it)
    body = command_body(CONNTRACK, response_url=slack.fake.response_url("once"))
    headers = _signed(body, FORM)
    # when: the same signed request three times within the 5-minute window
    statuses = [_post(http, body, headers) for _ in range(3)]
    slack.idle()
    # then
    assert statuses == [200, 200, 200]
    assert len(slack.responses("once")) == 1
    assert slack.deps.metrics.value("k8sfix_duplicates_total", {"reason": "command"}) == 2


def test_a_replayed_post_to_channel_click_posts_once(http: SlackHTTPServer, slack: Harness) -> None:
    # given: a private answer
    slack.command(CONNTRACK, response="ask")
    answer = slack.wait_response("ask")
    slack.idle()
    from slack_harness import answer_qid

    qid = answer_qid(blocks_of(answer))
    payload = {"type": "block_actions", "team": {"id": "T0001"}, "user": {"id": "U0USER1"}, "api_app_id": "A0001",
               "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0CHAN1", "is_ephemeral": True},
               "channel": {"id": "C0CHAN1"}, "trigger_id": "777.888.click",
               "response_url": slack.fake.response_url("p"),
               "actions": [{"action_id": "k8sfix_post", "block_id": f"k8sfix:{qid}", "type": "button", "value": qid,
                            "action_ts": "1700000000.123456"}]}
    body = urlencode({"payload": json.dumps(payload)})
    headers = _signed(body, FORM)
    # when: the click is sent three times
    statuses = [_post(http, body, headers) for _ in range(3)]
    slack.idle()
    # then: one post in the channel
    assert statuses == [200, 200, 200]
    posts = slack.fake.calls_to("chat.postMessage")
    assert len(posts) == 1 and header(blocks_of(posts[0].params)).startswith("kube-proxy")


def test_a_replayed_event_is_answered_once(http: SlackHTTPServer, slack: Harness) -> None:
    body = event_body(mention_event(CONNTRACK))
    headers = _signed(body, "application/json")
    assert [_post(http, body, headers) for _ in range(3)] == [200, 200, 200]
    slack.idle()
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


def test_the_slash_command_is_acknowledged_before_its_markup_is_read(http: SlackHTTPServer, slack: Harness) -> None:
    # given: 40,000 characters of half-open Slack markup (quadratic for a naive link pattern)
    hostile = "<http:" * 2500 + "<@U1|" * 2500 + "<!subteam^S1|" * 1000
    body = command_body(hostile, response_url=slack.fake.response_url("hostile"))
    # when
    started = time.monotonic()
    status = _post(http, body, _signed(body, FORM))
    acked = time.monotonic() - started
    # then: acknowledged well inside Slack's 3 s, answered afterwards
    assert status == 200 and acked < 3.0
    slack.wait_response("hostile", timeout=30)
