"""Acknowledged questions survive a replica that dies: pending until answered, finished by the next one."""

from __future__ import annotations

import json
from collections.abc import Callable

from slack_harness import Harness, blocks_of, header, mention_event, next_ts

from bot.slack.recovery import recover_once
from bot.store import Store

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _dead_replica(make_harness: Callable[..., Harness], clock: Clock) -> Harness:
    """A replica that acknowledges but whose answer work never runs (as if killed right after the ack)."""
    replica = make_harness(clock=clock, pending_lease=30)
    replica.deps.workers.drain(0)
    return replica


def _thread_posts(slack: Harness, ts: str) -> list[dict[str, object]]:
    return [c.params for c in slack.fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts]


def test_a_resend_of_an_unanswered_event_is_processed_and_a_resend_of_an_answered_one_is_not(
        make_harness: Callable[..., Harness], store: Store) -> None:
    # given: replica A acknowledged a mention and died before answering it
    clock = Clock()
    dead = _dead_replica(make_harness, clock)
    event = mention_event(CONNTRACK)
    assert dead.event(event, event_id="EvLOST1").status == 200
    assert store.delivery_state("event:EvLOST1") == "pending"
    live = make_harness(clock=clock, pending_lease=30)
    # when: Slack resends it while A's lease still runs, then after it ran out, then once more
    assert live.event(event, event_id="EvLOST1", retry=1).status == 200
    live.idle()
    early = list(live.fake.calls_to("chat.postMessage"))
    clock.now += 31
    live.event(event, event_id="EvLOST1", retry=2)
    live.idle()
    live.event(event, event_id="EvLOST1", retry=3)
    live.idle()
    # then: nothing while A might still answer, one answer after, nothing for the resend of the answered one
    assert early == []
    posts = _thread_posts(live, event["ts"])
    assert len(posts) == 1 and header(blocks_of(posts[0])).startswith("kube-proxy")
    assert store.delivery_state("event:EvLOST1") == "done"


def test_a_restart_finishes_a_question_that_was_read_but_not_answered(make_harness: Callable[..., Harness],
                                                                     store: Store) -> None:
    # given: what a replica killed after reading a slash command leaves: a pending delivery with the question
    clock = Clock()
    live = make_harness(clock=clock, pending_lease=30)
    url = live.fake.response_url("lost-command")
    assert store.begin_delivery("command:T-lost", "command", "dead-replica:1:x", 30,
                                {"response_url": url, "user": "U0USER1", "channel": "C0CHAN1"},
                                now=clock.now) == "new"
    store.update_delivery("command:T-lost", {"flow": "command", "response_url": url, "ask": {
        "entry_point": "command", "text": CONNTRACK, "user_id": "U0USER1", "channel_id": "C0CHAN1",
        "message_ts": "", "thread_ts": ""}})
    # when: the sweep runs before and after the dead replica's lease ran out
    assert recover_once(live.deps, live.app.client) == 0
    clock.now += 31
    assert recover_once(live.deps, live.app.client) == 1
    live.idle()
    assert recover_once(live.deps, live.app.client) == 0
    # then: answered once, recorded once, and the stored question is gone
    [answer] = live.responses("lost-command")
    assert header(blocks_of(answer)).startswith("kube-proxy")
    assert store.delivery_state("command:T-lost") == "done"
    assert store.stats().queries == 1


def test_a_question_lost_before_its_worker_read_it_is_answered_from_the_text_kept_at_the_ack(
        make_harness: Callable[..., Harness], store: Store) -> None:
    # given: a mention acknowledged by a replica that died before its worker read it
    clock = Clock()
    dead = _dead_replica(make_harness, clock)
    event = mention_event(CONNTRACK)
    dead.event(event, event_id="EvLOST2")
    live = make_harness(clock=clock, pending_lease=30)
    # when
    clock.now += 31
    assert recover_once(live.deps, live.app.client) == 1
    live.idle()
    # then: one answer in the asker's thread, and the delivery is done
    [post] = _thread_posts(live, event["ts"])
    assert header(blocks_of(post)).startswith("kube-proxy")
    assert store.delivery_state("event:EvLOST2") == "done"


