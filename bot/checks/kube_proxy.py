"""kube-proxy: its DaemonSet and pods ready per node, and its logs scanned for known signatures."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.checks._objects import plural, pod_problem, restarts, scan_log, signature
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "kube-proxy"
NAMESPACE = "kube-system"
SELECTOR = "k8s-app=kube-proxy"
MAX_LOGS = 5
"""Logs read per run: the node asked about, else unhealthy pods first."""

ERRORS = (
    signature("conntrack-missing", "the conntrack binary is missing on the node",
              r"error looking for path of conntrack|\"conntrack\": executable file not found"),
    signature("iptables-restore", "iptables rules could not be written",
              r"Failed to execute iptables-restore|iptables-restore: line \d+ failed"),
    signature("apiserver", "kube-proxy cannot reach the API server",
              r"Failed to (?:list|watch) \*v1\.(?:Endpoints|Service|EndpointSlice)|dial tcp [^ ]+:443: i/o timeout"),
)
INFO = (
    signature("proxier", "proxy mode", r"Using (?:iptables|ipvs|nftables|userspace|kernelspace|winkernel) Proxier"),
    signature("endpoints", "programming endpoints", r"Setting endpoints for"),
)
ERROR_TOPICS = {"conntrack-missing": ("kube-proxy-conntrack-missing", "kube-proxy-not-working")}


def _pods_for_logs(pods: list[Any], node: str | None) -> list[Any]:
    if node:
        return [p for p in pods if p.spec and p.spec.node_name == node]
    unhealthy = [p for p in pods if pod_problem(p) or restarts(p)]
    healthy = [p for p in pods if p not in unhealthy]
    return (unhealthy + healthy)[:MAX_LOGS]


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Check the kube-proxy pods (all, or the one on ``inputs.node``) and their logs."""
    topics = CHECKS[CHECK_ID].topics
    pods = reader.pods(NAMESPACE, label_selector=SELECTOR)
    daemonset, ds_note = reader.try_read(lambda: reader.daemonset(NAMESPACE, "kube-proxy"))
    if not pods:
        return CheckResult(CHECK_ID, "inconclusive",
                           "no kube-proxy pods in kube-system: it may run as a system service (journalctl -u "
                           "kube-proxy on the node) or be replaced by the CNI", (), topics)
    evidence: list[str] = []
    found: set[str] = set()
    if daemonset is not None and daemonset.status is not None:
        st = daemonset.status
        evidence.append(f"DaemonSet kube-proxy: {st.number_ready or 0}/{st.desired_number_scheduled or 0} ready")
        if (st.number_ready or 0) < (st.desired_number_scheduled or 0):
            found.add("kube-proxy-not-working")
    elif ds_note:
        evidence.append(f"DaemonSet not read: {ds_note}")
    selected = [p for p in pods if not inputs.node or (p.spec and p.spec.node_name == inputs.node)]
    if inputs.node and not selected:
        found.add("kube-proxy-not-working")
        evidence.append(f"no kube-proxy pod on node {inputs.node}")
    for pod in selected:
        problem = pod_problem(pod)
        if problem:
            found.add("kube-proxy-not-working")
            evidence.append(f"pod {pod.metadata.name} on {pod.spec.node_name}: {problem}, "
                            f"{plural(restarts(pod), 'restart')}")
    proxier = ""
    for pod in _pods_for_logs(selected, inputs.node):
        container = pod.spec.containers[0].name
        text, note = reader.try_read(partial(reader.pod_log, NAMESPACE, pod.metadata.name, container))
        if note:
            evidence.append(f"log of {pod.metadata.name} not read: {note}")
            continue
        hits = scan_log(text or "", (*ERRORS, *INFO))
        for sig in ERRORS:
            for line in hits.get(sig.key, []):
                found.update(ERROR_TOPICS.get(sig.key, ("kube-proxy-not-working",)))
                evidence.append(f"{pod.metadata.name} ({sig.meaning}): {line}")
        if hits.get("proxier") and not proxier:
            proxier = hits["proxier"][0]
    if proxier:
        evidence.append(f"mode: {proxier}")
    where = f"on node {inputs.node}" if inputs.node else f"on {plural(len(selected), 'node')}"
    if found:
        summary = ("kube-proxy cannot find the conntrack binary" if "kube-proxy-conntrack-missing" in found
                   else f"kube-proxy is unhealthy {where}")
        return CheckResult(CHECK_ID, "confirmed", summary, tuple(evidence),
                           tuple(t for t in topics if t in found))
    return CheckResult(CHECK_ID, "not confirmed", f"kube-proxy pods ready {where}, no error signatures in "
                       "their logs", tuple(evidence), topics)
