"""Which cluster checks exist, what each confirms and what it needs.

Pure data, importable without the Kubernetes client: the KB validator, the
matcher and the CLI read it to resolve check ids and topics cheaply. The code
of a check lives in ``bot/checks/<module>.py``; adding one means a module, a
test module and one :class:`CheckInfo` line below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

InputName = Literal["namespace", "service", "pod", "node"]


@dataclass(frozen=True)
class CheckInfo:
    """What one check is: id, title, the KB topics it speaks to and the inputs it uses."""

    id: str
    title: str
    topics: tuple[str, ...]
    """KB topic ids this check can confirm or rule out."""
    module: str
    """Module under ``bot.checks`` that implements it (a ``run(reader, inputs)`` function)."""
    needs: tuple[InputName, ...] = ()
    """Inputs without which the check cannot decide (it answers ``inconclusive`` and asks for them)."""
    uses: tuple[InputName, ...] = ()
    """Optional inputs that narrow the check (e.g. one node instead of all)."""
    namespaced: bool = False
    """True when the check works with the namespaced Role alone (no cluster-wide reads)."""


CATALOG: tuple[CheckInfo, ...] = (
    CheckInfo(
        id="node-health",
        title="Node health: Ready, pressure conditions, kubelet version, node events",
        topics=("node-notready", "node-disk-full", "kubelet-qos-cgroups", "kubelet-node-allocatable",
                "kubelet-memory-leak", "cgroup-inotify-watches", "configmap-watch-slowdown"),
        module="node_health",
        uses=("node",),
    ),
    CheckInfo(
        id="kube-proxy",
        title="kube-proxy: DaemonSet and pods ready per node, log signatures",
        topics=("kube-proxy-not-working", "kube-proxy-conntrack-missing", "svc-ip-not-working"),
        module="kube_proxy",
        uses=("node",),
    ),
    CheckInfo(
        id="cluster-dns",
        title="Cluster DNS: kube-dns/CoreDNS pods, Service, endpoints and log signatures",
        topics=("kube-dns-unhealthy", "kube-dns-upstream-timeout", "kube-dns-apiserver-timeout",
                "cluster-dns-not-working", "pod-dns-forward-drop", "svc-dns-name-fails"),
        module="cluster_dns",
    ),
    CheckInfo(
        id="service",
        title="A Service: exists, endpoints, selector, ports, pods, NetworkPolicies",
        topics=("svc-does-not-exist", "svc-no-endpoints", "svc-port-mismatch", "svc-pods-not-responding",
                "svc-network-policy-ingress", "svc-ip-not-working", "svc-dns-name-fails"),
        module="service",
        needs=("service",),
        uses=("namespace",),
        namespaced=True,
    ),
    CheckInfo(
        id="pod-ip-allocation",
        title="Pod IP allocation: sandbox address errors, pods stuck creating, pod CIDR use",
        topics=("pod-ip-allocation-failed", "win-ipam-range-exhausted", "win-pods-containercreating",
                "win-endpoint-leak"),
        module="pod_ip_allocation",
        uses=("node",),
    ),
    CheckInfo(
        id="metrics-api",
        title="Metrics API: v1beta1.metrics.k8s.io APIService, metrics-server, HPA metric errors",
        topics=("hpa-metrics-unavailable", "dashboard-no-metrics", "hpa-missing-requests"),
        module="metrics_api",
    ),
    CheckInfo(
        id="apiserver-access",
        title="API server reachability and the bot's own read permissions",
        topics=("aks-apiserver-dial-timeout", "nodes-cannot-reach-apiserver", "apiserver-403-forbidden",
                "apiserver-cert-unable-to-connect", "master-debugging"),
        module="apiserver_access",
    ),
    CheckInfo(
        id="windows-nodes",
        title="Windows and Flannel nodes: Ready, kube-proxy and flannel pods, flannel init crash loops",
        topics=("win-node-health", "win-flanneld-waiting-for-network", "win-flannel-subnet-env-missing",
                "win-kubelet-no-adapter", "win-containers-restarting", "flannel-init-crashloop-selinux"),
        module="windows_nodes",
        uses=("node",),
    ),
    CheckInfo(
        id="control-plane",
        title="Control plane: kube-system static pods ready and restarting",
        topics=("master-debugging", "controller-manager-stale-after-etcd-restore", "cluster-component-logs"),
        module="control_plane",
    ),
    CheckInfo(
        id="pod-status",
        title="Pod status: waiting reasons, last exit codes, restarts, init containers, probes, missing config",
        topics=("image-pull-auth", "image-pull-not-found", "image-pull-registry-tls", "image-pull-rate-limit",
                "container-config-missing", "container-start-error", "init-container-failing", "oom-killed",
                "probe-failures", "crashloop-app-exit"),
        module="pod_status",
        uses=("namespace", "pod"),
        namespaced=True,
    ),
    CheckInfo(
        id="scheduling",
        title="Scheduling: FailedScheduling reasons of Pending pods, node allocatable against requests",
        topics=("scheduling-insufficient-resources", "scheduling-constraints", "pvc-pending"),
        module="scheduling",
        uses=("namespace", "pod"),
    ),
    CheckInfo(
        id="volumes",
        title="Volumes: PVC phase, StorageClasses, provisioning, mount and attach failures, VolumeAttachments",
        topics=("pvc-pending", "volume-mount-failed"),
        module="volumes",
        uses=("namespace", "pod"),
    ),
    CheckInfo(
        id="workload-rollout",
        title="Workload rollouts: Deployments, StatefulSets and DaemonSets that stopped, their failing pods, "
              "failed Jobs",
        topics=("rollout-stuck", "job-backoff-limit", "crashloop-app-exit", "probe-failures"),
        module="workload_rollout",
        uses=("namespace",),
        namespaced=True,
    ),
)
"""Every check, in the order results are shown."""

CHECKS: dict[str, CheckInfo] = {info.id: info for info in CATALOG}
CHECK_IDS: frozenset[str] = frozenset(CHECKS)


def get_check(check_id: str) -> CheckInfo | None:
    """The metadata of ``check_id``, or None when no such check exists."""
    return CHECKS.get(check_id)


def checks_for_topic(topic_id: str) -> tuple[str, ...]:
    """Ids of the checks that speak to KB topic ``topic_id``, in catalog order."""
    return tuple(info.id for info in CATALOG if topic_id in info.topics)


def unknown_check_ids(check_ids: tuple[str, ...] | list[str]) -> list[str]:
    """The ids in ``check_ids`` that name no check (for the KB validator)."""
    return [check_id for check_id in check_ids if check_id not in CHECK_IDS]
