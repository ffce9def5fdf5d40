"""Load test of the Slack app: N concurrent signed slash commands over HTTP, ack and answer latency.

The app runs as it does in production, ``k8sfix serve --http PORT`` in its own
process, with the real KB and a SQLite store in a temporary folder. Slack is the
local fake Web API of the tests (``tests/slack/slack_fakes.py``), in this process
together with the clients. All commands of a round are released at once; for each
one the script measures

* ack: from sending the request to receiving the HTTP response (Slack allows 3 s),
* answer: from sending the request to the fake receiving the answer on response_url.

At the end the server gets SIGTERM and must exit 0 (graceful shutdown).

Run::

    .venv/bin/python benchmarks/slack_load.py            # 50 concurrent commands, 3 rounds
    .venv/bin/python benchmarks/slack_load.py --concurrency 100 --rounds 5 --json

Targets (issue 4): ack p99 <= 300 ms, answer p99 <= 1 s. Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "slack"))

from slack_fakes import BOT_TOKEN, FakeSlack  # noqa: E402
from slack_harness import SIGNING_SECRET, command_body, signed_headers  # noqa: E402

QUERIES = (
    'E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
    'exec: "conntrack": executable file not found in $PATH',
    'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" cannot list '
    'resource "pods" in API group "" in the namespace "prod"',
    "dial tcp 10.96.0.1:443: i/o timeout",
    "o kube-proxy não encontra o binário conntrack",
    "kube-proxy не находит бинарник conntrack",
    "kube-proxy 找不到 conntrack 執行檔",
    "coredns pods crashloopbackoff",
    "ImagePullBackOff",
    "xyzzy plugh",
    "I1121 chatty controller line about pod web-1 in namespace prod\n" * 300 + "error looking for path of conntrack",
)
TARGET_ACK_P99_S = 0.300
TARGET_ANSWER_P99_S = 1.0


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run_round(port: int, fake: FakeSlack, concurrency: int, round_no: int) -> tuple[list[float], list[float]]:
    """Release ``concurrency`` commands at once; return ack and answer latencies in seconds."""
    barrier = threading.Barrier(concurrency)
    sent: dict[str, float] = {}
    acks: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        name = f"b{round_no}-{i}"
        body = command_body(QUERIES[i % len(QUERIES)], user=f"U0LOAD{i:03d}", response_url=fake.response_url(name))
        headers = {k: v[0] for k, v in signed_headers(body, "application/x-www-form-urlencoded").items()}
        request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                         headers=headers)
        barrier.wait()
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            status = response.status
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"command {name} answered HTTP {status}")
        with lock:
            sent[name] = started
            acks.append(elapsed)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    prefix = f"b{round_no}-"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answered = [c for c in fake.calls_to("response_url") if c.params["_name"].startswith(prefix)]
        if len(answered) >= concurrency:
            break
        time.sleep(0.01)
    # the fake stamps calls with time.monotonic(); convert from perf_counter via a shared offset
    offset = time.monotonic() - time.perf_counter()
    answers = [c.at - (sent[c.params["_name"]] + offset) for c in answered]
    if len(answers) < concurrency:
        raise RuntimeError(f"only {len(answers)} of {concurrency} commands were answered")
    return acks, answers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(fake: FakeSlack, tmp: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    """``k8sfix serve --http PORT`` in a child process; return it and its port once it listens."""
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake.api_url, "K8SFIX_HTTP_HOST": "127.0.0.1", "K8SFIX_OPS_PORT": "0",
           "K8SFIX_DB_PATH": str(Path(tmp) / "k8sfix.db"), "K8SFIX_WORKERS": str(workers),
           "K8SFIX_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("HTTPS_PROXY", None)
    env.pop("https_proxy", None)
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--http", str(port)], env=env, cwd=tmp)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/slack/events", timeout=1)
        except urllib.error.HTTPError:
            return process, port  # 404 on GET: it listens
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start within 60 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8, help="K8SFIX_WORKERS of the server")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        process, port = start_server(fake, tmp, args.workers)
        try:
            run_round(port, fake, min(10, args.concurrency), -1)  # warm-up: templates, OpenCC, SQLite
            acks: list[float] = []
            answers: list[float] = []
            for n in range(args.rounds):
                round_acks, round_answers = run_round(port, fake, args.concurrency, n)
                acks += round_acks
                answers += round_answers
        finally:
            process.send_signal(signal.SIGTERM)
            exit_code = process.wait(timeout=60)

    figures = {
        "concurrency": args.concurrency, "rounds": args.rounds, "requests": len(acks), "workers": args.workers,
        "ack_p50_ms": round(percentile(acks, 50) * 1000, 1), "ack_p99_ms": round(percentile(acks, 99) * 1000, 1),
        "answer_p50_ms": round(percentile(answers, 50) * 1000, 1),
        "answer_p99_ms": round(percentile(answers, 99) * 1000, 1),
        "answer_mean_ms": round(statistics.fmean(answers) * 1000, 1),
        "shutdown_exit_code": exit_code,
    }
    ok = (percentile(acks, 99) <= TARGET_ACK_P99_S and percentile(answers, 99) <= TARGET_ANSWER_P99_S
          and exit_code == 0)
    if args.json:
        print(json.dumps({**figures, "targets_met": ok}))
    else:
        print(f"{figures['requests']} slash commands, {args.concurrency} at a time, {args.rounds} rounds, "
              f"{args.workers} answer workers")
        print(f"ack     p50 {figures['ack_p50_ms']:7.1f} ms   p99 {figures['ack_p99_ms']:7.1f} ms   "
              f"(target p99 <= {TARGET_ACK_P99_S * 1000:.0f} ms)")
        print(f"answer  p50 {figures['answer_p50_ms']:7.1f} ms   p99 {figures['answer_p99_ms']:7.1f} ms   "
              f"(target p99 <= {TARGET_ANSWER_P99_S * 1000:.0f} ms)")
        print(f"SIGTERM: exit code {exit_code}")
        print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
