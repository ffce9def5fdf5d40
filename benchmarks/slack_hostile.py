"""Acknowledgement latency of ordinary requests while hostile pastes are being handled (HTTP mode).

``k8sfix serve --http PORT`` runs in its own process with the real KB, as in
``slack_load.py``. Each round sends hostile messages at once, each 40,000 characters
(Slack's cap on a message): half-open Slack markup (``<http:``, ``<@U1|``), runs of
``a.`` and of ``:`` (the shapes that made cleaning and redaction quadratic), as a
mention and as a slash command; right behind them, 20 ordinary slash commands. For
each ordinary command it measures the time to its HTTP acknowledgement (Slack allows
3 s) and to its answer; for the hostile ones, time to acknowledgement.

Run::

    .venv/bin/python benchmarks/slack_hostile.py              # 5 rounds
    .venv/bin/python benchmarks/slack_hostile.py --rounds 9 --json
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "slack"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from slack_fakes import FakeSlack  # noqa: E402
from slack_harness import command_body, event_body, mention_event, signed_headers  # noqa: E402
from slack_load import percentile, start_server  # noqa: E402

LIMIT = 40_000
HOSTILE = (
    ("<http:" * (LIMIT // 6))[:LIMIT],
    ("<@U1|" * (LIMIT // 5))[:LIMIT],
    ("a." * (LIMIT // 2))[:LIMIT],
    (":" * LIMIT),
)
ORDINARY = 'E1121 proxier.go:123] error looking for path of conntrack: exec: "conntrack": executable file not found'
FORM = "application/x-www-form-urlencoded"


def post(port: int, body: str, content_type: str) -> float:
    """POST a signed body; seconds to the HTTP answer."""
    headers = {k: v[0] for k, v in signed_headers(body, content_type).items()}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return time.perf_counter() - started


def run_round(port: int, fake: FakeSlack, n: int, ordinary: int) -> dict[str, list[float]]:
    hostile_acks: list[float] = []
    acks: list[float] = []
    sent: dict[str, float] = {}
    lock = threading.Lock()

    def hostile(i: int, text: str) -> None:
        body = (event_body(mention_event(text)) if i % 2 == 0 else
                command_body(text, response_url=fake.response_url(f"h{n}-{i}")))
        elapsed = post(port, body, "application/json" if i % 2 == 0 else FORM)
        with lock:
            hostile_acks.append(elapsed)

    def normal(i: int) -> None:
        name = f"o{n}-{i}"
        body = command_body(ORDINARY, user=f"U0ORD{i:03d}", response_url=fake.response_url(name))
        with lock:
            sent[name] = time.monotonic()
        elapsed = post(port, body, FORM)
        with lock:
            acks.append(elapsed)

    threads = [threading.Thread(target=hostile, args=(i, t)) for i, t in enumerate(HOSTILE * 2)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    others = [threading.Thread(target=normal, args=(i,)) for i in range(ordinary)]
    for t in others:
        t.start()
    for t in [*threads, *others]:
        t.join()
    deadline = time.monotonic() + 60
    answers: list[float] = []
    while time.monotonic() < deadline:
        answered = [c for c in fake.calls_to("response_url") if c.params["_name"].startswith(f"o{n}-")]
        if len(answered) >= ordinary:
            answers = [c.at - sent[c.params["_name"]] for c in answered]
            break
        time.sleep(0.02)
    return {"hostile_ack": hostile_acks, "ack": acks, "answer": answers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ordinary", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    per_round: list[dict[str, float]] = []
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        process, port = start_server(fake, tmp, 8)
        try:
            post(port, command_body(ORDINARY, response_url=fake.response_url("warm")), FORM)
            for n in range(args.rounds):
                got = run_round(port, fake, n, args.ordinary)
                per_round.append({
                    "ordinary_ack_p99_ms": percentile(got["ack"], 99) * 1000,
                    "ordinary_ack_max_ms": max(got["ack"]) * 1000,
                    "ordinary_answer_p99_ms": percentile(got["answer"], 99) * 1000 if got["answer"] else float("nan"),
                    "ordinary_answered": float(len(got["answer"])),
                    "hostile_ack_max_ms": max(got["hostile_ack"]) * 1000,
                })
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    figures = {key: round(statistics.median(r[key] for r in per_round), 1) for key in per_round[0]}
    figures.update(rounds=args.rounds, ordinary_per_round=args.ordinary, hostile_per_round=len(HOSTILE) * 2)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:28} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
