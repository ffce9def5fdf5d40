from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.store import NewQuery, Store, normalise, open_store, text_key


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """The store on SQLite and on PostgreSQL."""
    opened = open_store(db_url)
    yield opened
    opened.close()


def test_a_claim_is_won_once_even_under_contention(store: Store) -> None:
    # given
    results: list[bool] = []
    lock = threading.Lock()

    def claim() -> None:
        won = store.claim("event:Ev123")
        with lock:
            results.append(won)

    threads = [threading.Thread(target=claim) for _ in range(20)]
    # when
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert results.count(True) == 1 and results.count(False) == 19


def test_claims_are_shared_by_two_stores_on_one_database(store: Store, tmp_path: Path) -> None:
    other = open_store(str(store.engine.url))
    try:
        assert store.claim("event:EvShared")
        assert not other.claim("event:EvShared")
    finally:
        other.close()


def test_old_claims_are_pruned(store: Store) -> None:
    store.claim("event:old", now=1000.0)
    assert store.prune(now=1000.0 + store.claim_ttl + 1) == 1
    assert store.claim("event:old", now=1000.0 + store.claim_ttl + 2)


def test_triage_setting_defaults_to_unset_and_can_be_switched(store: Store) -> None:
    assert store.triage_setting("C1") is None
    store.set_triage("C1", True, "U1")
    assert store.triage_setting("C1") is True
    store.set_triage("C1", False, "U2")
    assert store.triage_setting("C1") is False


def test_recorded_questions_are_redacted(store: Store) -> None:
    # given
    text = ("kubectl failed: Authorization: Bearer abcdefghijklmnop.qrstuv\n"
            "password=hunter2 token: xoxb-1234567890-abcdefghij\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"
            "-----END RSA PRIVATE KEY-----")
    # when
    qid = store.record_query(NewQuery(entry_point="command", text=text, lang="en", abstained=True,
                                      result={"candidates": [{"id": "x", "evidence": ["password=hunter2"]}]}))
    stored = store.get_query(qid)
    # then
    assert stored is not None
    for secret in ("abcdefghijklmnop", "hunter2", "xoxb-1234567890", "MIIE"):
        assert secret not in stored.text
        assert secret not in str(stored.result)
    assert "[REDACTED]" in stored.text


def test_feedback_replaces_a_users_earlier_vote_and_feeds_the_stats(store: Store) -> None:
    # given
    qid = store.record_query(NewQuery(entry_point="command", text="conntrack", lang="en",
                                      entry_id="kube-proxy-conntrack-missing", confidence="high", score=0.9))
    other = store.record_query(NewQuery(entry_point="mention", text="conntrack again", lang="en",
                                        entry_id="kube-proxy-conntrack-missing", confidence="high", score=0.9))
    # when
    assert store.record_feedback(qid, "U1", False)
    assert store.record_feedback(qid, "U1", True)
    assert store.record_feedback(qid, "U2", True)
    assert store.record_feedback(other, "U3", False)
    assert not store.record_feedback("no-such-answer", "U1", True)
    stats = store.stats()
    # then
    [topic] = stats.topics
    assert (topic.entry_id, topic.answers, topic.votes, topic.helpful) == ("kube-proxy-conntrack-missing", 2, 3, 2)
    assert topic.helpful_rate == pytest.approx(2 / 3)


def test_unmatched_questions_are_grouped_and_triage_chatter_is_left_out(store: Store) -> None:
    # given
    for pod in ("web-7d9f8b6c4-x2k9p", "web-5c6d7e8f9-bcdfg", "web-6f7a8b9c0-zzzzz"):
        store.record_query(NewQuery(entry_point="command", text=f"pod {pod} stuck Terminating 12m", lang="en",
                                    abstained=True))
    store.record_query(NewQuery(entry_point="mention", text="helm release failed", lang="en", abstained=True))
    store.record_query(NewQuery(entry_point="triage", text="ok, looking into it", lang="en", abstained=True,
                                answered=False))
    # when
    stats = store.stats(limit=5)
    with_triage = store.stats(limit=5, include_triage=True)
    # then
    assert [(u.count, u.text.split()[0]) for u in stats.unmatched] == [(3, "pod"), (1, "helm")]
    assert stats.queries == 5 and stats.abstentions == 5
    assert len(with_triage.unmatched) == 3


