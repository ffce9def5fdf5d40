"""``k8sfix check``: run a KB topic's read-only cluster checks (or one check by id)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK, EXIT_FAILED = 0, 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` sub-command."""
    p = subparsers.add_parser(
        "check", help="run a topic's read-only cluster checks",
        description="Run the read-only cluster checks of a KB topic (or one check, by its id) against your "
                    "current kubeconfig context, another context, or a 'kubectl cluster-info dump' folder. "
                    "Exit 1 when a check could not run.",
        epilog="Examples: k8sfix check svc-no-endpoints -n shop --service web | k8sfix check node-health "
               "--snapshot ./dump --json",
    )
    p.add_argument("topic", metavar="TOPIC_ID", help="a KB topic id, or a check id such as node-health")
    p.add_argument("-n", "--namespace", help="namespace of the service or pod")
    p.add_argument("--service", help="Service name (the service check needs it)")
    p.add_argument("--pod", help="pod name")
    p.add_argument("--node", help="node name, to look at one node only")
    p.add_argument("--context", help="kubeconfig context (your own kubeconfig: no allowlist applies)")
    p.add_argument("--snapshot", metavar="DIR", help="read a 'kubectl cluster-info dump --output-directory' folder")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=run)


def check_ids_for(topic: str, args: argparse.Namespace) -> tuple[str, ...]:
    """A check id as given, else the KB entry's checks, else the catalog's checks for the topic.

    Raises:
        CheckError: neither a check id nor a topic any check covers.
    """
    from bot.checks.catalog import CHECK_IDS, checks_for_topic
    from bot.errors import CheckError

    if topic in CHECK_IDS:
        return (topic,)
    from bot.cli.common import kb_dirs
    from bot.kb.loader import load_knowledge

    entry = _entry_file(topic, kb_dirs(args)) or load_knowledge(kb_dirs(args)).get(topic)
    if entry is not None:
        from bot.checks.runner import check_ids_for_entry

        return check_ids_for_entry(entry)
    ids = checks_for_topic(topic)
    if not ids:
        raise CheckError(f"{topic!r} is neither a KB topic nor a check id; check ids: {', '.join(sorted(CHECK_IDS))}")
    return ids


def _entry_file(topic: str, extra: list[Any]) -> Any | None:
    """The entry from the file named by its id (an entry's id is its file name), None to load the whole KB.

    Parsing one file instead of every entry keeps ``k8sfix check TOPIC`` quick; the folder that
    would win in the full KB (the last one holding the file) is the one read.
    """
    import re
    from pathlib import Path

    from bot.kb.loader import builtin_dir, load_file

    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,120}", topic):
        return None
    for folder in reversed([builtin_dir(), *(Path(p) for p in extra)]):
        for suffix in (".yaml", ".yml", ".md"):
            path = folder / f"{topic}{suffix}"
            if path.is_file():
                entry, problems = load_file(path)
                return entry if entry is not None and entry.id == topic and not problems else None
    return None


def settings_for_cli() -> Any:
    """Settings from the environment, without the bot's context allowlist (it is the user's own access)."""
    import dataclasses

    from bot.checks.settings import ChecksSettings

    return dataclasses.replace(ChecksSettings.from_env(), contexts=())


def run(args: argparse.Namespace) -> int:
    """Run the checks and print the report; exit 1 when any check failed to run."""
    from bot.checks import CheckInputs, run_checks
    from bot.checks.render import render_report, report_json

    inputs = CheckInputs(namespace=args.namespace, service=args.service, pod=args.pod, node=args.node)
    ids = check_ids_for(args.topic, args)
    if not ids:
        print(f"k8sfix check: topic {args.topic!r} lists no cluster checks", file=sys.stderr)
        return EXIT_OK
    report = run_checks(ids, inputs, settings_for_cli(), context=args.context, snapshot_dir=args.snapshot)
    if args.json:
        from bot.cli.common import print_json

        print_json(report_json(report))
    else:
        sys.stdout.write(render_report(report))
    return EXIT_FAILED if any(r.status == "failed" for r in report.results) else EXIT_OK
