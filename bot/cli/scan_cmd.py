"""``k8sfix scan``: triage a whole cluster: what looks wrong, which KB topic, what the checks say."""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_FAILED = 0, 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``scan`` sub-command."""
    p = subparsers.add_parser(
        "scan", help="list Warning events, unhealthy pods, NotReady nodes and stuck rollouts by KB topic",
        description="Read recent Warning events, unhealthy pods, NotReady nodes and stuck rollouts (Deployments, "
                    "StatefulSets, DaemonSets), match each to the knowledge "
                    "base, group them by topic with counts, and run the matched topics' read-only checks. "
                    "Exit 1 when the cluster, or part of it, could not be read.",
        epilog="Examples: k8sfix scan | k8sfix scan --context prod --json | k8sfix scan --snapshot ./dump",
    )
    p.add_argument("--context", help="kubeconfig context (your own kubeconfig: no allowlist applies)")
    p.add_argument("--snapshot", metavar="DIR", help="read a 'kubectl cluster-info dump --output-directory' folder")
    p.add_argument("--no-checks", action="store_true", help="only group the findings; run no checks")
    p.add_argument("--json", action="store_true", help="print the scan as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Scan and print; exit 1 when a read failed (nothing, or not everything, could be read)."""
    from bot.checks.render import render_scan, scan_json
    from bot.checks.scan import scan
    from bot.cli.check_cmd import settings_for_cli
    from bot.cli.common import matcher_for

    report = scan(settings_for_cli(), matcher_for(args), context=args.context, snapshot_dir=args.snapshot,
                  run_verdicts=not args.no_checks)
    if args.json:
        from bot.cli.common import print_json

        print_json(scan_json(report))
    else:
        sys.stdout.write(render_scan(report))
    return EXIT_FAILED if report.problems or report.unread else EXIT_OK
