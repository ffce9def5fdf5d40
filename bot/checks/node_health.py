"""node-health: Ready, Disk/Memory/PID pressure, NetworkUnavailable, kubelet version, node events."""

from __future__ import annotations

from typing import Any

from bot.checks._objects import condition, event_count, event_text, node_os, node_ready_status, plural
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "node-health"
PRESSURES = ("DiskPressure", "MemoryPressure", "PIDPressure", "NetworkUnavailable")
EVENT_TOPICS = {
    "FreeDiskSpaceFailed": "node-disk-full",
    "ImageGCFailed": "node-disk-full",
    "EvictionThresholdMet": "node-disk-full",
    "FailedNodeAllocatableEnforcement": "kubelet-node-allocatable",
    "SystemOOM": "kubelet-memory-leak",
    "NodeNotReady": "node-notready",
}
"""Node event reasons that point at a topic."""
CONDITION_TOPICS = {"DiskPressure": "node-disk-full", "NetworkUnavailable": "node-notready"}


def node_findings(node: Any) -> tuple[list[str], set[str]]:
    """What is wrong with one node, and the topics that implies."""
    problems: list[str] = []
    topics: set[str] = set()
    ready = node_ready_status(node)
    if ready != "Ready":
        cond = condition(node, "Ready")
        why = f" ({cond.reason}: {cond.message})" if cond is not None and (cond.reason or cond.message) else ""
        problems.append(f"{ready}{why}")
        topics.add("node-notready")
    for kind in PRESSURES:
        cond = condition(node, kind)
        if cond is not None and cond.status == "True":
            problems.append(f"{kind}" + (f" ({cond.message})" if cond.message else ""))
            topics.add(CONDITION_TOPICS.get(kind, "node-notready"))
    return problems, topics


def describe_node(node: Any, *, state: bool = True) -> str:
    """One line: name, Ready state, OS and kubelet version."""
    info = node.status and node.status.node_info
    kubelet = info.kubelet_version if info else "?"
    ready = f"{node_ready_status(node)}, " if state else ""
    return f"node {node.metadata.name} ({ready}{node_os(node)}, kubelet {kubelet})"


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Look at every node (or ``inputs.node``) and its recent Warning events."""
    if inputs.node:
        node = reader.node(inputs.node)
        if node is None:
            return CheckResult(CHECK_ID, "inconclusive", f"node {inputs.node} does not exist in this cluster",
                               (), CHECKS[CHECK_ID].topics)
        nodes = [node]
    else:
        nodes = reader.nodes()
    if not nodes:
        return CheckResult(CHECK_ID, "inconclusive", "the cluster has no nodes registered", (),
                           ("node-notready",))
    evidence: list[str] = []
    topics: set[str] = set()
    bad: list[str] = []
    for node in nodes:
        problems, node_topics = node_findings(node)
        if problems:
            bad.append(node.metadata.name)
            evidence.append(f"{describe_node(node, state=False)}: {'; '.join(problems)}")
            topics |= node_topics
    names = {n.metadata.name for n in nodes}
    events, note = reader.try_read(lambda: reader.events(field_selector="involvedObject.kind=Node,type=Warning"))
    for event in events or []:
        obj = event.involved_object
        if obj is None or obj.name not in names:
            continue
        topic = EVENT_TOPICS.get(event.reason or "")
        if topic:
            topics.add(topic)
        evidence.append(f"event on node {obj.name} (x{event_count(event)}): {event_text(event)}")
    if note:
        evidence.append(f"node events not read: {note}")
    if bad or topics:
        unhealthy = f"{plural(len(bad), 'node')} of {len(nodes)} unhealthy: {', '.join(bad[:5])}" if bad else \
            "all nodes Ready, but their events show problems"
        ordered = tuple(t for t in CHECKS[CHECK_ID].topics if t in topics)
        return CheckResult(CHECK_ID, "confirmed", unhealthy, tuple(evidence), ordered)
    versions = sorted({(n.status.node_info.kubelet_version if n.status and n.status.node_info else "?")
                       for n in nodes})
    evidence.extend(describe_node(n) for n in nodes[:5])
    return CheckResult(CHECK_ID, "not confirmed",
                       f"{plural(len(nodes), 'node')} Ready, no pressure conditions, no Warning node events "
                       f"(kubelet {', '.join(versions)})", tuple(evidence), CHECKS[CHECK_ID].topics)
