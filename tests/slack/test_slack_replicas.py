"""Two ``k8sfix serve --http`` replicas on one PostgreSQL: nothing answered twice, nothing lost."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pg_cluster import PostgresCluster
from serve_process import ServeProcess
from slack_fakes import FakeSlack
from slack_harness import blocks_of, command_body, event_body, header, mention_event, message_event
from sqlalchemy import create_engine, text

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def replicas(fake: FakeSlack, pg_cluster: PostgresCluster, tmp_path: Path) -> Iterator[tuple[ServeProcess, ...]]:
    url = pg_cluster.create_database("replicas")
    started = [ServeProcess(fake, url, tmp_path / f"replica{n}.log", extra_env={"K8SFIX_WORKERS": "4"})
               for n in range(2)]
    try:
        for replica in started:
            replica.wait_http()
        yield tuple(started)
        for replica in started:
            assert replica.terminate() == 0, replica.output()[-2000:]
    finally:
        for replica in started:
            replica.stop()


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _settle(fake: FakeSlack, method: str, count: int, timeout: float = 60.0) -> None:
    fake.wait_for(method, count, timeout=timeout)
    time.sleep(1.0)  # a second answer would show up by now


def test_the_same_event_sent_to_both_replicas_and_retried_is_answered_once(
        replicas: tuple[ServeProcess, ServeProcess], fake: FakeSlack) -> None:
    # given: one mention, delivered to both replicas at once, then retried to each
    one, two = replicas
    event = mention_event(CONNTRACK)
    body = event_body(event, event_id="EvREPLICA1")
    # when
    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda r: r.post(body, "application/json"), replicas))
    statuses += [one.post(body, "application/json", retry=1), two.post(body, "application/json", retry=2)]
    _settle(fake, "chat.postMessage", 1)
    # then
    assert statuses == [200, 200, 200, 200]
    posts = [c for c in fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == event["ts"]]
    assert len(posts) == 1 and header(blocks_of(posts[0].params)).startswith("kube-proxy")


def test_triage_dedup_holds_across_replicas(replicas: tuple[ServeProcess, ServeProcess], fake: FakeSlack) -> None:
    # given: triage switched on in a channel through one replica
    one, two = replicas
    switch = command_body("triage on", channel="C0TRIAGE", response_url=fake.response_url("switch"))
    assert one.post(switch, FORM) == 200
    fake.wait_for("response_url")
    # when: the same alert is posted twice, each copy reaching the other replica, plus the first copy twice
    first, second = message_event(CONNTRACK, channel="C0TRIAGE"), message_event(CONNTRACK, channel="C0TRIAGE")
    first_body = event_body(first, event_id="EvTRIAGE1")
    assert two.post(first_body, "application/json") == 200
    assert one.post(first_body, "application/json") == 200
    fake.wait_for("chat.postMessage", 1, timeout=60)
    assert one.post(event_body(second, event_id="EvTRIAGE2"), "application/json") == 200
    _settle(fake, "chat.postMessage", 2)
    # then: one full answer in the first thread, one pointer to it in the second
    posts = fake.calls_to("chat.postMessage")
    by_thread = {c.params.get("thread_ts"): c.params for c in posts}
    assert len(posts) == 2 and set(by_thread) == {first["ts"], second["ts"]}
    assert header(blocks_of(by_thread[first["ts"]])).startswith("kube-proxy")
    pointer = json.dumps(blocks_of(by_thread[second["ts"]]))
    assert first["ts"].replace(".", "") in pointer


def test_200_concurrent_requests_over_two_replicas_lose_nothing(
        replicas: tuple[ServeProcess, ServeProcess], fake: FakeSlack, pg_cluster: PostgresCluster) -> None:
    # given: 200 signed slash commands, each with its own response_url, split over the replicas
    bodies = [command_body(f"{CONNTRACK} on node-{n}", user=f"U{n:04d}", response_url=fake.response_url(f"q{n}"))
              for n in range(200)]
    # when: all sent at once
    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(lambda n: replicas[n % 2].post(bodies[n], FORM, timeout=30), range(200)))
    _settle(fake, "response_url", 200, timeout=120)
    # then: every one acknowledged, answered once, recorded once
    assert statuses == [200] * 200
    answered = [c.params["_name"] for c in fake.calls_to("response_url")]
    assert sorted(answered) == sorted(f"q{n}" for n in range(200))
    url = replicas[0].db_url
    assert _rows(url, "SELECT count(*), count(DISTINCT user_id) FROM k8sfix_queries") == [(200, 200)]
    assert _rows(url, "SELECT count(*) FROM k8sfix_deliveries WHERE state = 'pending'") == [(0,)]

