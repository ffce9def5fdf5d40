"""Load test of the Slack app: N concurrent signed slash commands over HTTP, ack and answer latency.

The app runs as it does in production, ``k8sfix serve --http PORT`` in its own
process, with the real KB and a SQLite store in a temporary folder. Slack is the
local fake Web API of the tests (``tests/slack/slack_fakes.py``), in this process
together with the clients. All commands of a round are released at once; for each
one the script measures

* ack: from sending the request to receiving the HTTP response (Slack allows 3 s),
* answer: from sending the request to the fake receiving the answer on response_url.

and per round the throughput, answers/s: the commands of the round divided by the time from
releasing them to the last answer. A run is ``--rounds`` rounds; with ``--runs`` > 1 the
figures are the median over the runs.

``--replicas 2`` starts two servers on one PostgreSQL store (a throw-away cluster from
``tests/pg_cluster.py``; ``--store postgres`` does the same for one server) and sends the
commands of each round to them in turn, as a load balancer would.

At the end every server gets SIGTERM and must exit 0 (graceful shutdown).

Run::

    .venv/bin/python benchmarks/slack_load.py            # 50 concurrent commands, 3 rounds
    .venv/bin/python benchmarks/slack_load.py --concurrency 100 --rounds 3 --runs 3 --json
    .venv/bin/python benchmarks/slack_load.py --concurrency 100 --runs 3 --store postgres --replicas 2

Targets (issue 12): ack p99 <= 300 ms, answer p99 <= 1 s at 100 concurrent, one process. Exit
code 1 if a target is missed.
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
sys.path.insert(0, str(ROOT / "tests"))

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


def run_round(ports: list[int], fake: FakeSlack, concurrency: int,
              round_no: int) -> tuple[list[float], list[float], float]:
    """Release ``concurrency`` commands at once, to ``ports`` in turn; return ack and answer latencies, answers/s."""
    barrier = threading.Barrier(concurrency)
    sent: dict[str, float] = {}
    acks: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        name = f"b{round_no}-{i}"
        body = command_body(QUERIES[i % len(QUERIES)], user=f"U0LOAD{i:03d}", response_url=fake.response_url(name))
        headers = {k: v[0] for k, v in signed_headers(body, "application/x-www-form-urlencoded").items()}
        port = ports[i % len(ports)]
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
    released = min(sent.values()) + offset
    throughput = len(answers) / (max(c.at for c in answered) - released)
    return acks, answers, throughput


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(fake: FakeSlack, tmp: str, workers: int,
                 db_url: str | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """``k8sfix serve --http PORT`` in a child process; return it and its port once it listens."""
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake.api_url, "K8SFIX_HTTP_HOST": "127.0.0.1", "K8SFIX_OPS_PORT": "0",
           "K8SFIX_DB_PATH": str(Path(tmp) / "k8sfix.db"), "K8SFIX_WORKERS": str(workers),
           "K8SFIX_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), **({"K8SFIX_DB_URL": db_url} if db_url else {})}
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


def measure(ports: list[int], fake: FakeSlack, args: argparse.Namespace, run: int) -> dict[str, float]:
    """One run: ``args.rounds`` rounds of ``args.concurrency`` commands; its percentiles and answers/s."""
    acks: list[float] = []
    answers: list[float] = []
    rates: list[float] = []
    for n in range(args.rounds):
        round_acks, round_answers, rate = run_round(ports, fake, args.concurrency, run * 1000 + n)
        acks += round_acks
        answers += round_answers
        rates.append(rate)
    return {"ack_p50_ms": percentile(acks, 50) * 1000, "ack_p99_ms": percentile(acks, 99) * 1000,
            "answer_p50_ms": percentile(answers, 50) * 1000, "answer_p99_ms": percentile(answers, 99) * 1000,
            "answer_mean_ms": statistics.fmean(answers) * 1000, "answers_per_s": statistics.median(rates)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per run")
    parser.add_argument("--runs", type=int, default=1, help="runs; the figures are their median")
    parser.add_argument("--workers", type=int, default=8, help="K8SFIX_WORKERS of the server")
    parser.add_argument("--replicas", type=int, default=1, help="servers; more than one needs PostgreSQL")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default=None,
                        help="store of the servers (default: sqlite for one replica, postgres for more)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    store = args.store or ("sqlite" if args.replicas == 1 else "postgres")
    if args.replicas < 1 or args.runs < 1 or args.rounds < 1 or args.concurrency < 1:
        parser.error("--replicas, --runs, --rounds and --concurrency must be at least 1")
    if args.replicas > 1 and store == "sqlite":
        parser.error("several replicas share one store: use --store postgres")

    cluster = None
    runs: list[dict[str, float]] = []
    exit_codes: list[int] = []
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        db_url = None
        if store == "postgres":
            from pg_cluster import PostgresCluster

            cluster = PostgresCluster().start()
            db_url = cluster.create_database("load")
        processes: list[subprocess.Popen[bytes]] = []
        try:
            ports = []
            for _ in range(args.replicas):  # one after the other: the first one migrates the schema
                process, port = start_server(fake, tmp, args.workers, db_url)
                processes.append(process)
                ports.append(port)
            run_round(ports, fake, min(10 * len(ports), args.concurrency), -1)  # warm-up: templates, OpenCC, store
            runs = [measure(ports, fake, args, run) for run in range(args.runs)]
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            exit_codes = [process.wait(timeout=60) for process in processes]
            if cluster is not None:
                cluster.stop()

    figures: dict[str, object] = {
        "concurrency": args.concurrency, "rounds": args.rounds, "runs": args.runs,
        "requests": args.concurrency * args.rounds * args.runs, "workers": args.workers,
        "replicas": args.replicas, "store": store,
        **{key: round(statistics.median(run[key] for run in runs), 1) for key in runs[0]},
        "per_run": [{key: round(value, 1) for key, value in run.items()} for run in runs],
        "shutdown_exit_codes": exit_codes,
    }
    ok = (float(figures["ack_p99_ms"]) <= TARGET_ACK_P99_S * 1000  # type: ignore[arg-type]
          and float(figures["answer_p99_ms"]) <= TARGET_ANSWER_P99_S * 1000  # type: ignore[arg-type]
          and not any(exit_codes))
    if args.json:
        print(json.dumps({**figures, "targets_met": ok}))
    else:
        print(f"{figures['requests']} slash commands, {args.concurrency} at a time, {args.rounds} rounds x "
              f"{args.runs} runs (medians over runs), {args.replicas} replica(s) on {store}, "
              f"{args.workers} answer workers each")
        print(f"ack     p50 {figures['ack_p50_ms']:7.1f} ms   p99 {figures['ack_p99_ms']:7.1f} ms   "
              f"(target p99 <= {TARGET_ACK_P99_S * 1000:.0f} ms)")
        print(f"answer  p50 {figures['answer_p50_ms']:7.1f} ms   p99 {figures['answer_p99_ms']:7.1f} ms   "
              f"(target p99 <= {TARGET_ANSWER_P99_S * 1000:.0f} ms)")
        print(f"throughput {figures['answers_per_s']:.1f} answers/s")
        print(f"SIGTERM: exit codes {exit_codes}")
        print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
