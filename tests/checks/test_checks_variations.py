"""More ways a healthy cluster goes wrong, one edit each, for the paths the scenarios do not take.

Each row edits the healthy fixture in memory (the fake server serves the edited copy) and names
the check, the verdict and the topics expected; the untouched objects around the edit must not
trigger anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.checks import CheckInputs, run_checks

Files = dict[str, Any]
SHOP = CheckInputs(namespace="shop")


def item(files: Files, rel: str, name: str) -> dict[str, Any]:
    return next(i for i in files[rel]["items"] if i["metadata"]["name"] == name)


def set_cidr(files: Files) -> None:
    item(files, "nodes.json", "node-b")["spec"] = {"podCIDR": "10.244.1.0/30", "podCIDRs": ["10.244.1.0/30"]}


def etcd_restarted_after_controller_manager(files: Files) -> None:
    etcd = item(files, "kube-system/pods.json", "etcd-node-a")
    etcd["status"]["containerStatuses"][0]["state"] = {"running": {"startedAt": "2024-05-01T11:00:00Z"}}
    files["kube-system/kube-controller-manager-node-a/logs.txt"] = (
        "==== START logs for container kube-controller-manager of pod kube-system/kube-controller-manager-node-a"
        " ====\nE0501 11:05:00 horizontal.go:210] Operation cannot be fulfilled on horizontalpodautoscalers."
        'autoscaling "web": the object has been modified; please apply your changes to the latest version and '
        "try again\n==== END logs for container kube-controller-manager of pod "
        "kube-system/kube-controller-manager-node-a ====\n")


def scheduler_crashing(files: Files) -> None:
    pod = item(files, "kube-system/pods.json", "kube-scheduler-node-a")
    pod["status"]["containerStatuses"][0].update(
        ready=False, restartCount=7, state={"waiting": {"reason": "CrashLoopBackOff"}})
    pod["status"]["conditions"][0]["status"] = "False"


def no_control_plane_pods(files: Files) -> None:
    items = files["kube-system/pods.json"]["items"]
    items[:] = [i for i in items if "tier" not in i["metadata"].get("labels", {})]


def kubernetes_service_without_endpoints(files: Files) -> None:
    item(files, "default/endpoints.json", "kubernetes")["subsets"] = []


def linux_flannel_init_crashloop(files: Files) -> None:
    pod = item(files, "kube-flannel/pods.json", "kube-flannel-ds-bbbbb")
    pod["status"]["initContainerStatuses"][1]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    pod["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "PodInitializing"}}


def no_windows_nodes(files: Files) -> None:
    files["nodes.json"]["items"] = [n for n in files["nodes.json"]["items"] if n["metadata"]["name"] != "win-1"]
    for rel in ("kube-flannel/pods.json", "kube-system/pods.json"):
        files[rel]["items"] = [p for p in files[rel]["items"] if p["spec"]["nodeName"] != "win-1"]


def kube_proxy_daemonset_short(files: Files) -> None:
    item(files, "kube-system/daemonsets.json", "kube-proxy")["status"]["numberReady"] = 1


def no_kube_proxy_pods(files: Files) -> None:
    items = files["kube-system/pods.json"]["items"]
    items[:] = [i for i in items if not i["metadata"]["name"].startswith("kube-proxy")]


def no_metrics_apiservice(files: Files) -> None:
    files["apiservices.json"]["items"] = []


def hpa_target_without_requests(files: Files) -> None:
    hpa = item(files, "shop/horizontalpodautoscalers.json", "web")
    hpa["status"]["conditions"][1] = {
        "type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric",
        "message": "the HPA was unable to compute the replica count: failed to get cpu utilization: "
                   "missing request for cpu in container web of Pod web-7d9f8b6c5d-aaaaa"}


def no_dns_service(files: Files) -> None:
    files["kube-system/services.json"]["items"] = [
        s for s in files["kube-system/services.json"]["items"] if s["metadata"]["name"] != "kube-dns"]


def dns_cannot_reach_apiserver(files: Files) -> None:
    files["kube-system/coredns-5d78c9869d-bbbbb/logs.txt"] = (
        "==== START logs for container coredns of pod kube-system/coredns-5d78c9869d-bbbbb ====\n"
        "[INFO] plugin/kubernetes: pkg/mod/k8s.io/client-go/tools/cache/reflector.go:167: Failed to list "
        "*v1.Service: Get \"https://10.96.0.1:443/api/v1/services?limit=500\": dial tcp 10.96.0.1:443: i/o timeout\n"
        "==== END logs for container coredns of pod kube-system/coredns-5d78c9869d-bbbbb ====\n")


def named_port_wrong_protocol(files: Files) -> None:
    item(files, "shop/services.json", "web")["spec"]["ports"][0]["protocol"] = "UDP"


def windows_subnet_env_missing(files: Files) -> None:
    files["shop/events.json"]["items"].append({
        "metadata": {"name": "w.sandbox", "namespace": "shop"}, "reason": "FailedCreatePodSandBox", "type": "Warning",
        "involvedObject": {"kind": "Pod", "name": "iis-0", "namespace": "shop"}, "source": {"host": "win-1"},
        "message": "failed to set up sandbox container network: plugin type=\"flannel\" failed (add): "
                   "open /run/flannel/subnet.env: The system cannot find the file specified."})


def queue_updated(files: Files, *, ready_since: str = "2024-05-01T09:30:00Z", probe: bool = False) -> None:
    """The StatefulSet shop/queue took a new revision and its one pod, queue-0, is not ready since ``ready_since``."""
    sts = item(files, "shop/statefulsets.json", "queue")
    sts["status"].update(readyReplicas=0, availableReplicas=0, updateRevision="queue-7c9d8e6f5b")
    pod = item(files, "shop/pods.json", "queue-0")
    pod["metadata"]["labels"]["controller-revision-hash"] = "queue-7c9d8e6f5b"
    pod["status"]["containerStatuses"][0]["ready"] = False
    pod["status"]["conditions"][0].update(status="False", lastTransitionTime=ready_since)
    if probe:
        pod["spec"]["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": 5672}}


def queue_not_ready_for_long(files: Files) -> None:
    queue_updated(files)


def just_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def queue_just_updated(files: Files) -> None:
    queue_updated(files, ready_since=just_now())


def queue_readiness_probe_fails(files: Files) -> None:
    queue_updated(files, probe=True)


def queue_readiness_probe_starting(files: Files) -> None:
    queue_updated(files, ready_since=just_now(), probe=True)


def queue_pod_refused(files: Files) -> None:
    item(files, "shop/statefulsets.json", "queue")["spec"]["replicas"] = 2
    files["shop/events.json"]["items"].append({
        "metadata": {"name": "queue.create", "namespace": "shop"}, "reason": "FailedCreate", "type": "Warning",
        "count": 12, "involvedObject": {"kind": "StatefulSet", "name": "queue", "namespace": "shop"},
        "message": 'create Pod queue-1 in StatefulSet queue failed error: pods "queue-1" is forbidden: exceeded '
                   "quota: shop-quota, requested: pods=1, used: pods=4, limited: pods=4"})


def queue_partitioned(files: Files) -> None:
    sts = item(files, "shop/statefulsets.json", "queue")
    sts["spec"].update(replicas=3, updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}})
    sts["status"].update(replicas=3, readyReplicas=3, updatedReplicas=1, updateRevision="queue-7c9d8e6f5b")


def kube_proxy_update_crashes(files: Files) -> None:
    item(files, "kube-system/daemonsets.json", "kube-proxy")["status"].update(
        updatedNumberScheduled=1, numberReady=1, numberAvailable=1, numberUnavailable=1)
    pod = item(files, "kube-system/pods.json", "kube-proxy-bbbbb")
    pod["status"]["containerStatuses"][0].update(ready=False, restartCount=6, state={"waiting": {
        "reason": "CrashLoopBackOff"}}, lastState={"terminated": {"exitCode": 1, "reason": "Error"}})
    pod["status"]["conditions"][0]["status"] = "False"


def kube_proxy_update_warming_up(files: Files) -> None:
    item(files, "kube-system/daemonsets.json", "kube-proxy")["status"].update(
        updatedNumberScheduled=1, numberReady=1, numberAvailable=1, numberUnavailable=1)
    pod = item(files, "kube-system/pods.json", "kube-proxy-bbbbb")
    pod["status"]["containerStatuses"][0]["ready"] = False
    pod["status"]["conditions"][0].update(status="False", lastTransitionTime=just_now())
    files["kube-system/events.json"]["items"].append({
        "metadata": {"name": "kube-proxy-bbbbb.unhealthy", "namespace": "kube-system"}, "reason": "Unhealthy",
        "type": "Warning", "count": 2, "involvedObject": {"kind": "Pod", "name": "kube-proxy-bbbbb",
                                                          "namespace": "kube-system"},
        "message": "Readiness probe failed: Get \"http://192.168.0.22:10256/healthz\": connection refused"})


def kube_proxy_on_delete(files: Files) -> None:
    ds = item(files, "kube-system/daemonsets.json", "kube-proxy")
    ds["spec"]["updateStrategy"] = {"type": "OnDelete"}
    ds["status"]["updatedNumberScheduled"] = 0


def web_rollout_crashes(files: Files) -> None:
    deployment = item(files, "shop/deployments.json", "web")
    deployment["status"].update(updatedReplicas=1, availableReplicas=1)
    deployment["status"]["conditions"][1].update(reason="ReplicaSetUpdated",
                                                 message='ReplicaSet "web-84c7b9f6d" is progressing.')
    pod = item(files, "shop/pods.json", "web-7d9f8b6c5d-bbbbb")
    pod["metadata"]["labels"]["pod-template-hash"] = "84c7b9f6d"
    pod["status"]["containerStatuses"][0].update(ready=False, restartCount=4, state={"waiting": {
        "reason": "CrashLoopBackOff"}}, lastState={"terminated": {"exitCode": 1, "reason": "Error"}})


def web_pod_crashes_after_rollout(files: Files) -> None:
    pod = item(files, "shop/pods.json", "web-7d9f8b6c5d-bbbbb")
    pod["status"]["containerStatuses"][0].update(ready=False, restartCount=4, state={"waiting": {
        "reason": "CrashLoopBackOff"}}, lastState={"terminated": {"exitCode": 1, "reason": "Error"}})


VARIATIONS: list[tuple[str, Callable[[Files], None], str, CheckInputs, str, tuple[str, ...] | None, str]] = [
    ("pod CIDR nearly full", set_cidr, "pod-ip-allocation", CheckInputs(), "confirmed",
     ("pod-ip-allocation-failed",), "node node-b: 4 pod IPs in use of 1 in 10.244.1.0/30"),
    ("etcd restored", etcd_restarted_after_controller_manager, "control-plane", CheckInputs(), "confirmed",
     ("controller-manager-stale-after-etcd-restore",), "the object has been modified"),
    ("scheduler crash loop", scheduler_crashing, "control-plane", CheckInputs(), "confirmed",
     ("master-debugging",), "kube-scheduler-node-a: CrashLoopBackOff, 7 restarts"),
    ("managed control plane", no_control_plane_pods, "control-plane", CheckInputs(), "inconclusive", None,
     "managed by the provider"),
    ("kubernetes Service empty", kubernetes_service_without_endpoints, "apiserver-access", CheckInputs(),
     "confirmed", ("nodes-cannot-reach-apiserver",), "the default/kubernetes Service has no endpoints"),
    ("flannel init crash on Linux", linux_flannel_init_crashloop, "windows-nodes", CheckInputs(), "confirmed",
     ("flannel-init-crashloop-selinux",), "kube-flannel-ds-bbbbb on Linux node node-b: Init:CrashLoopBackOff"),
    ("no Windows node", no_windows_nodes, "windows-nodes", CheckInputs(), "inconclusive", None,
     "no Windows node is registered; 2 flannel pods healthy"),
    ("subnet.env missing on Windows", windows_subnet_env_missing, "windows-nodes", CheckInputs(), "confirmed",
     ("win-flannel-subnet-env-missing",), "/run/flannel/subnet.env"),
    ("kube-proxy DaemonSet short", kube_proxy_daemonset_short, "kube-proxy", CheckInputs(), "confirmed",
     ("kube-proxy-not-working",), "DaemonSet kube-proxy: 1/2 ready"),
    ("kube-proxy not in pods", no_kube_proxy_pods, "kube-proxy", CheckInputs(), "inconclusive", None,
     "may run as a system service"),
    ("no metrics-server", no_metrics_apiservice, "metrics-api", CheckInputs(), "confirmed",
     ("hpa-metrics-unavailable", "dashboard-no-metrics"), "metrics-server is not installed"),
    ("HPA target requests no cpu", hpa_target_without_requests, "metrics-api", CheckInputs(), "confirmed",
     ("hpa-missing-requests",), "HPA shop/web: its pods declare no resource request for the metric"),
    ("no kube-dns Service", no_dns_service, "cluster-dns", CheckInputs(), "confirmed",
     ("kube-dns-unhealthy", "cluster-dns-not-working"), "Service kube-system/kube-dns does not exist"),
    ("DNS cannot reach the API", dns_cannot_reach_apiserver, "cluster-dns", CheckInputs(), "confirmed",
     ("kube-dns-apiserver-timeout", "cluster-dns-not-working"), "dial tcp 10.96.0.1:443: i/o timeout"),
    ("named port protocol", named_port_wrong_protocol, "service", CheckInputs(namespace="shop", service="web"),
     "confirmed", ("svc-port-mismatch",), "port http 80->http/UDP: container port 'http' is TCP"),
    ("StatefulSet pod not ready for long", queue_not_ready_for_long, "workload-rollout", SHOP, "confirmed",
     ("rollout-stuck",), "StatefulSet shop/queue: rollout stuck (1/1 updated, 0/1 ready, revision queue-6b7c8d9e0f "
                         "-> queue-7c9d8e6f5b): not ready for more than 10 minutes\nshop/queue-0: Running but not "
                         "Ready"),
    ("StatefulSet just updated", queue_just_updated, "workload-rollout", SHOP, "inconclusive", None,
     "StatefulSet shop/queue is rolling out (1/1 updated, 0/1 ready"),
    ("StatefulSet readiness probe", queue_readiness_probe_fails, "workload-rollout", SHOP, "confirmed",
     ("rollout-stuck", "probe-failures"), "not ready for more than 10 minutes\nshop/queue-0: container queue Running "
                                          "but not ready: its readiness probe does not pass"),
    ("StatefulSet pod warming up", queue_readiness_probe_starting, "workload-rollout", SHOP, "inconclusive", None,
     "StatefulSet shop/queue is rolling out"),
    ("StatefulSet pod refused", queue_pod_refused, "workload-rollout", SHOP, "confirmed", ("rollout-stuck",),
     'StatefulSet shop/queue: FailedCreate (x12): create Pod queue-1 in StatefulSet queue failed error: pods '
     '"queue-1" is forbidden: exceeded quota'),
    ("StatefulSet partitioned", queue_partitioned, "workload-rollout", SHOP, "not confirmed", None,
     "StatefulSet shop/queue is rolled out up to its partition (1/3 updated, 3/3 ready, partition 2"),
    ("DaemonSet update crashes", kube_proxy_update_crashes, "workload-rollout", CheckInputs(), "confirmed",
     ("rollout-stuck", "crashloop-app-exit"), "DaemonSet kube-system/kube-proxy: rollout stuck (1/2 updated, 1/2 "
                                               "ready, 1 unavailable): its pods fail\nkube-system/kube-proxy-bbbbb: "
                                               "container kube-proxy CrashLoopBackOff, 6 restarts, last exit 1"),
    ("DaemonSet pod warming up", kube_proxy_update_warming_up, "workload-rollout", CheckInputs(), "inconclusive",
     None, "DaemonSet kube-system/kube-proxy is rolling out (1/2 updated, 1/2 ready, 1 unavailable)"),
    ("DaemonSet OnDelete", kube_proxy_on_delete, "workload-rollout", CheckInputs(), "not confirmed", None,
     "DaemonSet kube-system/kube-proxy uses updateStrategy OnDelete (0/2 updated"),
    ("Deployment's new pod crashes", web_rollout_crashes, "workload-rollout", SHOP, "confirmed",
     ("rollout-stuck", "crashloop-app-exit"), "Deployment shop/web: rollout stuck (1/2 updated, 1 available): its "
                                               "pods fail\nshop/web-7d9f8b6c5d-bbbbb: container web CrashLoopBackOff"),
    ("pod crashes after the rollout", web_pod_crashes_after_rollout, "workload-rollout", SHOP, "not confirmed", None,
     "2 Deployments, 1 StatefulSet and 0 DaemonSets rolled out"),
]


@pytest.mark.parametrize(("edit", "check", "inputs", "status", "topics", "says"),
                         [row[1:] for row in VARIATIONS], ids=[row[0] for row in VARIATIONS])
def test_one_edit_to_a_healthy_cluster(edit, check, inputs, status, topics, says, serve, settings_for):
    # given
    server = serve("healthy")
    edit(server.files)
    # when
    (result,) = run_checks([check], inputs, settings_for(server)).results
    # then
    assert result.status == status, result
    if topics is not None:
        assert result.topics == topics
    assert says in "\n".join([result.summary, *result.evidence])


def test_secrets_in_evidence_are_redacted(serve, settings_for):
    # given: a forward-timeout line that carries a bearer token and a password
    server = serve("healthy")
    files = server.files
    files["kube-system/coredns-5d78c9869d-aaaaa/logs.txt"] = (
        "==== START logs for container coredns of pod kube-system/coredns-5d78c9869d-aaaaa ====\n"
        "[ERROR] plugin/errors: 2 example.com. A: read udp 10.244.0.2:1->8.8.8.8:53: i/o timeout "
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123 password=hunter2\n"
        "==== END logs for container coredns of pod kube-system/coredns-5d78c9869d-aaaaa ====\n")
    # when
    (result,) = run_checks(["cluster-dns"], CheckInputs(), settings_for(server)).results
    # then
    text = "\n".join(result.evidence)
    assert result.status == "confirmed"
    assert "Authorization: Bearer [REDACTED] password=[REDACTED]" in text
    assert "abcdefghijklmnopqrstuvwxyz0123" not in text and "hunter2" not in text
