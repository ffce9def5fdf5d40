"""scheduling: why Pending pods get no node: FailedScheduling reasons, node allocatable against requests.

The scheduler's message (``0/3 nodes are available: 1 node(s) had untolerated taint {...}, 2
Insufficient memory. preemption: ...``) is split into its reasons, each counted on its nodes. Only
pods that are still unscheduled count: an old event about a pod that has a node since is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.checks._light import timestamp
from bot.checks._objects import condition, plural, ref
from bot.checks._quantity import format_quantity, pod_requests, quantity_or_zero
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "scheduling"
MAX_NODES_SHOWN = 3
_PREFIX = re.compile(r"^\s*\d+/\d+ nodes are available:\s*", re.I)
_PREEMPTION = re.compile(r"\s*preemption:", re.I)
_ITEM_SPLIT = re.compile(r",\s*(?=\d+\s)|\.\s+(?=\d+\s|[A-Za-z])")
_COUNT = re.compile(r"^(\d+)\s+(.*)$")
RULES: tuple[tuple[str | None, str, re.Pattern[str]], ...] = (
    ("pvc-pending", "unbound PersistentVolumeClaims", re.compile(
        r"unbound immediate PersistentVolumeClaims|didn't find available persistent volumes to bind|"
        r"persistentvolumeclaim \"[^\"]*\" not found|PersistentVolumeClaim is being deleted", re.I)),
    ("scheduling-insufficient-resources", "Insufficient {0}", re.compile(r"Insufficient (\S+)", re.I)),
    ("scheduling-insufficient-resources", "Insufficient pods", re.compile(r"Too many pods", re.I)),
    ("scheduling-constraints", "unschedulable (cordoned) nodes", re.compile(
        r"were unschedulable|node\.kubernetes\.io/unschedulable", re.I)),
    ("scheduling-constraints", "untolerated taint {0}", re.compile(r"had (?:untolerated )?taint \{([^}]*)\}", re.I)),
    ("scheduling-constraints", "node affinity/selector mismatch", re.compile(
        r"didn't match (?:Pod's )?node (?:affinity|selector)", re.I)),
    ("scheduling-constraints", "pod affinity/anti-affinity rules", re.compile(
        r"didn't (?:match|satisfy) (?:existing )?pods?(?:'s)? (?:anti-)?affinity", re.I)),
    ("scheduling-constraints", "topology spread constraints", re.compile(r"topology spread constraints", re.I)),
    ("scheduling-constraints", "volume node affinity conflict", re.compile(r"volume node affinity conflict", re.I)),
    (None, "no free host ports", re.compile(r"didn't have free ports", re.I)),
)
"""Scheduler reasons by topic (None: shown, but no topic of this check covers it)."""
PHRASES = {
    "scheduling-insufficient-resources": "no node has enough {}",
    "scheduling-constraints": "{}",
    "pvc-pending": "their PersistentVolumeClaims are not bound",
}


@dataclass(frozen=True)
class Reason:
    """One reason of a FailedScheduling message: topic, label and on how many nodes."""

    topic: str | None
    label: str
    nodes: int | None
    resource: str | None = None
    """For ``Insufficient X``: the resource X."""


def parse_reasons(message: str) -> list[Reason]:
    """The reasons in a FailedScheduling message (the preemption part left out)."""
    body = _PREEMPTION.split(message or "", maxsplit=1)[0]
    body = _PREFIX.sub("", body).strip().rstrip(".")
    reasons: list[Reason] = []
    for item in filter(None, (part.strip().rstrip(".") for part in _ITEM_SPLIT.split(body))):
        m = _COUNT.match(item)
        count, text = (int(m.group(1)), m.group(2)) if m else (None, item)
        for topic, label, pattern in RULES:
            found = pattern.search(text)
            if found:
                detail = found.group(1) if found.groups() else None
                resource = ("pods" if label == "Insufficient pods" else detail) if label.startswith("Insufficient") \
                    else None
                reasons.append(Reason(topic, label.format(detail), count, resource))
                break
        else:
            reasons.append(Reason(None, text, count))
    return reasons


def _when(event: Any) -> float:
    return timestamp(event.last_timestamp or event.event_time or event.first_timestamp)


def _usage(reader: ClusterReader) -> tuple[list[Any], dict[str, dict[str, float]]]:
    """Nodes, and per node the requests of the pods placed on it."""
    nodes = reader.list_light("nodes")
    used: dict[str, dict[str, float]] = {n.metadata.name: {} for n in nodes}
    for pod in reader.list_light("pods", field_selector="status.phase!=Succeeded,status.phase!=Failed"):
        node = pod.spec.node_name if pod.spec else None
        if node in used:
            for name, amount in pod_requests(pod).items():
                used[node][name] = used[node].get(name, 0.0) + amount
    return nodes, used


def free_on_nodes(resource: str, nodes: list[Any], used: dict[str, dict[str, float]]) -> list[str]:
    """``node-a: 1500m free of 2 allocatable`` for the nodes with the most free ``resource``."""
    rows = []
    for node in nodes:
        allocatable = quantity_or_zero(((node.status and node.status.allocatable) or {}).get(resource))
        free = allocatable - used.get(node.metadata.name, {}).get(resource, 0.0)
        cordoned = " (cordoned)" if node.spec is not None and node.spec.unschedulable else ""
        rows.append((free, f"{node.metadata.name}{cordoned} {format_quantity(resource, max(free, 0.0))} free of "
                           f"{format_quantity(resource, allocatable)} allocatable"))
    rows.sort(key=lambda row: -row[0])
    return [text for _, text in rows[:MAX_NODES_SHOWN]]


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Explain every unscheduled Pending pod of the pod, namespace or cluster ``inputs`` name."""
    topics = CHECKS[CHECK_ID].topics
    namespace = inputs.namespace
    selector = "status.phase=Pending" + (f",metadata.name={inputs.pod}" if inputs.pod else "")
    pending = reader.list_light("pods", namespace, field_selector=selector)
    waiting = [p for p in pending if not (p.spec and p.spec.node_name)]
    scope = f"pod {inputs.pod}" if inputs.pod else f"namespace {namespace}" if namespace else "the cluster"
    events, note = reader.try_read(lambda: reader.list_light("events", namespace,
                                                             field_selector="reason=FailedScheduling"))
    latest: dict[str, Any] = {}
    for event in sorted(events or [], key=_when):
        obj = event.involved_object
        if obj is not None and obj.kind in (None, "Pod"):
            latest[f"{obj.namespace}/{obj.name}"] = event
    names = {ref(p) for p in waiting}
    stale = [key for key in latest if key not in names and (not inputs.pod or key.endswith(f"/{inputs.pod}"))]
    evidence: list[str] = []
    found: dict[str, list[str]] = {}
    short: dict[str, list[Any]] = {}
    unexplained: list[str] = []
    for pod in waiting:
        last = latest.get(ref(pod))
        cond = condition(pod, "PodScheduled")
        message = " ".join(str((last.message if last is not None else None)
                               or (cond.message if cond is not None and cond.status == "False" else "") or "").split())
        if not message:
            unexplained.append(ref(pod))
            continue
        reasons = parse_reasons(message)
        evidence.append(f"{ref(pod)}: {_PREEMPTION.split(message, maxsplit=1)[0]}")
        for reason in reasons:
            if reason.topic:
                labels = found.setdefault(reason.topic, [])
                label = f"Insufficient {reason.resource}" if reason.resource else reason.label
                if label not in labels:
                    labels.append(label)
            if reason.resource:
                short.setdefault(reason.resource, []).append(pod)
    if short:
        nodes, used = _usage(reader)
        for resource, pods in short.items():
            for pod in pods[:MAX_NODES_SHOWN]:
                wants = pod_requests(pod).get(resource, 0.0)
                evidence.append(f"{ref(pod)} requests {format_quantity(resource, wants)} {resource}; most free: "
                                f"{'; '.join(free_on_nodes(resource, nodes, used)) or 'no nodes'}")
    if unexplained:
        evidence.append(f"{plural(len(unexplained), 'pod')} Pending without a node and without a FailedScheduling "
                        f"reason ({', '.join(unexplained[:3])}): is the scheduler running, or is the pod's "
                        "schedulerName one that is not?")
    if stale:
        evidence.append(f"{plural(len(stale), 'older FailedScheduling event')} about pods that have a node since "
                        "(or are gone): not counted")
    if note:
        evidence.append(f"FailedScheduling events not read ({note}): judged from the pods' PodScheduled condition")
    if found:
        ordered = tuple(t for t in topics if t in found)
        parts = [PHRASES[t].format(", ".join(label.removeprefix("Insufficient ") for label in found[t]))
                 for t in ordered]
        bad = len([p for p in waiting if ref(p) not in unexplained])
        return CheckResult(CHECK_ID, "confirmed", f"{plural(bad, 'pod')} cannot be scheduled in {scope}: "
                           f"{'; '.join(parts)}", tuple(evidence), ordered)
    if unexplained or waiting:
        return CheckResult(CHECK_ID, "inconclusive", f"{plural(len(waiting), 'pod')} in {scope} wait for a node, "
                           "for reasons this check does not cover", tuple(evidence), topics)
    starting = len(pending) - len(waiting)
    summary = f"no pod waits for a node in {scope}" + (
        f" ({plural(starting, 'Pending pod')} already scheduled, starting)" if starting else "")
    return CheckResult(CHECK_ID, "not confirmed", summary, tuple(evidence), topics)
