"""Proactive triage: Warning events, unhealthy pods, NotReady nodes and stuck rollouts, matched to KB topics.

A rollout can be stuck with no Warning event and no unhealthy pod (a Deployment past its progress
deadline whose new pods were never created, a DaemonSet with misscheduled pods), so the workloads'
own status is read too (:mod:`bot.checks._rollouts` judges it). Each finding's text goes through
the matcher; findings are grouped by the topic it asserts, and the checks of every matched topic
run once to give each group a verdict. Everything a scan reports (findings and the reasons reads
failed) is redacted; the reads and the verdicts together stay within the run's budget.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from bot.checks.catalog import CHECKS, checks_for_topic
from bot.checks.errors import ClusterAccessError
from bot.checks.settings import ChecksSettings
from bot.checks.types import CheckInputs, CheckResult
from bot.redact import redact

MAX_EVENTS = 300
MAX_TEXT = 2000
"""Characters of an event or pod message kept (and redacted); the terminal shows 160."""
READS = ("Warning events", "nodes", "pods", "workloads")
FindingKind = Literal["event", "pod", "node", "workload"]
KINDS: tuple[FindingKind, ...] = ("event", "pod", "node", "workload")


class Matcher(Protocol):
    """What scan needs from ``bot.matching.load_matcher()``."""

    def match(self, text: str, top: int = 3) -> Any:
        """Return a MatchResult whose ``best`` is a Match (``.entry``) or None."""


@dataclass(frozen=True)
class Finding:
    """One thing that looks wrong: a Warning event, an unhealthy pod, a NotReady node or a stuck rollout."""

    kind: FindingKind
    object: str
    text: str
    count: int = 1
    namespace: str | None = None
    node: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"kind": self.kind, "object": self.object, "text": self.text, "count": self.count}


@dataclass(frozen=True)
class TopicGroup:
    """The findings the matcher put under one KB topic (None: no confident match)."""

    topic: str | None
    title: str
    findings: tuple[Finding, ...]
    results: tuple[CheckResult, ...] = ()

    @property
    def count(self) -> int:
        """How many findings the topic has."""
        return len(self.findings)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"topic": self.topic, "title": self.title, "count": self.count,
                "findings": [f.to_dict() for f in self.findings], "checks": [r.to_dict() for r in self.results]}


@dataclass(frozen=True)
class ScanReport:
    """Everything a scan found, grouped by topic."""

    cluster: str
    findings: tuple[Finding, ...] = ()
    groups: tuple[TopicGroup, ...] = ()
    elapsed_seconds: float = 0.0
    problems: tuple[str, ...] = field(default=())
    """Reads that failed, each with what to do."""
    read: tuple[str, ...] = field(default=())
    """What could be read (of :data:`READS`); a finding-free scan means something only for these."""

    @property
    def unread(self) -> tuple[str, ...]:
        """What could not be read."""
        return tuple(what for what in READS if what not in self.read)

    def counts_text(self) -> str:
        """``3 events, 2 pods, 1 node, 0 workloads``."""
        counts = {k: sum(1 for f in self.findings if f.kind == k) for k in KINDS}
        return ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in counts.items())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"cluster": self.cluster, "elapsed_seconds": round(self.elapsed_seconds, 3),
                "problems": list(self.problems), "read": list(self.read), "unread": list(self.unread),
                "groups": [g.to_dict() for g in self.groups]}


def _one_line(text: str) -> str:
    return redact(" ".join(str(text or "")[:MAX_TEXT].split()))


def event_findings(events: list[Any]) -> list[Finding]:
    """One finding per (object, reason) of Warning events, most recent first."""
    from bot.checks._objects import event_count

    def when(event: Any) -> float:
        stamp = event.last_timestamp or event.event_time or event.first_timestamp
        return stamp.timestamp() if stamp else 0.0

    seen: dict[tuple[str, str], Finding] = {}
    for event in sorted(events, key=when, reverse=True)[:MAX_EVENTS]:
        obj = event.involved_object
        name = f"{obj.kind}/{obj.namespace + '/' if obj.namespace else ''}{obj.name}" if obj else "?"
        key = (name, event.reason or "")
        if key in seen:
            continue
        node = obj.name if obj and obj.kind == "Node" else (event.source.host if event.source else None)
        seen[key] = Finding("event", name, _one_line(f"{event.reason}: {event.message}"), event_count(event),
                            namespace=obj.namespace if obj else None, node=node)
    return list(seen.values())


def pod_findings(pods: list[Any]) -> list[Finding]:
    """One finding per unhealthy pod: its kubectl status and the waiting/terminated message."""
    from bot.checks._objects import pod_problem

    findings = []
    for pod in pods:
        problem = pod_problem(pod)
        if not problem:
            continue
        details = []
        status = pod.status
        for cs in [*(status.init_container_statuses or []), *(status.container_statuses or [])]:
            state = cs.state
            if state and state.waiting and state.waiting.message:
                details.append(state.waiting.message)
            last = cs.last_state
            if last and last.terminated and (last.terminated.message or last.terminated.reason):
                details.append(last.terminated.message or last.terminated.reason)
        if status.message:
            details.append(status.message)
        app = next((f" ({k}={v})" for k, v in (pod.metadata.labels or {}).items()
                    if k in ("k8s-app", "app", "app.kubernetes.io/name", "component")), "")
        text = f"pod {pod.metadata.namespace}/{pod.metadata.name}{app} {problem}" + (
            f": {' '.join(details[:2])}" if details else "")
        findings.append(Finding("pod", f"{pod.metadata.namespace}/{pod.metadata.name}", _one_line(text),
                                namespace=pod.metadata.namespace, node=pod.spec.node_name if pod.spec else None))
    return findings


def node_findings(nodes: list[Any]) -> list[Finding]:
    """One finding per node that is not Ready or is under pressure."""
    from bot.checks.node_health import node_findings as problems_of

    findings = []
    for node in nodes:
        problems, _ = problems_of(node)
        if problems:
            findings.append(Finding("node", node.metadata.name,
                                    _one_line(f"node {node.metadata.name} {'; '.join(problems)}"),
                                    node=node.metadata.name))
    return findings


def workload_findings(reader: Any, pods: list[Any] | None) -> list[Finding]:
    """One finding per Deployment, StatefulSet or DaemonSet whose rollout is stuck, by its status and ``pods``.

    ``pods`` are those the scan read (None when it could not): they tell a StatefulSet or DaemonSet
    that waits for ever on a pod from one still rolling out. A snapshot without StatefulSets or
    DaemonSets (``kubectl cluster-info dump`` writes no StatefulSets) is judged on what it has.
    """
    from bot.checks._objects import ref
    from bot.checks._rollouts import daemonset_status, deployment_status, judge_all, statefulset_status
    from bot.checks.errors import NotInSnapshot

    statuses = [deployment_status(d) for d in reader.list_light("deployments")]
    for resource, judged in (("statefulsets", statefulset_status), ("daemonsets", daemonset_status)):
        try:
            statuses.extend(judged(item) for item in reader.list_light(resource))
        except NotInSnapshot:
            continue
    return [Finding("workload", f"{v.status.kind}/{ref(v.status.obj)}", _one_line(v.lines[0]),
                    namespace=v.status.obj.metadata.namespace)
            for v in judge_all(statuses, pods, {}, {}, time.time()) if v.stuck]


def _best(matcher: Matcher, text: str) -> Any | None:
    try:
        return matcher.match(text, top=3).best
    except Exception:  # one unmatchable text must not stop the scan
        return None


def scan(settings: ChecksSettings, matcher: Matcher, *, context: str | None = None,
         snapshot_dir: str | Path | None = None, run_verdicts: bool = True) -> ScanReport:
    """List what looks wrong in a cluster, match it to KB topics, and run those topics' checks.

    Never raises: a cluster that cannot be read gives a report whose ``problems`` say why.
    """
    from bot.checks._client import connect
    from bot.checks._reader import ClusterReader
    from bot.checks.runner import run_checks

    start = time.monotonic()
    try:
        connection = connect(settings, context=context, snapshot_dir=snapshot_dir)
    except ClusterAccessError as exc:
        return ScanReport(cluster=context or "", problems=(_one_line(f"{exc}; {exc.hint}"),),
                          elapsed_seconds=time.monotonic() - start)
    reader = ClusterReader(connection, deadline=start + min(settings.timeout, settings.budget))
    findings: list[Finding] = []
    problems: list[str] = []
    done: list[str] = []
    pods: list[Any] = []

    def read_pods() -> list[Finding]:
        pods.extend(reader.pods())  # kept: they tell a stuck StatefulSet or DaemonSet from one still rolling out
        return pod_findings(pods)

    reads = (("Warning events", lambda: event_findings(reader.events(field_selector="type=Warning"))),
             ("nodes", lambda: node_findings(reader.nodes())),
             ("pods", read_pods),
             ("workloads", lambda: workload_findings(reader, pods if "pods" in done else None)))
    try:
        for what, read in reads:
            try:
                findings.extend(read())
                done.append(what)
            except ClusterAccessError as exc:
                problems.append(_one_line(f"{what}: {exc}; {exc.hint}"))
    finally:
        connection.close()
    grouped: dict[str | None, list[Finding]] = {}
    entries: dict[str, Any] = {}
    for finding in findings:
        best = _best(matcher, finding.text)
        topic = best.entry.id if best is not None else None
        if best is not None:
            entries[topic] = best.entry  # type: ignore[index]
        grouped.setdefault(topic, []).append(finding)
    results_by_check: dict[str, CheckResult] = {}
    if run_verdicts and entries:
        wanted: list[str] = []
        for topic, entry in entries.items():
            wanted.extend(tuple(entry.checks) or checks_for_topic(topic))
        runnable = [c for c in dict.fromkeys(wanted) if c in CHECKS and not CHECKS[c].needs]
        left = max(0.01, settings.budget - (time.monotonic() - start))  # the reads count against the budget
        if runnable:
            report = run_checks(runnable, CheckInputs(), dataclasses.replace(settings, budget=left), context=context,
                                snapshot_dir=snapshot_dir)
            results_by_check = {r.check_id: r for r in report.results}
    groups = []
    for topic, items in grouped.items():
        entry = entries.get(topic) if topic else None
        title = entry.text_in("en").title if entry is not None else ""
        check_ids = (tuple(entry.checks) or checks_for_topic(topic)) if entry is not None and topic else ()
        results = tuple(results_by_check[c] for c in check_ids if c in results_by_check)
        groups.append(TopicGroup(topic, title, tuple(items), results))
    groups.sort(key=lambda g: (g.topic is None, -g.count, g.topic or ""))
    return ScanReport(cluster=connection.cluster, findings=tuple(findings), groups=tuple(groups),
                      elapsed_seconds=time.monotonic() - start, problems=tuple(problems), read=tuple(done))
