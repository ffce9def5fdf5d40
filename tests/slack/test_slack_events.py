"""Mentions, DMs and channel triage: signed Events API deliveries, replies read from the fake Slack."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from slack_fakes import BOT_ID, BOT_USER_ID, TEAM_URL, FakeSlack
from slack_harness import Harness, all_text, blocks_of, header, mention_event, message_event, next_ts

from bot.store import Store

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')
FORBIDDEN = ('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" '
             'cannot list resource "pods" in API group "" in the namespace "prod"')
CONNTRACK_TITLE = "kube-proxy cannot find the conntrack binary"


def _posts(fake: FakeSlack) -> list[dict]:
    return [c.params for c in fake.calls_to("chat.postMessage")]


def _reactions(fake: FakeSlack, method: str = "reactions.add") -> list[str]:
    return [c.params["name"] for c in fake.calls_to(method)]


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


# -- mentions and DMs ---------------------------------------------------------------------------------


def test_a_mention_is_answered_in_its_thread_with_progress_reactions(slack: Harness) -> None:
    # given
    event = mention_event(CONNTRACK)
    # when
    response = slack.event(event)
    # then
    assert response.status == 200
    [post] = slack.fake.wait_for("chat.postMessage")
    slack.idle()
    assert post.params["thread_ts"] == event["ts"] and post.params["channel"] == "C0CHAN1"
    assert header(blocks_of(post.params)) == CONNTRACK_TITLE
    assert _reactions(slack.fake) == ["eyes", "white_check_mark"]
    assert _reactions(slack.fake, "reactions.remove") == ["eyes"]
    assert slack.fake.calls_to("reactions.add")[0].params["timestamp"] == event["ts"]


def test_a_mention_inside_a_thread_answers_in_that_thread(slack: Harness) -> None:
    event = mention_event(CONNTRACK, thread_ts="1700000000.000100")
    slack.event(event)
    assert slack.fake.wait_for("chat.postMessage")[0].params["thread_ts"] == "1700000000.000100"


def test_a_bare_mention_in_a_thread_diagnoses_the_threads_first_message(slack: Harness) -> None:
    # given: an alert that started the thread, and "@k8sfix" alone as a reply
    slack.fake.threads[("C0CHAN1", "1700000000.000100")] = [
        {"type": "message", "ts": "1700000000.000100", "bot_id": "BALERT", "text": "",
         "attachments": [{"title": "[FIRING:1] KubeProxyDown", "text": CONNTRACK}]}]
    # when
    slack.event({"type": "app_mention", "channel": "C0CHAN1", "user": "U0USER1", "text": f"<@{BOT_USER_ID}>",
                 "ts": next_ts(), "thread_ts": "1700000000.000100"})
    # then
    [post] = slack.fake.wait_for("chat.postMessage")
    assert header(blocks_of(post.params)) == CONNTRACK_TITLE
    assert slack.fake.calls_to("conversations.replies")[0].params["ts"] == "1700000000.000100"


def test_a_bare_mention_outside_a_thread_shows_usage(slack: Harness) -> None:
    slack.event({"type": "app_mention", "channel": "C0CHAN1", "user": "U0USER1", "text": f"<@{BOT_USER_ID}>",
                 "ts": next_ts()})
    assert header(blocks_of(slack.fake.wait_for("chat.postMessage")[0].params)).startswith("k8sfix")


def test_a_direct_message_is_answered_in_its_thread(slack: Harness) -> None:
    event = message_event(CONNTRACK, channel="D0DM0001", channel_type="im")
    slack.event(event)
    [post] = slack.fake.wait_for("chat.postMessage")
    assert (post.params["channel"], post.params["thread_ts"]) == ("D0DM0001", event["ts"])


def test_the_bots_own_messages_are_never_answered(slack: Harness) -> None:
    slack.event(message_event(CONNTRACK, channel="D0DM0001", channel_type="im", user=BOT_USER_ID))
    slack.event(message_event(CONNTRACK, channel="D0DM0001", channel_type="im", user=None, bot_id=BOT_ID,
                              subtype="bot_message"))
    slack.idle()
    assert not slack.fake.calls_to("chat.postMessage")


# -- one answer per question ----------------------------------------------------------------------------


def test_slack_retries_of_one_event_get_one_answer(slack: Harness) -> None:
    # given
    event = mention_event(CONNTRACK)
    # when: the first delivery, then Slack's two retries of the same event_id
    assert slack.event(event, event_id="EvRETRY1").status == 200
    assert slack.event(event, event_id="EvRETRY1", retry=1).status == 200
    assert slack.event(event, event_id="EvRETRY1", retry=2).status == 200
    slack.idle()
    # then
    assert len(slack.fake.wait_for("chat.postMessage")) == 1
    assert slack.deps.metrics.value("k8sfix_duplicates_total", {"reason": "retry"}) == 2


def test_a_duplicated_event_id_gets_one_answer(slack: Harness) -> None:
    event = message_event(CONNTRACK, channel="D0DM0001", channel_type="im")
    slack.event(event, event_id="EvDUP1")
    slack.event(event, event_id="EvDUP1")
    slack.idle()
    assert len(_posts(slack.fake)) == 1
    assert slack.deps.metrics.value("k8sfix_duplicates_total", {"reason": "event_id"}) == 1


def test_the_message_and_app_mention_pair_of_one_mention_gets_one_answer(
        make_harness: Callable[..., Harness]) -> None:
    # given: a triaged channel, so the message event alone would be answered too
    slack = make_harness(triage_channels=frozenset({"C0CHAN1"}))
    ts = next_ts()
    text = f"<@{BOT_USER_ID}> {CONNTRACK}"
    # when
    slack.event(message_event(text, ts=ts))
    slack.event({"type": "app_mention", "channel": "C0CHAN1", "user": "U0USER1", "text": text, "ts": ts})
    slack.idle()
    # then
    assert len(slack.fake.wait_for("chat.postMessage")) == 1


def test_two_replicas_sharing_the_store_answer_once(make_harness: Callable[..., Harness]) -> None:
    # given: two app instances (two replicas) on the same database
    first, second = make_harness(), make_harness()
    event = mention_event(CONNTRACK)
    # when: Slack delivers the same event to each (a redelivery after a timeout)
    first.event(event, event_id="EvREPLICA")
    second.event(event, event_id="EvREPLICA", retry=1)
    # and: the same mention arrives with a second event id
    second.event(event, event_id="EvREPLICA-2")
    first.idle()
    second.idle()
    # then
    assert len(_posts(first.fake)) == 1


# -- triage --------------------------------------------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def triage(make_harness: Callable[..., Harness], clock: Clock) -> Harness:
    return make_harness(triage_channels=frozenset({"C0ONCALL"}), triage_window=600, clock=clock)


def test_triage_answers_a_confident_match_in_the_thread(triage: Harness, store: Store) -> None:
    # given
    event = message_event(CONNTRACK, channel="C0ONCALL")
    # when
    triage.event(event)
    triage.idle()
    # then
    [post] = triage.fake.wait_for("chat.postMessage")
    assert (post.params["channel"], post.params["thread_ts"]) == ("C0ONCALL", event["ts"])
    assert header(blocks_of(post.params)) == CONNTRACK_TITLE
    assert "k8sfix_post" not in all_text(blocks_of(post.params))
    assert _reactions(triage.fake) == ["eyes", "white_check_mark"]
    stats = store.stats()
    assert stats.topics[0].entry_id == "kube-proxy-conntrack-missing"


@pytest.mark.parametrize("text", ["lorem ipsum dolor sit amet", "ImagePullBackOff", "ok", "12345 67890"])
def test_triage_stays_silent_without_a_confident_match(triage: Harness, text: str) -> None:
    triage.event(message_event(text, channel="C0ONCALL"))
    triage.idle()
    assert not triage.fake.calls_to("chat.postMessage") and not triage.fake.calls_to("reactions.add")


def test_a_repeat_within_the_window_points_to_the_first_thread(triage: Harness, clock: Clock) -> None:
    # given
    first = message_event(CONNTRACK, channel="C0ONCALL")
    triage.event(first)
    triage.idle()
    # when: the same topic 5 minutes later, another topic, then the first after the window
    clock.now += 300
    triage.event(message_event("kube-proxy again: " + CONNTRACK, channel="C0ONCALL"))
    triage.idle()
    triage.event(message_event(FORBIDDEN, channel="C0ONCALL"))
    triage.idle()
    clock.now += 601
    triage.event(message_event(CONNTRACK, channel="C0ONCALL"))
    triage.idle()
    # then
    posts = _posts(triage.fake)
    assert len(posts) == 4
    repeat = all_text(blocks_of(posts[1]))
    link = f"{TEAM_URL}archives/C0ONCALL/p{first['ts'].replace('.', '')}"
    assert f"<{link}|the earlier thread>" in repeat and len(blocks_of(posts[1])) == 1
    assert header(blocks_of(posts[2])) != CONNTRACK_TITLE
    assert header(blocks_of(posts[3])) == CONNTRACK_TITLE
    assert triage.deps.metrics.value("k8sfix_triage_repeats_total") == 1


def test_repeats_can_be_marked_with_a_reaction(make_harness: Callable[..., Harness], clock: Clock) -> None:
    slack = make_harness(triage_channels=frozenset({"C0ONCALL"}), triage_repeat="reaction", clock=clock)
    slack.event(message_event(CONNTRACK, channel="C0ONCALL"))
    slack.idle()
    second = message_event(CONNTRACK, channel="C0ONCALL")
    slack.event(second)
    slack.idle()
    assert len(_posts(slack.fake)) == 1
    assert slack.fake.calls_to("reactions.add")[-1].params == {**slack.fake.calls_to("reactions.add")[-1].params,
                                                                "name": "repeat", "timestamp": second["ts"]}


def test_triage_ignores_edits_thread_replies_and_other_channels(triage: Harness) -> None:
    triage.event(message_event(CONNTRACK, channel="C0ONCALL", thread_ts="1700000000.000001"))
    triage.event({"type": "message", "subtype": "message_changed", "channel": "C0ONCALL", "ts": next_ts(),
                  "message": {"text": CONNTRACK, "ts": "1700000000.000002"}, "channel_type": "channel"})
    triage.event(message_event(CONNTRACK, channel="C0ONCALL", subtype="thread_broadcast",
                               thread_ts="1700000000.000003"))
    triage.event(message_event(CONNTRACK, channel="C0QUIET"))
    triage.idle()
    assert not triage.fake.calls_to("chat.postMessage")


def test_triage_answers_other_bots_such_as_alertmanager(triage: Harness) -> None:
    alert = message_event("", channel="C0ONCALL", user=None, subtype="bot_message", bot_id="BALERTMGR",
                          attachments=[{"title": "[FIRING:1] KubeProxyDown prod", "text": CONNTRACK,
                                        "fallback": "[FIRING:1] KubeProxyDown"}])
    triage.event(alert)
    assert header(blocks_of(triage.fake.wait_for("chat.postMessage")[0].params)) == CONNTRACK_TITLE


def test_triage_reads_text_snippets_attached_to_a_message(triage: Harness) -> None:
    # given
    triage.fake.files["F0SNIP"] = ("I1121 starting kube-proxy\n" * 50 + CONNTRACK + "\n").encode()
    event = message_event("kube-proxy log attached", channel="C0ONCALL", subtype="file_share", files=[
        {"id": "F0SNIP", "mode": "snippet", "filetype": "text", "mimetype": "text/plain", "size": 2000,
         "url_private": triage.fake.file_url("F0SNIP")},
        {"id": "F0IMG", "filetype": "png", "mimetype": "image/png", "size": 20,
         "url_private": triage.fake.file_url("F0IMG")}])
    # when
    triage.event(event)
    # then
    assert header(blocks_of(triage.fake.wait_for("chat.postMessage")[0].params)) == CONNTRACK_TITLE
    [download] = triage.fake.calls_to("file_download")
    assert download.params["name"] == "F0SNIP"


def test_triage_reads_a_utf16_log_as_windows_powershell_writes_it(triage: Harness) -> None:
    # given: `kubectl logs ... > kube-proxy.log` in Windows PowerShell 5 writes UTF-16 with a byte-order mark
    triage.fake.files["F0UTF16"] = ("I1121 starting kube-proxy\r\n" * 20 + CONNTRACK + "\r\n").encode("utf-16")
    event = message_event("kube-proxy log from the Windows jump host", channel="C0ONCALL", subtype="file_share",
                          files=[{"id": "F0UTF16", "filetype": "text", "mimetype": "text/plain", "size": 3000,
                                  "url_private": triage.fake.file_url("F0UTF16")}])
    # when
    triage.event(event)
    # then
    assert header(blocks_of(triage.fake.wait_for("chat.postMessage")[0].params)) == CONNTRACK_TITLE


def test_triage_skips_binary_and_oversized_files(triage: Harness) -> None:
    triage.fake.files["F0BIN"] = bytes(range(256)) * 40
    triage.event(message_event("see file", channel="C0ONCALL", subtype="file_share", files=[
        {"id": "F0BIN", "filetype": "text", "mimetype": "text/plain", "size": 10240,
         "url_private": triage.fake.file_url("F0BIN")},
        {"id": "F0BIG", "filetype": "text", "mimetype": "text/plain", "size": 50_000_000,
         "url_private": triage.fake.file_url("F0BIG")}]))
    triage.idle()
    assert not triage.fake.calls_to("chat.postMessage")
    assert [c.params["name"] for c in triage.fake.calls_to("file_download")] == ["F0BIN"]


def test_triage_answers_a_one_megabyte_paste(triage: Harness) -> None:
    paste = "I1121 12:00:00.000 chatty controller line about pod web-1 in namespace prod\n" * 13_500 + CONNTRACK
    assert len(paste) > 1_000_000
    started = time.perf_counter()
    triage.event(message_event(paste, channel="C0ONCALL"))
    [post] = triage.fake.wait_for("chat.postMessage")
    assert time.perf_counter() - started < 3
    assert header(blocks_of(post.params)) == CONNTRACK_TITLE


def test_triage_can_be_switched_on_and_off_from_the_channel(triage: Harness) -> None:
    # given: a channel not in K8SFIX_TRIAGE_CHANNELS
    triage.command("triage on", channel="C0OTHER1", response="on")
    assert "Triage is on in <#C0OTHER1>" in triage.fake.wait_for("response_url")[0].params["text"]
    # when
    triage.event(message_event(CONNTRACK, channel="C0OTHER1"))
    triage.idle()
    triage.command("triage off", channel="C0ONCALL", response="off")
    triage.fake.wait_for("response_url", 2)
    triage.event(message_event(CONNTRACK, channel="C0ONCALL"))
    triage.idle()
    # then
    assert [p["channel"] for p in _posts(triage.fake)] == ["C0OTHER1"]


def test_triage_status_usage_and_direct_messages(triage: Harness) -> None:
    triage.command("triage status", channel="C0ONCALL", response="a")
    triage.command("triage maybe", channel="C0ONCALL", response="b")
    triage.command("triage on", channel="D0DM0001", response="c")
    texts = {c.params["_name"]: c.params["text"] for c in triage.fake.wait_for("response_url", 3)}
    assert texts["a"] == "Triage is on in <#C0ONCALL>."
    assert texts["b"].startswith("Usage: `/k8sfix triage on`")
    assert texts["c"] == "Triage works in channels, not in direct messages."


def test_switching_triage_on_in_a_private_channel_without_the_bot_asks_for_an_invite(triage: Harness) -> None:
    triage.fake.channels["G0PRIV01"] = {"is_member": False, "is_private": True}
    triage.command("triage on", channel="G0PRIV01")
    assert "invite me" in triage.fake.wait_for("response_url")[0].params["text"]


def test_switching_triage_on_in_a_public_channel_joins_it(triage: Harness) -> None:
    triage.fake.channels["C0PUBLIC"] = {"is_member": False}
    triage.command("triage on", channel="C0PUBLIC")
    triage.fake.wait_for("response_url")
    assert triage.fake.calls_to("conversations.join")[0].params["channel"] == "C0PUBLIC"


def test_a_failing_triage_is_logged_and_marked_not_silent(triage: Harness, store: Store,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    from sqlalchemy import text

    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE k8sfix_feedback"))
        conn.execute(text("DROP TABLE k8sfix_queries"))
    triage.event(message_event(CONNTRACK, channel="C0ONCALL"))
    triage.idle()
    assert _reactions(triage.fake) == ["warning"]
    assert any(r.getMessage() == "handler failed" and r.exc_info for r in caplog.records)


def test_a_failing_mention_apologises_in_the_thread(slack: Harness, store: Store) -> None:
    from sqlalchemy import text

    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE k8sfix_feedback"))
        conn.execute(text("DROP TABLE k8sfix_queries"))
    event = mention_event(CONNTRACK)
    slack.event(event)
    [post] = slack.fake.wait_for("chat.postMessage")
    assert "Sorry, something went wrong" in post.params["text"] and post.params["thread_ts"] == event["ts"]


def test_url_verification_is_answered(slack: Harness) -> None:
    import json

    response = slack.dispatch(json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}),
                              "application/json")
    assert response.status == 200 and "abc123" in response.body
