"""SIGKILL in the middle of a burst: after a restart the store is intact and every question is answered once."""

from __future__ import annotations

import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from serve_process import ServeProcess
from slack_fakes import FakeSlack
from slack_harness import blocks_of, event_body, header, mention_event

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')
BURST = 30
FIRST_WAVE = 20


def _posts_by_thread(fake: FakeSlack) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for call in fake.calls_to("chat.postMessage"):
        found.setdefault(str(call.params.get("thread_ts")), []).append(call.params)
    return found


def test_sigkill_mid_burst_then_restart_answers_every_question_once(fake: FakeSlack, tmp_path: Path) -> None:
    # given: a served bot whose answers are all in flight (held at their "eyes" reaction) when it is killed
    db = tmp_path / "k8sfix.db"
    env = {"K8SFIX_PENDING_LEASE": "2", "K8SFIX_WORKERS": "4"}
    first = ServeProcess(fake, f"sqlite:///{db}", tmp_path / "first.log", extra_env=env)
    second: ServeProcess | None = None
    try:
        first.wait_http()
        fake.hold("reactions.add")
        events = [mention_event(f"{CONNTRACK} (node {n})", channel=f"C0CRASH{n:02d}") for n in range(BURST)]
        bodies = [event_body(e, event_id=f"EvCRASH{n:03d}") for n, e in enumerate(events)]
        acked: dict[int, int] = {}
        with ThreadPoolExecutor(8) as pool:
            for n, status in zip(range(FIRST_WAVE), pool.map(lambda b: first.post(b, "application/json"),
                                                              bodies[:FIRST_WAVE]), strict=True):
                acked[n] = status
            fake.wait_arrived("reactions.add", 4, timeout=30)
            # when: the rest of the burst is on its way as the process is killed
            late = {n: pool.submit(first.post, bodies[n], "application/json", 0, 5.0)
                    for n in range(FIRST_WAVE, BURST)}
            first.kill()
            for n, future in late.items():
                acked[n] = future.result()
        fake.release("reactions.add")
        assert all(acked[n] == 200 for n in range(FIRST_WAVE))
        assert not _posts_by_thread(fake), "nothing may be answered before the kill in this scenario"
        # when: the bot restarts on the same store, and Slack resends what was not acknowledged
        # (and, as it may, a few that were)
        second = ServeProcess(fake, f"sqlite:///{db}", tmp_path / "second.log", extra_env=env)
        second.wait_http()
        unacked = [n for n in range(BURST) if acked[n] != 200]
        for n in [*unacked, 0, 5, FIRST_WAVE - 1]:
            assert second.post(bodies[n], "application/json", retry=1) == 200
        threads = {e["ts"] for e in events}
        deadline = threading.Event()
        for _ in range(600):
            if threads <= set(_posts_by_thread(fake)):
                break
            deadline.wait(0.1)
        deadline.wait(1.5)  # time for a second answer to show up if there were one
        # then: one answer per question, all real answers, nothing pending, each question recorded once
        posts = _posts_by_thread(fake)
        missing = sorted(threads - set(posts))
        assert not missing, f"unanswered after restart: {missing}; log: {second.output()[-3000:]}"
        doubled = {ts: len(p) for ts, p in posts.items() if len(p) != 1}
        assert not doubled, f"answered more than once: {doubled}"
        assert all(header(blocks_of(p[0])).startswith("kube-proxy") for p in posts.values())
        assert second.terminate() == 0
        second = None
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT count(*) FROM k8sfix_deliveries WHERE state = 'pending'").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM k8sfix_queries").fetchone() == (BURST,)
        taken = [json.loads(line) for line in (tmp_path / "second.log").read_text().splitlines()
                 if line.startswith("{") and "finishing a pending delivery" in line]
        assert len(taken) >= FIRST_WAVE - 4
    finally:
        fake.release("reactions.add")
        first.stop()
        if second is not None:
            second.stop()
