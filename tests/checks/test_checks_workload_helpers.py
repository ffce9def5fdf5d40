"""Pure helpers of the pod, scheduling and volume checks: exit codes, pull errors, scheduler reasons,
quantities, ConfigMap and Secret references; and the API paths the four checks request."""

from __future__ import annotations

import pytest
from conftest import SCENARIOS
from kubernetes import client as k8s

from bot.checks import CheckInputs, run_checks
from bot.checks._container_states import (
    Missing,
    config_refs,
    exit_meaning,
    missing_config_maps,
    missing_refs,
    pull_topic,
)
from bot.checks._quantity import format_quantity, parse_quantity, pod_requests
from bot.checks.reads import READS
from bot.checks.scheduling import Reason, parse_reasons

NEW_CHECKS = ["pod-status", "scheduling", "volumes", "workload-rollout"]


@pytest.mark.parametrize(("code", "says"), [
    (0, "finished successfully"),
    (1, "application error"),
    (126, "command not executable"),
    (127, "command not found"),
    (137, "SIGKILL"),
    (139, "SIGSEGV"),
    (143, "SIGTERM"),
    (130, "SIGINT"),
    (135, "killed by signal 7"),
    (141, "killed by signal 13"),
    (42, "application-specific"),
])
def test_exit_code_meanings(code, says):
    assert says in exit_meaning(code)


@pytest.mark.parametrize(("message", "topic"), [
    # containerd
    ('failed to resolve reference "docker.io/acme/api:1": pull access denied, repository does not exist or may '
     "require authorization: server message: insufficient_scope: authorization failed", "image-pull-auth"),
    ('failed to resolve reference "gcr.io/p/api:1": failed to authorize: failed to fetch oauth token: unexpected '
     "status: 401 Unauthorized", "image-pull-auth"),
    ('failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found',
     "image-pull-not-found"),
    ("no match for platform in manifest: not found", "image-pull-not-found"),
    ('failed to do request: Head "https://r.internal/v2/a/manifests/1": tls: failed to verify certificate: x509: '
     "certificate signed by unknown authority", "image-pull-registry-tls"),
    ('failed to do request: Head "https://10.0.0.9:5000/v2/a/manifests/1": http: server gave HTTP response to '
     "HTTPS client", "image-pull-registry-tls"),
    ("429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.",
     "image-pull-rate-limit"),
    # Docker
    ("Error response from daemon: pull access denied for acme/api, repository does not exist or may require "
     "'docker login': denied: requested access to the resource is denied", "image-pull-auth"),
    ("Error response from daemon: manifest for nginx:nope not found: manifest unknown: manifest unknown",
     "image-pull-not-found"),
    ("no matching manifest for linux/amd64 in the manifest list entries", "image-pull-not-found"),
    ("Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection", None),
    ('dial tcp: lookup registry.internal on 10.96.0.10:53: no such host', None),
])
def test_pull_errors_by_topic(message, topic):
    assert pull_topic(message) == topic


PREEMPTION = " preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption " \
    "victims found for incoming pod."


@pytest.mark.parametrize(("message", "reasons"), [
    ("0/5 nodes are available: 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
     "3 Insufficient cpu, 3 Insufficient memory." + PREEMPTION,
     [Reason("scheduling-constraints", "untolerated taint node-role.kubernetes.io/control-plane: ", 2),
      Reason("scheduling-insufficient-resources", "Insufficient cpu", 3, "cpu"),
      Reason("scheduling-insufficient-resources", "Insufficient memory", 3, "memory")]),
    ("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
     [Reason("scheduling-insufficient-resources", "Insufficient nvidia.com/gpu", 3, "nvidia.com/gpu")]),
    ("0/2 nodes are available: 2 Too many pods.",
     [Reason("scheduling-insufficient-resources", "Insufficient pods", 2, "pods")]),
    ("0/3 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't "
     "tolerate, 2 node(s) didn't match node selector.",
     [Reason("scheduling-constraints", "untolerated taint node-role.kubernetes.io/master: ", 1),
      Reason("scheduling-constraints", "node affinity/selector mismatch", 2)]),
    ("0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unschedulable: }, 3 node(s) "
     "didn't satisfy existing pods anti-affinity rules, 3 node(s) didn't match pod anti-affinity rules.",
     [Reason("scheduling-constraints", "unschedulable (cordoned) nodes", 1),
      Reason("scheduling-constraints", "pod affinity/anti-affinity rules", 3),
      Reason("scheduling-constraints", "pod affinity/anti-affinity rules", 3)]),
    ("0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints.",
     [Reason("scheduling-constraints", "topology spread constraints", 3)]),
    ("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims." + PREEMPTION,
     [Reason("pvc-pending", "unbound PersistentVolumeClaims", None)]),
    ("0/3 nodes are available: 1 node(s) had volume node affinity conflict, 2 node(s) didn't find available "
     "persistent volumes to bind.",
     [Reason("scheduling-constraints", "volume node affinity conflict", 1),
      Reason("pvc-pending", "unbound PersistentVolumeClaims", 2)]),
    ("0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports.",
     [Reason(None, "no free host ports", 2)]),
    ("no nodes available to schedule pods", [Reason(None, "no nodes available to schedule pods", None)]),
])
def test_scheduler_messages_split_into_reasons(message, reasons):
    assert parse_reasons(message) == reasons


