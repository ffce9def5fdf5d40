"""Every check, through the real Kubernetes client, against the fake API server's scenarios.

Each scenario breaks one thing in an otherwise healthy cluster, so every row mixes objects that
must trigger (node-b, the web Service) with objects that must not (node-a, win-1, the worker
Service, events about other things): the whole result table is compared, not just one check.
"""

from __future__ import annotations

import pytest
from conftest import SCENARIOS, SHOP_WEB

from bot.checks import CheckInputs, run_checks
from bot.checks.catalog import CATALOG

ALL = [info.id for info in CATALOG]
HEALTHY = {info.id: ("not confirmed", info.topics) for info in CATALOG}

EXPECTED: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "healthy": {},
    "conntrack-missing": {"kube-proxy": ("confirmed", ("kube-proxy-not-working", "kube-proxy-conntrack-missing"))},
    "selector-mismatch": {"service": ("confirmed", ("svc-no-endpoints",))},
    "targetport-mismatch": {"service": ("confirmed", ("svc-port-mismatch",))},
    "ip-exhaustion": {"pod-ip-allocation": ("confirmed", ("pod-ip-allocation-failed",)),
                      "service": ("confirmed", ("svc-pods-not-responding",))},
    "metrics-unavailable": {"metrics-api": ("confirmed", ("hpa-metrics-unavailable", "dashboard-no-metrics"))},
    "coredns-crashloop": {"cluster-dns": ("confirmed", ("kube-dns-unhealthy", "kube-dns-upstream-timeout",
                                                        "cluster-dns-not-working", "pod-dns-forward-drop"))},
    "node-disk-pressure": {"node-health": ("confirmed", ("node-notready", "node-disk-full"))},
    "windows-flannel": {"node-health": ("confirmed", ("node-notready",)),
                        "windows-nodes": ("confirmed", ("win-node-health",))},
    "pod-failures": {"pod-status": ("confirmed", ("image-pull-auth", "container-config-missing", "oom-killed")),
                     "pod-ip-allocation": ("inconclusive", HEALTHY["pod-ip-allocation"][1])},
    "unschedulable": {"scheduling": ("confirmed", ("scheduling-insufficient-resources", "scheduling-constraints"))},
    "pvc-pending": {"scheduling": ("confirmed", ("pvc-pending",)),
                    "volumes": ("confirmed", ("pvc-pending", "volume-mount-failed")),
                    "pod-ip-allocation": ("inconclusive", HEALTHY["pod-ip-allocation"][1])},
    "rollout-stuck": {"workload-rollout": ("confirmed", ("rollout-stuck", "job-backoff-limit"))},
    "statefulset-stuck": {"workload-rollout": ("confirmed", ("rollout-stuck", "crashloop-app-exit")),
                          "pod-status": ("confirmed", ("crashloop-app-exit",))},
    "daemonset-unavailable": {"workload-rollout": ("confirmed", ("rollout-stuck", "probe-failures")),
                              "pod-status": ("confirmed", ("probe-failures",))},
    "daemonset-misscheduled": {"workload-rollout": ("confirmed", ("rollout-stuck",))},
}
"""Per scenario, the checks whose verdict differs from a healthy cluster's."""

SAYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("conntrack-missing", "kube-proxy"): ("conntrack binary", "kube-proxy-bbbbb", "executable file not found"),
    ("selector-mismatch", "service"): ("has no endpoints", "selector run=web matches no pod",
                                       "closest pod web-7d9f8b6c5d-", "differs on run=web"),
    ("targetport-mismatch", "service"): ("do not expose", "port http 80->9376/TCP: the pods listen on 8080/TCP"),
    ("ip-exhaustion", "pod-ip-allocation"): ("node node-b", "failed to allocate for range",
                                             "2 pods stuck in ContainerCreating", "23 address allocation failures"),
    ("metrics-unavailable", "metrics-api"): ("v1beta1.metrics.k8s.io is not available", "FailedDiscoveryCheck",
                                             "HPA shop/web cannot read metrics"),
    ("coredns-crashloop", "cluster-dns"): ("0/2 DNS pods healthy", "CrashLoopBackOff, 12 restarts",
                                           "has no ready endpoints", "8.8.8.8:53: i/o timeout"),
    ("node-disk-pressure", "node-health"): ("node-b", "DiskPressure", "FreeDiskSpaceFailed", "PLEG is not healthy"),
    ("windows-flannel", "windows-nodes"): ("win-1", "kube-flannel-ds-windows-ccccc: Init:CrashLoopBackOff"),
    ("pod-failures", "pod-status"): (
        "pods cannot pull their image: the registry refuses the pull", "(4 pods in namespace shop)",
        'shop/api-6f7d8c9b5a-aaaaa: container api ImagePullBackOff: image "registry.example.com/shop/api:1.4.2": '
        "pull access denied, repository does not exist",
        "shop/cache-7b8c9d0e1f-aaaaa: container cache CrashLoopBackOff, 6 restarts, last exit 137 OOMKilled "
        "(SIGKILL: killed from outside, by the OOM killer", "memory limit 128Mi",
        'shop/report-5d6e7f8a9b-aaaaa: ConfigMap "report-config" not found (from the pod\'s events; not among the '
        "namespace's ConfigMaps)",
        'shop/mailer-4c5d6e7f8a-aaaaa: Secret "mailer-smtp" not found (from the pod\'s events)'),
    ("unschedulable", "scheduling"): (
        "2 pods cannot be scheduled in namespace shop: no node has enough memory; untolerated taint os: windows, "
        "node affinity/selector mismatch",
        "shop/analytics-6b7c8d9e0f-aaaaa requests 16Gi memory; most free: win-1 7.5Gi free of 7.5Gi allocatable; "
        "node-a 7.2Gi free of 7.5Gi allocatable; node-b 6.2Gi free",
        "1 older FailedScheduling event about pods that have a node since"),
    ("pvc-pending", "scheduling"): ("pod has unbound immediate PersistentVolumeClaims",),
    ("pvc-pending", "volumes"): (
        "PVC shop/reports-data Pending: StorageClass fast-ssd does not exist (classes: fast, standard); "
        'ProvisioningFailed (x15): storageclass.storage.k8s.io "fast-ssd" not found',
        'pod shop/db-0 FailedAttachVolume (x5): Multi-Attach error for volume "pvc-9f8e7d6c"',
        "volume pvc-9f8e7d6c is attached to node-b"),
    ("rollout-stuck", "workload-rollout"): (
        "1 Deployment stopped rolling out and 1 Job failed in namespace shop",
        "Deployment shop/api: Progressing=False ProgressDeadlineExceeded",
        "ReplicaFailure FailedCreate (a ResourceQuota refuses the pods): pods \"api-5b7c9d8f6d-x7k2p\" is forbidden: "
        "exceeded quota",
        "Job shop/nightly-report-28573920 (from CronJob nightly-report): Failed BackoffLimitExceeded",
        "Deployment shop/legacy is paused"),
    ("statefulset-stuck", "workload-rollout"): (
        "1 StatefulSet stopped rolling out (pods in CrashLoopBackOff) in namespace shop",
        "StatefulSet shop/queue: rollout stuck (1/3 updated, 2/3 ready, revision queue-6b7c8d9e0f -> "
        "queue-7c9d8e6f5b): its pods fail",
        "shop/queue-2: container queue CrashLoopBackOff, 8 restarts, last exit 1 (application error",
        "StatefulSet shop/cache uses updateStrategy OnDelete"),
    ("daemonset-unavailable", "workload-rollout"): (
        "1 DaemonSet stopped rolling out (pods failing their probes) in namespace shop",
        "DaemonSet shop/log-agent: rollout stuck (1/2 updated, 1/2 ready, 1 unavailable): not ready for more than "
        "10 minutes",
        "shop/log-agent-bbbbb: Readiness probe failed: HTTP probe failed with statuscode: 503"),
    ("daemonset-misscheduled", "workload-rollout"): (
        "DaemonSet shop/log-agent: 1 pod misscheduled (1/1 updated, 1/1 ready, 1 misscheduled)",
        "a NoSchedule taint it does not tolerate"),
}
"""Words the summary or evidence of a confirmed result must contain."""


