"""Time a full check run of one KB topic against the fake API server (loopback, real client).

Usage: .venv/bin/python benchmarks/checks_bench.py [TOPIC_ID] [--runs N] [--scenario NAME]

Prints the cold time (first run in a fresh process: the Kubernetes client's API modules are
imported then) and the median and worst of the warm runs. Target: <= 2 s for all checks of a topic.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "checks")]

from fake_apiserver import FakeApiServer  # noqa: E402

from bot.checks import CheckInputs, ChecksSettings, run_checks  # noqa: E402
from bot.checks.catalog import CATALOG, checks_for_topic  # noqa: E402


def check_ids(topic: str) -> tuple[str, ...]:
    if topic == "all":
        return tuple(info.id for info in CATALOG)
    try:
        from bot.kb.loader import load_knowledge

        entry = load_knowledge().get(topic)
    except Exception:  # the KB may be mid-edit: fall back to the catalog
        entry = None
    return (tuple(entry.checks) if entry is not None and entry.checks else ()) or checks_for_topic(topic)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topic", nargs="?", default="svc-ip-not-working")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--scenario", default="conntrack-missing")
    args = parser.parse_args()
    ids = check_ids(args.topic)
    if not ids:
        print(f"topic {args.topic!r} has no checks", file=sys.stderr)
        return 2
    inputs = CheckInputs(namespace="shop", service="web")
    with FakeApiServer(args.scenario) as server, tempfile.TemporaryDirectory() as folder:
        settings = ChecksSettings(kubeconfig=str(server.kubeconfig(Path(folder))))
        times = []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            report = run_checks(ids, inputs, settings)
            times.append(time.perf_counter() - started)
        requests = len(server.requests) // (args.runs + 1)
    cold, warm = times[0], times[1:]
    verdicts = ", ".join(f"{r.check_id}={r.status}" for r in report.results)
    print(f"topic {args.topic}: checks {', '.join(ids)} ({verdicts}); {requests} GETs per run")
    print(f"cold {cold:.3f} s; warm median {statistics.median(warm):.3f} s, worst {max(warm):.3f} s "
          f"over {len(warm)} runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