@pytest.mark.parametrize(("text", "value"), [
    ("500m", 0.5), ("2", 2.0), ("1.5", 1.5), ("1Gi", 2.0**30), ("512Mi", 2.0**29), ("1k", 1000.0), ("1e3", 1000.0),
    ("100M", 1e8), ("7901388Ki", 7901388 * 1024.0), ("250u", 0.00025), (".5", 0.5),
])
def test_quantities(text, value):
    assert parse_quantity(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "1.2.3", "5 Gi", "Gi", "1Qi", "-"])
def test_invalid_quantities_are_errors(text):
    with pytest.raises(ValueError, match="invalid quantity"):
        parse_quantity(text)


@pytest.mark.parametrize(("resource", "amount", "text"), [
    ("cpu", 1.5, "1500m"), ("cpu", 4.0, "4"), ("memory", 2.0**34, "16Gi"), ("memory", 7.5 * 2.0**30, "7.5Gi"),
    ("memory", 300.0, "300"), ("pods", 110.0, "110"), ("nvidia.com/gpu", 2.0, "2"),
])
def test_quantities_as_text(resource, amount, text):
    assert format_quantity(resource, amount) == text


def test_pod_requests_follow_the_scheduler():
    # given: two containers, a bigger init container for cpu, a limit without a request for memory, overhead
    pod = k8s.V1Pod(spec=k8s.V1PodSpec(
        containers=[k8s.V1Container(name="a", resources=k8s.V1ResourceRequirements(requests={"cpu": "250m"})),
                    k8s.V1Container(name="b", resources=k8s.V1ResourceRequirements(
                        requests={"cpu": "250m"}, limits={"memory": "1Gi"}))],
        init_containers=[k8s.V1Container(name="i", resources=k8s.V1ResourceRequirements(requests={"cpu": "1"}))],
        overhead={"memory": "64Mi"}))
    # when
    requests = pod_requests(pod)
    # then
    assert requests == {"cpu": 1.0, "memory": 2.0**30 + 64 * 2.0**20, "pods": 1.0}


def test_config_references_of_a_pod():
    # given
    ref = k8s.V1ConfigMapKeySelector
    pod = k8s.V1Pod(spec=k8s.V1PodSpec(
        volumes=[k8s.V1Volume(name="c", config_map=k8s.V1ConfigMapVolumeSource(name="app")),
                 k8s.V1Volume(name="s", secret=k8s.V1SecretVolumeSource(secret_name="tls")),
                 k8s.V1Volume(name="p", projected=k8s.V1ProjectedVolumeSource(sources=[
                     k8s.V1VolumeProjection(config_map=k8s.V1ConfigMapProjection(name="kube-root-ca.crt"))]))],
        containers=[k8s.V1Container(name="a", env_from=[
            k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name="app")),
            k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name="db", optional=True))], env=[
            k8s.V1EnvVar(name="URL", value_from=k8s.V1EnvVarSource(config_map_key_ref=ref(name="app", key="url"))),
            k8s.V1EnvVar(name="X", value="plain")])]))
    # when
    refs = config_refs(pod)
    # then
    assert [(r.kind, r.name, r.key, r.optional) for r in refs] == [
        ("ConfigMap", "app", None, False), ("Secret", "tls", None, False),
        ("ConfigMap", "kube-root-ca.crt", None, False), ("Secret", "db", None, True),
        ("ConfigMap", "app", "url", False)]
    assert missing_config_maps(refs, {"app": {"other"}}) == [Missing("ConfigMap", "kube-root-ca.crt"),
                                                             Missing("ConfigMap", "app", "url")]
    assert missing_config_maps(refs, {"app": {"url"}, "kube-root-ca.crt": {"ca.crt"}}) == []


