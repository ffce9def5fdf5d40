"""cluster-dns: kube-dns/CoreDNS pods and restarts, the kube-dns Service and endpoints, log signatures."""

from __future__ import annotations

from functools import partial

from bot.checks._objects import plural, pod_problem, restarts, scan_log, signature
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "cluster-dns"
NAMESPACE = "kube-system"
SELECTOR = "k8s-app=kube-dns"
SERVICE = "kube-dns"
MAX_PODS_LOGGED = 3

SIGNATURES = (
    signature("upstream-timeout", "forwarding to the upstream DNS server times out",
              r"failure to forward request|plugin/(?:forward|errors).*(?:i/o timeout|no route to host)|"
              r"read udp [^ ]+->[^ ]+:53: i/o timeout"),
    signature("apiserver-timeout", "DNS cannot reach the API server",
              r"Failed to list \*v1\.(?:Endpoints|Service|Namespace|EndpointSlice)|"
              r"Waiting for services and endpoints to be initialized from apiserver|"
              r"plugin/kubernetes.*(?:i/o timeout|connection refused)"),
)
TOPICS_BY_SIGNATURE = {
    "upstream-timeout": ("kube-dns-upstream-timeout", "pod-dns-forward-drop", "cluster-dns-not-working"),
    "apiserver-timeout": ("kube-dns-apiserver-timeout", "cluster-dns-not-working"),
}
UNHEALTHY_TOPICS = ("kube-dns-unhealthy", "cluster-dns-not-working")


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Check the cluster DNS pods, Service, endpoints and logs."""
    topics = CHECKS[CHECK_ID].topics
    found: set[str] = set()
    evidence: list[str] = []
    pods = reader.pods(NAMESPACE, label_selector=SELECTOR)
    if not pods:
        found.update(UNHEALTHY_TOPICS)
        evidence.append("no pods labelled k8s-app=kube-dns in kube-system")
    ready = 0
    for pod in pods:
        problem = pod_problem(pod)
        count = restarts(pod)
        if problem:
            found.update(UNHEALTHY_TOPICS)
            evidence.append(f"pod {pod.metadata.name}: {problem}, {plural(count, 'restart')}")
        else:
            ready += 1
    service, note = reader.try_read(lambda: reader.service(NAMESPACE, SERVICE))
    if note:
        evidence.append(f"Service not read: {note}")
    elif service is None:
        found.update(UNHEALTHY_TOPICS)
        evidence.append("Service kube-system/kube-dns does not exist")
    else:
        endpoints, note = reader.try_read(lambda: reader.endpoints(NAMESPACE, SERVICE))
        addresses = sum(len(s.addresses or []) for s in ((endpoints.subsets or []) if endpoints else []))
        if note:
            evidence.append(f"endpoints not read: {note}")
        elif addresses == 0:
            found.update(UNHEALTHY_TOPICS)
            evidence.append(f"Service kube-dns ({service.spec.cluster_ip}) has no ready endpoints")
        else:
            evidence.append(f"Service kube-dns ({service.spec.cluster_ip}): {plural(addresses, 'endpoint')}")
    logged = sorted(pods, key=lambda p: (pod_problem(p) is None, -restarts(p)))[:MAX_PODS_LOGGED]
    for pod in logged:
        for container in pod.spec.containers:
            text, note = reader.try_read(partial(reader.pod_log, NAMESPACE, pod.metadata.name, container.name))
            if note:
                evidence.append(f"log of {pod.metadata.name}/{container.name} not read: {note}")
                continue
            for key, lines in scan_log(text or "", SIGNATURES).items():
                found.update(TOPICS_BY_SIGNATURE[key])
                meaning = next(s.meaning for s in SIGNATURES if s.key == key)
                evidence.extend(f"{pod.metadata.name}/{container.name} ({meaning}): {line}" for line in lines)
    if found:
        parts = []
        if "kube-dns-unhealthy" in found:
            parts.append(f"{ready}/{len(pods)} DNS pods healthy")
        if "kube-dns-upstream-timeout" in found:
            parts.append("upstream forwarding times out")
        if "kube-dns-apiserver-timeout" in found:
            parts.append("DNS cannot reach the API server")
        return CheckResult(CHECK_ID, "confirmed", "cluster DNS is unhealthy: " + "; ".join(parts),
                           tuple(evidence), tuple(t for t in topics if t in found))
    return CheckResult(CHECK_ID, "not confirmed",
                       f"{ready}/{len(pods)} DNS pods ready, Service and endpoints present, no error signatures",
                       tuple(evidence), topics)
