"""Time the first "Run cluster checks" click: from the signed request to the progress message, and to the report.

Usage:
  .venv/bin/python benchmarks/slack_checks_click.py [--runs N] [--topic ID]

Each run is a fresh process (so the click really is the first one): the app in HTTP mode with
the local fake Web API (``tests/slack``) and the fake API server (``tests/checks``), the real
``kubernetes`` client, an allowed user. The process asks ``/k8sfix TOPIC``, then sends one signed
``block_actions`` click and records, on the fake Web API's clock:

- ``ack``: until the app's response to the click request;
- ``progress``: until the first visible Slack call for it (the "Running N cluster checks..."
  message: a response_url post for a private answer, ``chat.postMessage`` in a thread);
- ``report``: until the report (the second response_url post, or the ``chat.update`` replacing
  the progress message).

Modes: ``cold`` (the click is the first use of the checks: the Kubernetes client is imported
after the progress message), ``warming`` (the click arrives while the start-up warm-up that
``serve`` runs is still going), ``warm`` (warm-up finished, as soon after start as it takes).
Target: ``progress`` <= 1 s. Prints medians and worst values over the runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODES = ("cold", "warming", "warm")
SURFACES = ("ephemeral", "thread")
ADMIN, OPS = "U0ADMIN1", "C0OPS001"


def one_click(mode: str, surface: str, topic: str) -> dict[str, float]:
    """In this process: start the fakes and the app, click once, return the latencies in ms."""
    sys.path[:0] = [str(REPO), str(REPO / "tests" / "slack"), str(REPO / "tests" / "checks")]
    from fake_apiserver import FakeApiServer
    from slack_fakes import BOT_TOKEN, FakeSlack
    from slack_harness import SIGNING_SECRET, Harness, answer_qid, blocks_of

    from bot.checks import ChecksSettings, warm_up_in_background
    from bot.config import Settings
    from bot.matching import load_matcher
    from bot.slack import create_app
    from bot.store import open_store

    with FakeSlack() as fake, FakeApiServer("healthy") as apiserver, tempfile.TemporaryDirectory() as folder:
        checks = ChecksSettings(enabled=True, kubeconfig=str(apiserver.kubeconfig(Path(folder))),
                                allowed_users=frozenset({ADMIN}), allowed_channels=frozenset({OPS}))
        settings = Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, mode="http", api_url=fake.api_url,
                            db_url=f"sqlite:///{folder}/k8sfix.db", workers=4, ops_port=0)
        store = open_store(settings.db_url)
        app = create_app(settings, load_matcher(use_cache=True), store, checks=checks)
        slack = Harness(app, fake)
        warming = warm_up_in_background() if mode in ("warming", "warm") else None
        slack.command(topic, user=ADMIN, channel=OPS if surface == "thread" else "C0CHAN1", response="r1")
        qid = answer_qid(blocks_of(slack.wait_response("r1")))
        slack.idle()
        if mode == "warm" and warming is not None:
            warming.join(60)
        before = len(fake.calls)
        started = time.monotonic()
        if surface == "ephemeral":
            response = slack.action("k8sfix_run_checks", qid=qid, user=ADMIN, response="chk")
        else:
            response = slack.action("k8sfix_run_checks", qid=qid, channel=OPS, ephemeral=False,
                                    message_ts="1700000000.000100")
        acked = time.monotonic()
        assert response.status == 200
        assert slack.deps.wait_idle(60), "the checks did not finish"
        calls = [c for c in fake.calls[before:] if c.method in ("response_url", "chat.postMessage", "chat.update")]
        assert len(calls) >= 2, [c.method for c in calls]
        progress, report = calls[0], calls[1]
        assert "Running" in str(progress.params.get("text")), progress.params
        assert "Cluster checks" in str(report.params.get("text")), report.params
        app_deps = slack.deps
        app_deps.drain(5)
        store.close()
        return {"ack": (acked - started) * 1000, "progress": (progress.at - started) * 1000,
                "report": (report.at - started) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per mode and surface (default 5)")
    parser.add_argument("--topic", default="apiserver-403-forbidden", help="KB entry whose checks run")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "SURFACE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_click(args.child[0], args.child[1], args.topic)))
        return
    if not 1 <= args.runs <= 50:
        parser.error("--runs must be between 1 and 50")
    print(f"first click on 'Run cluster checks' for {args.topic}, {args.runs} fresh processes each (ms)")
    print(f"{'mode':8} {'surface':10} {'ack p50':>8} {'progress p50':>13} {'worst':>7} {'report p50':>11} {'worst':>7}")
    for mode in MODES:
        for surface in SURFACES:
            runs = []
            for _ in range(args.runs):
                out = subprocess.run([sys.executable, __file__, "--topic", args.topic, "--child", mode, surface],
                                     capture_output=True, text=True, timeout=180, cwd=REPO, check=False)
                if out.returncode != 0:
                    sys.exit(f"run failed ({mode}, {surface}):\n{out.stderr[-2000:]}")
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))

            def median(key: str, values: list[dict[str, float]] = runs) -> float:
                return statistics.median(r[key] for r in values)

            def worst(key: str, values: list[dict[str, float]] = runs) -> float:
                return max(r[key] for r in values)

            print(f"{mode:8} {surface:10} {median('ack'):8.1f} {median('progress'):13.1f} {worst('progress'):7.1f} "
                  f"{median('report'):11.1f} {worst('report'):7.1f}")


if __name__ == "__main__":
    main()
