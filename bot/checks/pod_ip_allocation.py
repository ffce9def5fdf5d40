"""pod-ip-allocation: sandbox address-allocation errors, pods stuck creating, pod CIDR use per node."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from bot.checks._objects import event_count, event_text, node_os, plural, pod_state, pods_by_node
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "pod-ip-allocation"
ALLOCATION_ERROR = re.compile(
    r"failed to allocate for range|no available addresses|not enough IPs available|"
    r"no IP addresses available in range set|failed to assign an IP address|AllocateIPConfig failed|"
    r"failed to allocate (?:an? )?ip|ipam.*(?:exhausted|no free)|range is full", re.IGNORECASE)
CIDR_FULL_RATIO = 0.9
RESERVED_ADDRESSES = 3
"""Network, gateway and broadcast addresses a node's pod range cannot hand out."""


def cidr_capacity(cidr: str | None) -> int | None:
    """Usable pod addresses in a node's pod CIDR, or None when it has none or it is invalid."""
    if not cidr:
        return None
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
    return max(0, min(network.num_addresses, 1 << 20) - RESERVED_ADDRESSES)


def event_node(event: Any, pod_nodes: dict[str, str]) -> str:
    """The node an event happened on: its source host, else the node of its pod."""
    host = event.source.host if event.source else None
    obj = event.involved_object
    return host or (pod_nodes.get(f"{obj.namespace}/{obj.name}", "") if obj else "") or "?"


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Look for address-allocation failures, pods stuck in ContainerCreating and full pod CIDRs."""
    topics = CHECKS[CHECK_ID].topics
    nodes = {n.metadata.name: n for n in reader.nodes()}
    if inputs.node and inputs.node not in nodes:
        return CheckResult(CHECK_ID, "inconclusive", f"node {inputs.node} does not exist in this cluster", (), topics)
    pods = reader.pods(inputs.namespace, field_selector=f"spec.nodeName={inputs.node}" if inputs.node else None)
    pod_nodes = {f"{p.metadata.namespace}/{p.metadata.name}": (p.spec.node_name or "") for p in pods}
    events = reader.events(inputs.namespace, field_selector="reason=FailedCreatePodSandBox")
    found: set[str] = set()
    evidence: list[str] = []
    failing_nodes: dict[str, int] = {}
    for event in events:
        if not ALLOCATION_ERROR.search(event.message or ""):
            continue
        where = event_node(event, pod_nodes)
        if inputs.node and where != inputs.node:
            continue
        failing_nodes[where] = failing_nodes.get(where, 0) + event_count(event)
        if failing_nodes[where] == event_count(event):
            obj = event.involved_object
            evidence.append(f"{obj.namespace}/{obj.name} on {where}: {event_text(event)}")
    for where, count in failing_nodes.items():
        found.add("pod-ip-allocation-failed")
        windows = where in nodes and node_os(nodes[where]) == "windows"
        if windows:
            found.add("win-ipam-range-exhausted")
        evidence.append(f"node {where}{' (Windows)' if windows else ''}: "
                        f"{plural(count, 'address allocation failure')}")
    for node_name, node_pods in sorted(pods_by_node(pods).items()):
        if not node_name or (inputs.node and node_name != inputs.node):
            continue
        creating = [p for p in node_pods if pod_state(p) == "ContainerCreating"]
        if creating:
            evidence.append(f"node {node_name}: {plural(len(creating), 'pod')} stuck in ContainerCreating "
                            f"({', '.join(p.metadata.name for p in creating[:3])})")
            if node_name in nodes and node_os(nodes[node_name]) == "windows":
                found.add("win-pods-containercreating")
        node = nodes.get(node_name)
        cidr = node.spec.pod_cidr if node is not None and node.spec else None
        capacity = cidr_capacity(cidr)
        if capacity and inputs.namespace is None:
            used = sum(1 for p in node_pods if p.status and p.status.pod_ip and not p.spec.host_network
                       and p.status.phase in ("Running", "Pending"))
            if used >= CIDR_FULL_RATIO * capacity:
                found.add("pod-ip-allocation-failed")
                evidence.append(f"node {node_name}: {used} pod IPs in use of {capacity} in {cidr}")
    if found:
        ordered = tuple(t for t in topics if t in found)
        worst = max(failing_nodes, key=lambda n: failing_nodes[n]) if failing_nodes else ""
        summary = (f"pods cannot get an IP address on node {worst}" if worst
                   else "pod IP ranges are nearly exhausted" if "pod-ip-allocation-failed" in found
                   else "pods are stuck in ContainerCreating on Windows nodes")
        return CheckResult(CHECK_ID, "confirmed", summary, tuple(evidence), ordered)
    if any("ContainerCreating" in line for line in evidence):
        return CheckResult(CHECK_ID, "inconclusive", "pods are stuck in ContainerCreating, but no address "
                           "allocation errors appear in events", tuple(evidence), topics)
    scope = f"node {inputs.node}" if inputs.node else plural(len(nodes), "node")
    return CheckResult(CHECK_ID, "not confirmed", f"no address allocation failures, no pod stuck creating "
                       f"({scope})", tuple(evidence), topics)
