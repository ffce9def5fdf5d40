"""First tier: listener callbacks called directly with mocks, as in Bolt's starter template."""

from __future__ import annotations

import logging
from unittest.mock import Mock

from slack_bolt import Ack, BoltContext, Respond
from slack_harness import Harness, next_ts
from slack_sdk import WebClient

from bot.slack.deps import CONTEXT_KEY
from bot.slack.listeners._context import STARTED_KEY
from bot.slack.listeners.actions.feedback import feedback_callback
from bot.slack.listeners.commands.k8sfix import k8sfix_callback
from bot.slack.listeners.events.message import message_callback
from bot.slack.listeners.shortcuts.diagnose_message import diagnose_message_callback

LOGGER = logging.getLogger("test")


def _context(slack: Harness) -> BoltContext:
    context = BoltContext()
    context[CONTEXT_KEY] = slack.deps
    context[STARTED_KEY] = 0.0
    context["bot_user_id"] = "UBOT0001"
    context["bot_id"] = "BBOT0001"
    return context


def test_the_command_callback_acks_before_anything_else(slack: Harness) -> None:
    # given
    ack, respond, client = Mock(Ack), Mock(Respond), Mock(WebClient)
    order: list[str] = []
    ack.side_effect = lambda *a, **k: order.append("ack")
    respond.side_effect = lambda *a, **k: order.append("respond")
    # when
    k8sfix_callback(ack=ack, command={"text": "help", "user_id": "U1", "channel_id": "C1"}, respond=respond,
                    client=client, context=_context(slack), logger=LOGGER)
    slack.idle()
    # then
    ack.assert_called_once_with()
    assert order == ["ack", "respond"]
    assert respond.call_args.kwargs["response_type"] == "ephemeral"


def test_the_shortcut_callback_acks_and_answers_in_the_thread(slack: Harness) -> None:
    ack, respond = Mock(Ack), Mock(Respond)
    client = Mock(WebClient)
    ts = next_ts()
    diagnose_message_callback(ack=ack, shortcut={"message": {"ts": ts, "text": "conntrack not found"},
                                                 "channel": {"id": "C1"}, "user": {"id": "U1"}},
                              client=client, respond=respond, context=_context(slack), logger=LOGGER)
    slack.idle()
    ack.assert_called_once_with()
    assert client.chat_postMessage.call_args.kwargs["thread_ts"] == ts
    respond.assert_not_called()


def test_the_message_callback_ignores_edits_joins_and_its_own_posts(slack: Harness) -> None:
    client = Mock(WebClient)
    for event in ({"subtype": "message_changed", "channel": "C1", "ts": "1.1"},
                  {"subtype": "channel_join", "channel": "C1", "ts": "1.2", "user": "U1"},
                  {"channel": "D1", "channel_type": "im", "ts": "1.3", "user": "UBOT0001", "text": "x"},
                  {"channel": "D1", "channel_type": "im", "ts": "1.4", "bot_id": "BBOT0001", "text": "x"}):
        message_callback(event=event, client=client, context=_context(slack), logger=LOGGER)
    slack.idle()
    assert client.method_calls == []


def test_the_feedback_callback_acks_even_for_an_unknown_answer(slack: Harness) -> None:
    ack, respond = Mock(Ack), Mock(Respond)
    feedback_callback(ack=ack, body={"user": {"id": "U1"}, "container": {"is_ephemeral": True}},
                      action={"action_id": "k8sfix_helpful", "value": "missing", "block_id": "k8sfix:missing"},
                      respond=respond, client=Mock(WebClient), context=_context(slack), logger=LOGGER)
    slack.idle()
    ack.assert_called_once_with()
    assert "no longer available" in respond.call_args.kwargs["text"]