def test_topic_window(store: Store) -> None:
    # given: the topic is first seen at t=100 with a 60 s window
    first = store.claim_topic("C1", "topic-a", "100.0001", 60, now=100)
    # when
    repeat = store.claim_topic("C1", "topic-a", "130.0001", 60, now=130)
    other_channel = store.claim_topic("C2", "topic-a", "131.0001", 60, now=131)
    store.set_topic_permalink("C1", "topic-a", "100.0001", "https://x/archives/C1/p1000001")
    later_repeat = store.claim_topic("C1", "topic-a", "150.0001", 60, now=150)
    after_window = store.claim_topic("C1", "topic-a", "170.0001", 60, now=170)
    # then
    assert first.first and other_channel.first and after_window.first
    assert not repeat.first and repeat.thread_ts == "100.0001"
    assert later_repeat.permalink == "https://x/archives/C1/p1000001"
    assert after_window.thread_ts == "170.0001"


def test_text_key_ignores_what_changes_between_two_reports() -> None:
    assert normalise("Pod web-7d9f8b6c4-x2k9p  failed at 10.0.0.12:8080") == "pod web-<hash> failed at <ip>"
    assert text_key("kube-proxy failed 3 times") == text_key("Kube-Proxy  failed 12 times")
    assert text_key("kube-proxy failed") != text_key("kube-dns failed")


def test_the_sqlite_folder_is_created(tmp_path: Path) -> None:
    opened = open_store(f"sqlite:///{tmp_path / 'deep' / 'er' / 'k8sfix.db'}")
    try:
        assert opened.ping()
    finally:
        opened.close()


def test_an_unknown_driver_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="K8SFIX_DB_URL"):
        open_store("nosuchdb://user:pw@host/db")


def test_a_delivery_is_begun_once_under_contention_and_a_done_one_stays_done(store: Store) -> None:
    # given
    outcomes: list[str] = []
    lock = threading.Lock()

    def begin(n: int) -> None:
        outcome = store.begin_delivery("event:EvRace", "event", f"replica-{n}", 30, {"n": n}, now=1000.0)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=begin, args=(n,)) for n in range(20)]
    # when
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then: one replica got it; the others see it busy, and once done it is a duplicate even after the lease
    assert outcomes.count("new") == 1 and outcomes.count("busy") == 19
    store.finish_delivery("event:EvRace")
    assert store.begin_delivery("event:EvRace", "event", "late", 30, {}, now=5000.0) == "duplicate"


def test_expired_deliveries_are_taken_over_once_by_competing_stores(store: Store) -> None:
    # given: ten deliveries of a replica that died, and two replicas sweeping at once
    for n in range(10):
        store.begin_delivery(f"event:EvDead{n}", "event", "dead", 30, {"n": n}, now=1000.0)
    store.update_delivery("event:EvDead0", {"ask": {"text": "conntrack"}})
    other = open_store(str(store.engine.url))
    taken: list[str] = []
    lock = threading.Lock()

    def sweep(s: Store, owner: str) -> None:
        found = s.take_expired(owner, 30, now=1100.0, limit=50)
        with lock:
            taken.extend(p.key for p in found)

    try:
        threads = [threading.Thread(target=sweep, args=(s, f"r{i}")) for i, s in enumerate((store, other) * 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        other.close()
    # then: each taken exactly once, with its payload
    assert sorted(taken) == sorted(f"event:EvDead{n}" for n in range(10))
    assert store.take_expired("r9", 30, now=1100.0) == []
    [again] = store.take_expired("r9", 30, now=1200.0, limit=1)
    assert again.attempts == 3 and again.payload["n"] == 0 and again.payload["ask"] == {"text": "conntrack"}


def test_a_claim_held_by_a_delivery_is_won_again_by_it_only(store: Store) -> None:
    assert store.claim("msg:C1:1.1", holder="event:Ev1")
    assert store.claim("msg:C1:1.1", holder="event:Ev1")
    assert not store.claim("msg:C1:1.1", holder="event:Ev2")
    assert not store.claim("msg:C1:1.1")


def test_recording_a_delivery_again_replaces_its_row(store: Store) -> None:
    first = store.record_query(NewQuery(entry_point="command", text="conntrack", lang="en", delivery="command:T1"))
    again = store.record_query(NewQuery(entry_point="command", text="conntrack", lang="en", delivery="command:T1",
                                        entry_id="kube-proxy-conntrack-missing"))
    assert first == again and store.stats().queries == 1
    assert store.get_query(first).entry_id == "kube-proxy-conntrack-missing"  # type: ignore[union-attr]
