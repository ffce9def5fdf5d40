"""apiserver-access: can the bot reach the API server, and may it make the reads the checks need.

From the bot's vantage point: ``/version`` and ``/readyz``, the ``kubernetes`` Service endpoints,
and one minimal list per resource the checks read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.checks._reader import ClusterReader, Read
from bot.checks._workload_reads import PROBES as WORKLOAD_PROBES
from bot.checks.catalog import CHECKS
from bot.checks.errors import Forbidden, TimedOut, Unreachable
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "apiserver-access"
TLS_WORDS = ("certificate", "ssl", "tls", "x509")

PROBES: tuple[tuple[Read, Callable[[ClusterReader], tuple[Callable[..., Any], tuple[Any, ...]]]], ...] = (
    (Read("list", "", "nodes"), lambda r: (r.core.list_node, ())),
    (Read("list", "", "pods"), lambda r: (r.core.list_pod_for_all_namespaces, ())),
    (Read("list", "", "services"), lambda r: (r.core.list_service_for_all_namespaces, ())),
    (Read("list", "", "endpoints"), lambda r: (r.core.list_endpoints_for_all_namespaces, ())),
    (Read("list", "", "events"), lambda r: (r.core.list_event_for_all_namespaces, ())),
    (Read("list", "apps", "daemonsets"), lambda r: (r.apps.list_daemon_set_for_all_namespaces, ())),
    (Read("list", "networking.k8s.io", "networkpolicies"),
     lambda r: (r.networking.list_network_policy_for_all_namespaces, ())),
    (Read("list", "apiregistration.k8s.io", "apiservices"), lambda r: (r.apiregistration.list_api_service, ())),
    (Read("list", "autoscaling", "horizontalpodautoscalers"),
     lambda r: (r.autoscaling.list_horizontal_pod_autoscaler_for_all_namespaces, ())),
    *WORKLOAD_PROBES,
)
"""One minimal list (limit=1) per resource the checks read; pods/log is probed on a kube-system pod."""


def wrapped(first: str, then: str, items: list[str], width: int = 250) -> list[str]:
    """``items`` joined with ``; `` over lines of at most about ``width`` characters (evidence lines are cut)."""
    lines: list[str] = []
    current: list[str] = []
    for entry in items:
        prefix = then if lines else first
        if current and len(prefix) + len("; ".join([*current, entry])) > width:
            lines.append(prefix + "; ".join(current))
            current = []
        current.append(entry)
    if current:
        lines.append((then if lines else first) + "; ".join(current))
    return lines


def missing_reads(reader: ClusterReader) -> list[str]:
    """The reads the checks need that the credentials are refused."""
    missing = []
    for read, probe in PROBES:
        method, args = probe(reader)
        if not reader.can(read, method, *args, limit=1):
            missing.append(read.describe())
    pods, _ = reader.try_read(lambda: reader.pods("kube-system"))
    if pods:
        pod = pods[0]
        log = Read("get", "", "pods/log", "kube-system")
        if not reader.can(log, reader.core.read_namespaced_pod_log, pod.metadata.name, "kube-system",
                          container=pod.spec.containers[0].name, tail_lines=1, limit_bytes=1):
            missing.append(log.describe())
    return missing


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Reach the API server, check readiness and the default ``kubernetes`` Service, probe permissions."""
    topics = CHECKS[CHECK_ID].topics
    server = reader.connection.server
    if reader.snapshot:
        return CheckResult(CHECK_ID, "inconclusive", "a snapshot cannot show whether the API server is reachable "
                           "or what the bot may read", (), topics)
    try:
        version = reader.version()
    except TimedOut as exc:
        return CheckResult(CHECK_ID, "confirmed", f"the API server at {server} does not answer from here",
                           (str(exc), f"what to do: {exc.hint}"), ("aks-apiserver-dial-timeout",))
    except Unreachable as exc:
        tls = any(word in str(exc).lower() for word in TLS_WORDS)
        topic = "apiserver-cert-unable-to-connect" if tls else "aks-apiserver-dial-timeout"
        return CheckResult(CHECK_ID, "confirmed", f"cannot connect to the API server at {server}",
                           (str(exc), f"what to do: {exc.hint}"), (topic,))
    except Forbidden as exc:
        return CheckResult(CHECK_ID, "confirmed", "the API server refuses the credentials",
                           (str(exc), f"what to do: {exc.hint}"), ("apiserver-403-forbidden",))
    evidence = [f"API server {server}: {version.git_version} ({version.platform})"]
    found: list[str] = []
    status, body = reader.readyz()
    if status != 200:
        failing = [line.strip() for line in body.splitlines() if line.startswith("[-]")]
        found.append("master-debugging")
        evidence.append(f"/readyz answered {status}: {', '.join(failing[:5]) or body.strip()[:200]}")
    else:
        evidence.append("/readyz: ok")
    service, note = reader.try_read(lambda: reader.service("default", "kubernetes"))
    endpoints, note2 = reader.try_read(lambda: reader.endpoints("default", "kubernetes"))
    addresses = [a.ip for s in ((endpoints.subsets or []) if endpoints else []) for a in (s.addresses or [])]
    if note or note2:
        evidence.append(f"kubernetes Service not read: {note or note2}")
    elif service is None or not addresses:
        found.append("nodes-cannot-reach-apiserver")
        evidence.append("the default/kubernetes Service has no endpoints: pods cannot reach the API server")
    else:
        evidence.append(f"default/kubernetes Service {service.spec.cluster_ip} -> {', '.join(addresses[:3])}")
    missing = missing_reads(reader)
    if missing:
        found.append("apiserver-403-forbidden")
        evidence.extend(wrapped("the credentials may not: ", "nor: ", missing))
    if found:
        summary = ("the bot may not make " + ", ".join(missing[:3]) + ("..." if len(missing) > 3 else "")
                   if missing and len(found) == 1 else "the API server answers, but " + ", ".join(
                       {"master-debugging": "it is not ready", "nodes-cannot-reach-apiserver":
                        "the kubernetes Service has no endpoints", "apiserver-403-forbidden":
                        "some reads are forbidden"}[t] for t in found))
        return CheckResult(CHECK_ID, "confirmed", summary, tuple(evidence), tuple(found))
    return CheckResult(CHECK_ID, "not confirmed", f"API server {version.git_version} reachable and ready; every "
                       f"read the checks need is permitted", tuple(evidence), topics)
