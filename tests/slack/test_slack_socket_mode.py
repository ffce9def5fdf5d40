"""``k8sfix serve`` in Socket Mode (the default), end to end against a local Socket Mode server and fake Web API.

The fake Web API's ``apps.connections.open`` hands out a ``ws://127.0.0.1`` URL of
:class:`socket_fake.FakeSocketMode`; the bot is the real console script.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from serve_process import ServeProcess
from slack_fakes import FakeSlack
from slack_harness import answer_qid, blocks_of, command_body, event_body, header, mention_event, next_trigger, next_ts
from socket_fake import FakeSocketMode

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')
ACK_LIMIT_S = 3.0


@pytest.fixture
def socket_server(fake: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as server:
        fake.socket_url = server.url
        yield server


@pytest.fixture
def bot(fake: FakeSlack, socket_server: FakeSocketMode, tmp_path: Path) -> Iterator[ServeProcess]:
    process = ServeProcess(fake, f"sqlite:///{tmp_path / 'k8sfix.db'}", tmp_path / "bot.log", http=False,
                           extra_env={"SLACK_APP_TOKEN": "xapp-1-A0001-1-localfake", "K8SFIX_WORKERS": "4"})
    try:
        socket_server.wait_connections(1, timeout=90)
        yield process
    finally:
        process.stop()


def _command(text: str, response: str, fake: FakeSlack) -> dict[str, Any]:
    return dict(parse_qsl(command_body(text, response_url=fake.response_url(response))))


def _event(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return dict(json.loads(event_body(event, event_id=event_id)))


def _posts_in(fake: FakeSlack, ts: str) -> list[dict[str, Any]]:
    return [c.params for c in fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts]


def _acked_in_time(server: FakeSocketMode, envelope_id: str) -> None:
    assert server.wait_ack(envelope_id, timeout=ACK_LIMIT_S + 2) <= ACK_LIMIT_S
    assert server.ack_counts[envelope_id] == 1


def test_every_surface_is_acknowledged_in_time_and_answered(bot: ServeProcess, socket_server: FakeSocketMode,
                                                            fake: FakeSlack) -> None:
    # when: a slash command, a mention, its redelivery, a click and a message shortcut
    command = socket_server.send("slash_commands", _command(CONNTRACK, "sm-command", fake))
    _acked_in_time(socket_server, command)
    answer = fake.wait_for("response_url", timeout=30)[0].params
    mention = mention_event(CONNTRACK)
    first = socket_server.send("events_api", _event(mention, "EvSOCKET1"))
    _acked_in_time(socket_server, first)
    fake.wait_for("chat.postMessage", 1, timeout=30)
    again = socket_server.send("events_api", _event(mention, "EvSOCKET1"), retry_attempt=1)
    _acked_in_time(socket_server, again)
    qid = answer_qid(blocks_of(answer))
    click = socket_server.send("interactive", {
        "type": "block_actions", "team": {"id": "T0001"}, "user": {"id": "U0USER1"}, "api_app_id": "A0001",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0CHAN1", "is_ephemeral": True},
        "channel": {"id": "C0CHAN1"}, "trigger_id": next_trigger(), "response_url": fake.response_url("sm-click"),
        "actions": [{"action_id": "k8sfix_post", "block_id": f"k8sfix:{qid}", "type": "button", "value": qid,
                     "action_ts": next_ts()}]})
    _acked_in_time(socket_server, click)
    message = {"type": "message", "user": "U0OTHER", "ts": next_ts(), "text": CONNTRACK}
    shortcut = socket_server.send("interactive", {
        "type": "message_action", "callback_id": "k8sfix_diagnose", "trigger_id": next_trigger(),
        "team": {"id": "T0001"}, "user": {"id": "U0USER1"}, "channel": {"id": "C0CHAN1"}, "message": message,
        "message_ts": message["ts"], "response_url": fake.response_url("sm-shortcut")})
    _acked_in_time(socket_server, shortcut)
    fake.wait_for("chat.postMessage", 3, timeout=30)
    time.sleep(1.0)
    # then: the command answered privately, the mention and the shortcut in their threads, the click posted once,
    # the redelivered mention not answered again
    assert header(blocks_of(answer)).startswith("kube-proxy") and answer["_name"] == "sm-command"
    assert len(_posts_in(fake, mention["ts"])) == 1
    assert len(_posts_in(fake, message["ts"])) == 1
    shared = [c.params for c in fake.calls_to("chat.postMessage") if not c.params.get("thread_ts")]
    assert len(shared) == 1 and header(blocks_of(shared[0])).startswith("kube-proxy")
    assert len(fake.calls_to("chat.postMessage")) == 3


def test_reconnects_after_disconnect_and_a_dropped_connection_lose_and_double_nothing(
        bot: ServeProcess, socket_server: FakeSocketMode, fake: FakeSlack) -> None:
    events = [mention_event(f"{CONNTRACK} (node {n})", channel=f"C0SOCK{n}") for n in range(9)]

    def deliver(n: int, retry: int = 0) -> None:
        _acked_in_time(socket_server, socket_server.send("events_api", _event(events[n], f"EvRECON{n}"),
                                                         retry_attempt=retry))

    # given: three questions answered on the first connection
    for n in range(3):
        deliver(n)
    # when: Slack asks the client to reconnect, then (once the client has let the old connection go)
    # delivers on the new one, including a redelivery of the last question
    old = socket_server.wait_connections(1)
    socket_server.ask_to_reconnect()
    socket_server.wait_connections(2)
    assert old.closed.wait(10)
    for n in range(3, 6):
        deliver(n)
    deliver(2, retry=1)
    # when: the connection drops without a word
    socket_server.drop()
    socket_server.wait_connections(3)
    for n in range(6, 9):
        deliver(n)
    deliver(8, retry=1)
    fake.wait_for("chat.postMessage", 9, timeout=60)
    time.sleep(1.0)
    # then: every question answered exactly once, and each reconnect asked for a fresh URL
    assert [len(_posts_in(fake, e["ts"])) for e in events] == [1] * 9
    assert len(fake.calls_to("apps.connections.open")) >= 3


def test_sigterm_closes_the_socket_cleanly(bot: ServeProcess, socket_server: FakeSocketMode) -> None:
    connection = socket_server.wait_connections(1)
    assert bot.terminate() == 0
    assert connection.closed.wait(10)
    assert connection.close_code == 1000
