"""Plain-text rendering of check reports and scans, for the terminal (Slack renders its own)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.checks.catalog import CHECKS
from bot.checks.types import CheckReport, CheckResult

if TYPE_CHECKING:
    from bot.checks.scan import ScanReport

MARKS = {"confirmed": "[!]", "not confirmed": "[ok]", "inconclusive": "[?]", "failed": "[x]"}
INDENT = "      "


def render_result(result: CheckResult) -> list[str]:
    """The lines of one result: mark, status, check and summary, then topics and evidence."""
    title = CHECKS[result.check_id].title if result.check_id in CHECKS else result.check_id
    status = result.status.upper() if result.status == "confirmed" else result.status
    lines = [f"{MARKS.get(result.status, '[?]'):<5} {status}  {result.check_id}: {result.summary}"]
    if result.status in ("confirmed", "inconclusive") and result.topics:
        lines.append(f"{INDENT}topics: {', '.join(result.topics)}")
    elif result.status in ("not confirmed", "failed"):
        lines.append(f"{INDENT}({title})")
    lines.extend(f"{INDENT}- {line}" for line in result.evidence)
    return lines


def render_report(report: CheckReport) -> str:
    """The whole report: which cluster, how long, every result."""
    inputs = " ".join(f"{k}={v}" for k, v in report.inputs.to_dict().items())
    head = f"Cluster checks on {report.cluster or '(no cluster)'} in {report.elapsed_seconds:.2f} s"
    lines = [head + (f" ({inputs})" if inputs else "")]
    if not report.results:
        lines.append("  no checks apply to this topic")
    for result in report.results:
        lines.append("")
        lines.extend(render_result(result))
    counts = {status: sum(1 for r in report.results if r.status == status) for status in MARKS}
    lines.append("")
    lines.append(", ".join(f"{n} {status}" for status, n in counts.items() if n) or "nothing ran")
    return "\n".join(lines) + "\n"


def render_scan(scan: ScanReport) -> str:
    """Findings grouped by KB topic with counts, examples and the checks' verdicts."""
    lines = [f"Scan of {scan.cluster or '(no cluster)'} in {scan.elapsed_seconds:.2f} s: "
             f"{len(scan.findings)} findings ({scan.counts_text()})"]
    for problem in scan.problems:
        lines.append(f"  could not read: {problem}")
    if not scan.read:
        lines.append("  nothing could be read, so nothing is known about this cluster's health")
    elif not scan.findings:
        seen = {"Warning events": "Warning events", "nodes": "NotReady nodes", "pods": "unhealthy pods",
                "workloads": "stuck rollouts"}
        names = [seen[what] for what in scan.read]
        found = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        lines.append(f"  no {found}" + (f" (not read: {', '.join(scan.unread)})" if scan.unread else ""))
    for group in scan.groups:
        topic = group.topic or "(no KB match)"
        title = f" - {group.title}" if group.title else ""
        lines.append("")
        lines.append(f"{topic}{title}: {group.count} finding{'s' if group.count != 1 else ''}")
        for finding in group.findings[:3]:
            lines.append(f"{INDENT}{finding.kind} {finding.object}: {finding.text[:160]}")
        if len(group.findings) > 3:
            lines.append(f"{INDENT}... and {len(group.findings) - 3} more")
        for result in group.results:
            lines.append(f"{INDENT}{MARKS.get(result.status, '[?]')} {result.check_id}: {result.status}: "
                         f"{result.summary}")
    return "\n".join(lines) + "\n"


def report_json(report: CheckReport) -> dict[str, Any]:
    """The stable JSON shape of a check report (``--json``)."""
    return report.to_dict()


def scan_json(scan: ScanReport) -> dict[str, Any]:
    """The stable JSON shape of a scan (``k8sfix scan --json``)."""
    return scan.to_dict()
