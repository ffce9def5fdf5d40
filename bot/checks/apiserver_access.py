"""apiserver-access: can the bot reach the API server, and may it make the reads the checks need.

From the bot's vantage point: ``/version`` and ``/readyz``, the ``kubernetes`` Service endpoints,
and one minimal list per resource the checks read.
"""

from __future__ import annotations

from bot.checks._reader import ClusterReader, Read
from bot.checks.catalog import CHECKS
from bot.checks.errors import Forbidden, TimedOut, TlsFailure, Unreachable
from bot.checks.reads import READS, ApiRead
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "apiserver-access"

PROBES: tuple[ApiRead, ...] = tuple(read for read in READS if "list" in read.verbs and not read.subresource)
"""One minimal list (limit=1) per declared resource; logs are probed on a pod of each log namespace."""
LOG_PROBES: tuple[ApiRead, ...] = tuple(read for read in READS if read.subresource == "log")


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
    """The declared reads the credentials are refused."""
    missing = []
    for read in PROBES:
        namespace = read.namespaces[0] if read.namespaces else None
        if not reader.can_list(read, namespace):
            missing.append(Read("list", read.group, read.resource, namespace).describe())
    for read in LOG_PROBES:
        for namespace in read.namespaces or ("kube-system",):
            pods, _ = reader.try_read(lambda ns=namespace: reader.pods(ns))  # type: ignore[misc]
            if not pods:
                continue
            pod = pods[0]
            try:
                reader.pod_log(namespace, pod.metadata.name, pod.spec.containers[0].name, tail_lines=1, limit_bytes=1)
            except Forbidden:
                missing.append(Read("get", read.group, read.rbac_resource, namespace).describe())
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
        topic = "apiserver-cert-unable-to-connect" if isinstance(exc, TlsFailure) else "aks-apiserver-dial-timeout"
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
