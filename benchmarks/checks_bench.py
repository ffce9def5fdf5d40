"""Time the cluster checks: warm runs, the whole CLI process on a snapshot, and hostile servers.

Usage:
  .venv/bin/python benchmarks/checks_bench.py [TOPIC_ID] [--runs N] [--scenario NAME]
  .venv/bin/python benchmarks/checks_bench.py [TOPIC_ID] --cold N        # `k8sfix check TOPIC --snapshot DIR`
  .venv/bin/python benchmarks/checks_bench.py --hostile [--timeout S]    # every check against each hostile mode

Default: the cold time (first run in this process, the client's modules imported then) and the
median and worst of the warm runs against the fake API server (loopback, real client); target
<= 2 s for all checks of a topic. ``--cold N``: the median, best and worst wall time of N fresh
``k8sfix check TOPIC --snapshot DIR`` processes, next to ``python -c pass`` (target <= 1.5 s).
``--hostile``: for each hostile mode of the fake server, the time all checks took (bound: the
timeout plus 0.5 s grace), whether every non-probe check failed, and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "checks")]

from fake_apiserver import FakeApiServer, load_scenario, write_dump, write_kubeconfig  # noqa: E402

from bot.checks import CheckInputs, ChecksSettings, run_checks  # noqa: E402
from bot.checks.catalog import CATALOG, checks_for_topic  # noqa: E402

HOSTILE = ("refuse", "reset", "hang", "trickle", "trickle-headers", "unauthorized", "forbidden", "throttle",
           "error-10mb", "dns")


def check_ids(topic: str) -> tuple[str, ...]:
    if topic == "all":
        return tuple(info.id for info in CATALOG)
    try:
        from bot.kb.loader import load_knowledge

        entry = load_knowledge().get(topic)
    except Exception:  # the KB may be mid-edit: fall back to the catalog
        entry = None
    return (tuple(entry.checks) if entry is not None and entry.checks else ()) or checks_for_topic(topic)


def warm(topic: str, ids: tuple[str, ...], runs: int, scenario: str) -> None:
    inputs = CheckInputs(namespace="shop", service="web")
    with FakeApiServer(scenario) as server, tempfile.TemporaryDirectory() as folder:
        settings = ChecksSettings(kubeconfig=str(server.kubeconfig(Path(folder))))
        times = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            report = run_checks(ids, inputs, settings)
            times.append(time.perf_counter() - started)
        requests = len(server.requests) // (runs + 1)
    cold, warm_times = times[0], times[1:]
    verdicts = ", ".join(f"{r.check_id}={r.status}" for r in report.results)
    print(f"topic {topic}: checks {', '.join(ids)} ({verdicts}); {requests} GETs per run")
    print(f"cold {cold:.3f} s; warm median {statistics.median(warm_times):.3f} s, worst {max(warm_times):.3f} s "
          f"over {len(warm_times)} runs")


def _wall(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True, env=env, stdin=subprocess.DEVNULL, timeout=120)
    return time.perf_counter() - started


def cold(topic: str, runs: int, scenario: str) -> None:
    script = Path(sys.executable).with_name("k8sfix")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("K8SFIX_", "KUBE"))}
    with tempfile.TemporaryDirectory() as folder:
        dump = write_dump(load_scenario(scenario), Path(folder) / "dump")
        command = [*argv, "check", topic, "--snapshot", str(dump)]
        _wall(command, env)  # the first run may build the KB index cache; it is not what users wait for
        checks = [_wall(command, env) for _ in range(runs)]
        python = [_wall([sys.executable, "-c", "pass"], env) for _ in range(runs)]
    print(f"`k8sfix check {topic} --snapshot DIR` ({scenario}), {runs} fresh processes: median "
          f"{statistics.median(checks):.3f} s, best {min(checks):.3f} s, worst {max(checks):.3f} s "
          f"(target <= 1.5 s); `python -c pass` median {statistics.median(python):.3f} s")


def hostile(timeout: float) -> None:
    ids = [info.id for info in CATALOG]
    inputs = CheckInputs(namespace="shop", service="web")
    worst = 0.0
    failures = 0
    for mode in HOSTILE:
        with tempfile.TemporaryDirectory() as folder:
            if mode == "dns":
                server = None
                kubeconfig = write_kubeconfig(Path(folder), "https://-k8sfix.invalid:6443")
            else:
                server = FakeApiServer("healthy", mode=mode).__enter__()
                kubeconfig = server.kubeconfig(Path(folder))
            try:
                started = time.perf_counter()
                report = run_checks(ids, inputs, ChecksSettings(kubeconfig=str(kubeconfig), timeout=timeout,
                                                                budget=timeout * 2))
                elapsed = time.perf_counter() - started
            finally:
                if server is not None:
                    server.__exit__(None, None, None)
        truthful = all(r.status == "failed" for r in report.results if r.check_id != "apiserver-access")
        failures += not truthful or elapsed > timeout + 0.5 + 1.0
        worst = max(worst, elapsed)
        example = next(r.summary for r in report.results if r.check_id == "node-health")
        print(f"{mode:16} {elapsed:6.3f} s  all failed: {truthful}  e.g. {example[:90]}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(HOSTILE)} modes x {len(ids)} checks: {failures} out of bounds; worst {worst:.3f} s "
          f"(bound {timeout + 0.5:.1f} s + 1 s slack); peak RSS {peak:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topic", nargs="?", default="svc-ip-not-working")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--scenario", default="conntrack-missing")
    parser.add_argument("--cold", type=int, metavar="N", help="time N fresh `k8sfix check --snapshot` processes")
    parser.add_argument("--hostile", action="store_true", help="run every check against each hostile server mode")
    parser.add_argument("--timeout", type=float, default=1.0, help="per-check timeout for --hostile")
    args = parser.parse_args()
    if args.hostile:
        hostile(args.timeout)
        return 0
    if args.cold:
        cold(args.topic, args.cold, args.scenario)
        return 0
    ids = check_ids(args.topic)
    if not ids:
        print(f"topic {args.topic!r} has no checks", file=sys.stderr)
        return 2
    warm(args.topic, ids, args.runs, args.scenario)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
