"""control-plane: the kube-system static pods (apiserver, controller-manager, scheduler, etcd)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from bot.checks._objects import labels, plural, pod_problem, restarts, scan_log, signature
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "control-plane"
NAMESPACE = "kube-system"
COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")
RESTART_WARNING = 3
STALE_CACHE = signature("stale", "updates conflict with a stale cache",
                        r"Operation cannot be fulfilled on .*the object has been modified")


def component_of(pod: Any) -> str | None:
    """Which control-plane component a kube-system pod is, or None."""
    component = labels(pod).get("component")
    if component in COMPONENTS:
        return component
    name = pod.metadata.name or ""
    return next((c for c in COMPONENTS if name.startswith(f"{c}-")), None)


def started_at(pod: Any) -> datetime | None:
    """When the pod's first container last started."""
    for cs in (pod.status and pod.status.container_statuses) or []:
        if cs.state and cs.state.running and cs.state.running.started_at:
            return cs.state.running.started_at
    return None


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Check every control-plane static pod, etcd restarts against the controller-manager, its log."""
    topics = CHECKS[CHECK_ID].topics
    pods = [p for p in reader.pods(NAMESPACE) if component_of(p)]
    if not pods:
        return CheckResult(CHECK_ID, "inconclusive", "no control-plane pods in kube-system: the control plane is "
                           "managed by the provider or runs as system services (journalctl -u kube-apiserver)",
                           (), topics)
    found: set[str] = set()
    evidence: list[str] = []
    by_component: dict[str, list[Any]] = {}
    for pod in pods:
        by_component.setdefault(component_of(pod) or "", []).append(pod)
        problem = pod_problem(pod)
        count = restarts(pod)
        if problem:
            found.add("master-debugging")
            evidence.append(f"{pod.metadata.name}: {problem}, {plural(count, 'restart')}")
        elif count >= RESTART_WARNING:
            evidence.append(f"{pod.metadata.name}: Running, {plural(count, 'restart')}")
    missing = [c for c in COMPONENTS if c not in by_component]
    if missing:
        evidence.append(f"no pod for {', '.join(missing)} (external or managed)")
    etcd_start = max((s for p in by_component.get("etcd", []) if (s := started_at(p))), default=None)
    for pod in by_component.get("kube-controller-manager", []):
        cm_start = started_at(pod)
        if etcd_start and cm_start and etcd_start > cm_start:
            found.add("controller-manager-stale-after-etcd-restore")
            evidence.append(f"etcd restarted at {etcd_start:%Y-%m-%d %H:%M:%S}, after {pod.metadata.name} started "
                            f"({cm_start:%Y-%m-%d %H:%M:%S}): its cache may predate an etcd restore")
        text, note = reader.try_read(partial(reader.pod_log, NAMESPACE, pod.metadata.name,
                                             pod.spec.containers[0].name))
        if note:
            evidence.append(f"log of {pod.metadata.name} not read: {note}")
        lines = scan_log(text or "", (STALE_CACHE,)).get("stale", [])
        if lines and "controller-manager-stale-after-etcd-restore" in found:
            evidence.extend(f"{pod.metadata.name}: {line}" for line in lines)
    if found:
        summary = ("control-plane components are unhealthy" if "master-debugging" in found
                   else "kube-controller-manager started before etcd's last restart")
        return CheckResult(CHECK_ID, "confirmed", summary, tuple(evidence), tuple(t for t in topics if t in found))
    present = ", ".join(c for c in COMPONENTS if c in by_component)
    return CheckResult(CHECK_ID, "not confirmed", f"control-plane pods ready ({present})", tuple(evidence), topics)
