"""windows-nodes: Windows nodes Ready, kube-proxy and flannel pods on them, flannel init crash loops."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.checks._objects import (
    event_text,
    node_os,
    node_ready_status,
    plural,
    pod_problem,
    pods_by_node,
    restarts,
    scan_log,
    signature,
)
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "windows-nodes"
FLANNEL_SELECTOR = "app=flannel"
MAX_WINDOWS_NODES = 10
MAX_LOGS = 3
LOG_SIGNATURES = (
    signature("waiting-for-network", "flanneld waits for the HNS network", r"Waiting for the network to be created"),
)
SUBNET_ENV = "/run/flannel/subnet.env"


def is_flannel(pod: Any) -> bool:
    """True for a flannel pod (by label or name)."""
    meta = pod.metadata
    return (meta.labels or {}).get("app") == "flannel" or "flannel" in (meta.name or "")


def is_kube_proxy(pod: Any) -> bool:
    """True for a kube-proxy pod (by label or name)."""
    meta = pod.metadata
    return (meta.labels or {}).get("k8s-app", "").startswith("kube-proxy") or "kube-proxy" in (meta.name or "")


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Check Windows nodes and every flannel pod."""
    topics = CHECKS[CHECK_ID].topics
    nodes = {n.metadata.name: n for n in reader.nodes()}
    if inputs.node and inputs.node not in nodes:
        return CheckResult(CHECK_ID, "inconclusive", f"node {inputs.node} does not exist in this cluster", (), topics)
    windows = [n for name, n in sorted(nodes.items())
               if node_os(n) == "windows" and (not inputs.node or name == inputs.node)]
    found: set[str] = set()
    evidence: list[str] = []
    bad_nodes: list[str] = []
    for node in windows[:MAX_WINDOWS_NODES]:
        name = node.metadata.name
        ready = node_ready_status(node)
        if ready != "Ready":
            found.add("win-node-health")
            bad_nodes.append(name)
        on_node = reader.pods(field_selector=f"spec.nodeName={name}")
        agents = [p for p in on_node if is_kube_proxy(p) or is_flannel(p)]
        info = node.status.node_info if node.status else None
        evidence.append(f"Windows node {name}: {ready}, {info.os_image if info else '?'}, "
                        f"kubelet {info.kubelet_version if info else '?'}, "
                        f"{plural(len(agents), 'kube-proxy/flannel pod')}")
        if not agents:
            evidence.append(f"  no kube-proxy or flannel pod on {name}: on Windows they may run as services "
                            "(Get-Service kubelet, kube-proxy, flanneld)")
        for pod in agents:
            problem = pod_problem(pod)
            if problem:
                found.add("win-node-health")
                if name not in bad_nodes:
                    bad_nodes.append(name)
                evidence.append(f"  pod {pod.metadata.namespace}/{pod.metadata.name}: {problem}, "
                                f"{plural(restarts(pod), 'restart')}")
    windows_names = {n.metadata.name for n in windows}
    flannel = [p for p in reader.pods(label_selector=FLANNEL_SELECTOR)
               if not inputs.node or (p.spec and p.spec.node_name == inputs.node)]
    crashing = []
    for node_name, node_pods in sorted(pods_by_node(flannel).items()):
        for pod in node_pods:
            state = pod_problem(pod) or ""
            if state.startswith("Init:") and node_name not in windows_names:
                found.add("flannel-init-crashloop-selinux")
                crashing.append(pod)
                evidence.append(f"flannel pod {pod.metadata.name} on Linux node {node_name}: {state}")
            elif state and node_name not in windows_names:
                evidence.append(f"flannel pod {pod.metadata.name} on {node_name}: {state}")
    for pod in [p for p in flannel if pod_problem(p)][:MAX_LOGS]:
        for container in pod.spec.containers:
            text, _ = reader.try_read(partial(reader.pod_log, pod.metadata.namespace, pod.metadata.name,
                                              container.name))
            for line in scan_log(text or "", LOG_SIGNATURES).get("waiting-for-network", []):
                found.add("win-flanneld-waiting-for-network")
                evidence.append(f"{pod.metadata.name}: {line}")
    if windows_names:
        events, _ = reader.try_read(lambda: reader.events(field_selector="reason=FailedCreatePodSandBox"))
        for event in events or []:
            if SUBNET_ENV in (event.message or "") and (event.source and event.source.host) in windows_names:
                found.add("win-flannel-subnet-env-missing")
                evidence.append(f"on {event.source.host}: {event_text(event)}")
                break
    if found:
        if bad_nodes:
            summary = f"{plural(len(bad_nodes), 'Windows node')} unhealthy: {', '.join(bad_nodes[:3])}"
        elif crashing:
            summary = f"flannel is in Init:CrashLoopBackOff on {plural(len(crashing), 'Linux node')}"
        else:
            summary = "flannel on Windows nodes reports errors"
        return CheckResult(CHECK_ID, "confirmed", summary, tuple(evidence), tuple(t for t in topics if t in found))
    if not windows:
        return CheckResult(CHECK_ID, "inconclusive", "no Windows node is registered"
                           + (f"; {plural(len(flannel), 'flannel pod')} healthy" if flannel else ""),
                           tuple(evidence), topics)
    return CheckResult(CHECK_ID, "not confirmed", f"{plural(len(windows), 'Windows node')} Ready, their kube-proxy "
                       f"and flannel pods healthy", tuple(evidence), topics)