def test_a_lost_question_without_text_gets_an_apology_in_its_thread(make_harness: Callable[..., Harness],
                                                                   store: Store) -> None:
    # given: a direct message holding only a file, acknowledged by a replica that then died
    clock = Clock()
    dead = _dead_replica(make_harness, clock)
    ts = next_ts()
    dm = {"type": "message", "channel": "D0DM1", "channel_type": "im", "user": "U0USER1", "ts": ts, "text": "",
          "subtype": "file_share", "files": [{"id": "F1", "name": "log.txt", "mimetype": "text/plain"}]}
    dead.event(dm, event_id="EvLOST4")
    live = make_harness(clock=clock, pending_lease=30)
    # when
    clock.now += 31
    assert recover_once(live.deps, live.app.client) == 1
    live.idle()
    # then
    [post] = _thread_posts(live, ts)
    assert "restarted" in json.dumps(blocks_of(post))
    assert store.delivery_state("event:EvLOST4") == "done"


def test_two_replicas_sweeping_at_once_finish_a_delivery_once(make_harness: Callable[..., Harness],
                                                             store: Store) -> None:
    clock = Clock()
    dead = _dead_replica(make_harness, clock)
    dead.event(mention_event(CONNTRACK), event_id="EvLOST3")
    one, two = make_harness(clock=clock, pending_lease=30), make_harness(clock=clock, pending_lease=30)
    clock.now += 31
    assert recover_once(one.deps, one.app.client) + recover_once(two.deps, two.app.client) == 1


def test_leases_of_running_work_are_renewed(make_harness: Callable[..., Harness], store: Store) -> None:
    # given: a delivery this replica works on, 25 s into a 30 s lease
    clock = Clock()
    busy = make_harness(clock=clock, pending_lease=30)
    assert busy.deps.deliveries.begin("event:EvSLOW", "event", {}) == "new"
    clock.now += 25
    # when: the sweep renews it, then another replica looks 15 s later
    recover_once(busy.deps, busy.app.client)
    clock.now += 15
    other = make_harness(clock=clock, pending_lease=30)
    # then: the other replica does not take it
    assert recover_once(other.deps, other.app.client) == 0
    assert store.begin_delivery("event:EvSLOW", "event", "other", 30, {}, now=clock.now) == "busy"


def test_a_delivery_that_queues_no_work_is_done_at_once(slack: Harness, store: Store) -> None:
    # given: a message edit (ignored) and a message in a channel without triage
    edit = {"type": "message", "subtype": "message_changed", "channel": "C0CHAN1", "ts": next_ts()}
    slack.event(edit, event_id="EvEDIT")
    slack.idle()
    assert store.delivery_state("event:EvEDIT") == "done"


def test_the_pending_question_is_stored_redacted(make_harness: Callable[..., Harness], store: Store) -> None:
    # given: the answer of a mention is slow to be posted
    slack = make_harness()
    slack.fake.delay("reactions.add", 1.0)
    event = mention_event(CONNTRACK + " password=hunter2 Authorization: Bearer abcdefghijklmnopqrstuvwxyz")
    slack.event(event, event_id="EvSECRET")
    slack.fake.wait_for("reactions.add", timeout=5)
    # when: the delivery is pending with its question
    with store.engine.connect() as conn:
        from sqlalchemy import text

        payload = conn.execute(text("SELECT payload FROM k8sfix_deliveries WHERE key = 'event:EvSECRET'")).scalar()
    slack.idle()
    # then
    assert payload is not None and "conntrack" in payload
    assert "hunter2" not in payload and "abcdefghijklmnop" not in payload
    with store.engine.connect() as conn:
        done = conn.execute(text("SELECT payload, state FROM k8sfix_deliveries WHERE key = 'event:EvSECRET'")).one()
    assert tuple(done) == ("{}", "done")