@pytest.mark.parametrize(("message", "missing"), [
    ('Error: configmap "app-config" not found', [Missing("ConfigMap", "app-config")]),
    ('MountVolume.SetUp failed for volume "tls" : secret "api-tls" not found', [Missing("Secret", "api-tls")]),
    ("Error: couldn't find key password in Secret shop/db", [Missing("Secret", "db", "password")]),
    ("couldn't find key url in ConfigMap shop/app", [Missing("ConfigMap", "app", "url")]),
    ('Liveness probe failed: HTTP probe failed with statuscode: 404', []),
])
def test_missing_config_from_kubelet_messages(message, missing):
    assert missing_refs([message]) == missing


def api_path(path: str) -> tuple[str, str, str, str | None]:
    """(group, version, resource, subresource) of a request path."""
    parts = [p for p in path.split("/") if p]
    group, version, rest = ("", parts[1], parts[2:]) if parts[0] == "api" else (parts[1], parts[2], parts[3:])
    if len(rest) >= 3 and rest[0] == "namespaces":
        rest = rest[2:]
    return group, version, rest[0], rest[2] if len(rest) > 2 else None


NEW_CHECK_RESOURCES = {"pods", "events", "nodes", "configmaps", "persistentvolumeclaims", "storageclasses",
                       "volumeattachments", "deployments", "statefulsets", "daemonsets", "jobs"}
"""The resources the four checks list (all declared in bot/checks/reads.py)."""


def test_the_four_checks_request_only_the_declared_lists(serve, settings_for):
    # given
    declared = {(r.group, r.version, r.resource, None) for r in READS
                if r.resource in NEW_CHECK_RESOURCES and "list" in r.verbs and not r.subresource}
    narrow = (CheckInputs(), CheckInputs(namespace="shop"), CheckInputs(namespace="shop", pod="db-0"),
              CheckInputs(pod="cache-7b8c9d0e1f-aaaaa"))
    # when
    paths = set()
    for scenario in SCENARIOS:
        server = serve(scenario)
        for inputs in narrow:
            run_checks(NEW_CHECKS, inputs, settings_for(server))
        paths |= {(r.method, api_path(r.path)) for r in server.requests}
    # then
    assert {method for method, _ in paths} == {"GET"}
    assert len(declared) == len(NEW_CHECK_RESOURCES), "a resource of the four checks is not a declared list"
    assert {path for _, path in paths} == declared


def test_light_objects_read_json_by_the_clients_names():
    # given
    from bot.checks._light import Obj, camel, items, timestamp
    from bot.checks._objects import pod_state, ref

    body = ('{"kind": "PodList", "items": [{"metadata": {"name": "a", "namespace": "ns", "labels": {"app": "x"}},'
            ' "spec": {"containers": [{"name": "c", "resources": {"limits": {"memory": "1Gi"}}}]},'
            ' "status": {"phase": "Pending", "podIP": "10.0.0.1", "containerStatuses": [{"name": "c",'
            ' "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}}]}')
    # when
    (pod,) = items(body)
    # then
    assert isinstance(pod, Obj)
    assert (ref(pod), pod_state(pod), pod.status.pod_ip) == ("ns/a", "ImagePullBackOff", "10.0.0.1")
    assert pod.metadata.labels == {"app": "x"} and pod.spec.containers[0].resources.limits == {"memory": "1Gi"}
    assert pod.spec.init_containers is None and pod.metadata.deletion_timestamp is None
    assert camel("persistent_volume_claim") == "persistentVolumeClaim" and camel("pod_cidr") == "podCIDR"
    assert timestamp("2024-05-01T10:00:00Z") == 1714557600.0 and timestamp(None) == 0.0 and timestamp("x") == 0.0


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"items": {"a": 1}}'])
def test_a_list_body_that_is_not_a_list_is_an_error(body):
    from bot.checks._light import items

    with pytest.raises(ValueError):
        items(body)