def text_of(result) -> str:
    return "\n".join([result.summary, *result.evidence])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_check_gives_the_expected_verdict(scenario, serve, settings_for):
    # given
    server = serve(scenario)
    expected = {**HEALTHY, **EXPECTED[scenario]}
    # when
    report = run_checks(ALL, SHOP_WEB, settings_for(server))
    # then
    assert report.cluster == "fake"
    assert {r.check_id: (r.status, r.topics) for r in report.results} == expected
    for result in report.confirmed:
        for words in SAYS.get((scenario, result.check_id), ()):
            assert words in text_of(result), (words, text_of(result))


NARROWED = [
    # (scenario, check, inputs, status, topics)
    ("node-disk-pressure", "node-health", CheckInputs(node="node-b"), "confirmed", ("node-notready", "node-disk-full")),
    ("node-disk-pressure", "node-health", CheckInputs(node="node-a"), "not confirmed", None),
    ("node-disk-pressure", "node-health", CheckInputs(node="node-z"), "inconclusive", None),
    ("conntrack-missing", "kube-proxy", CheckInputs(node="node-b"), "confirmed",
     ("kube-proxy-not-working", "kube-proxy-conntrack-missing")),
    ("conntrack-missing", "kube-proxy", CheckInputs(node="node-a"), "not confirmed", None),
    ("ip-exhaustion", "pod-ip-allocation", CheckInputs(node="node-b"), "confirmed", ("pod-ip-allocation-failed",)),
    ("ip-exhaustion", "pod-ip-allocation", CheckInputs(node="node-a"), "not confirmed", None),
    ("selector-mismatch", "service", CheckInputs(namespace="shop", service="worker"), "inconclusive",
     ("svc-network-policy-ingress",)),
    ("selector-mismatch", "service", CheckInputs(namespace="kube-system", service="kube-dns"), "not confirmed", None),
    ("selector-mismatch", "service", CheckInputs(namespace="shop", service="gone"), "confirmed",
     ("svc-does-not-exist",)),
    ("selector-mismatch", "service", CheckInputs(namespace="shop"), "inconclusive", None),
    ("windows-flannel", "windows-nodes", CheckInputs(node="win-1"), "confirmed", ("win-node-health",)),
    ("windows-flannel", "windows-nodes", CheckInputs(node="node-a"), "inconclusive", None),
]


@pytest.mark.parametrize(("scenario", "check", "inputs", "status", "topics"), NARROWED)
def test_inputs_narrow_a_check_to_one_object(scenario, check, inputs, status, topics, serve, settings_for):
    # given
    server = serve(scenario)
    # when
    report = run_checks([check], inputs, settings_for(server))
    # then
    (result,) = report.results
    assert result.status == status, result
    if topics is not None:
        assert result.topics == topics
    assert report.inputs == inputs


def test_a_missing_service_lists_the_services_that_do_exist(serve, settings_for):
    # given
    server = serve("healthy")
    # when
    (result,) = run_checks(["service"], CheckInputs(namespace="shop", service="hostnames"),
                           settings_for(server)).results
    # then
    assert result.summary == "Service shop/hostnames does not exist"
    assert result.evidence == ("Services in shop: web, worker",)


def test_a_deny_all_policy_on_the_pods_is_reported_and_a_policy_on_other_pods_is_not(serve, settings_for):
    # given: the healthy shop namespace has a policy on the worker pods only
    server = serve("healthy")
    server.files["shop/networkpolicies.json"]["items"].append({
        "metadata": {"name": "deny-web", "namespace": "shop"},
        "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"]}})
    # when
    (web,) = run_checks(["service"], SHOP_WEB, settings_for(server)).results
    (worker,) = run_checks(["service"], CheckInputs(namespace="shop", service="worker"), settings_for(server)).results
    # then
    assert (web.status, web.topics) == ("confirmed", ("svc-network-policy-ingress",))
    assert "NetworkPolicy deny-web selects the pods: it allows no ingress at all" in web.evidence
    assert worker.status == "inconclusive"
    assert "NetworkPolicy worker-only-from-web selects the pods: check that its ingress rules admit the client" \
        in worker.evidence
