"""pod-status, scheduling, volumes and workload-rollout: one edit to a healthy cluster per cause.

Each row edits the healthy fixture in memory (the fake server serves the edited copy) and names
the check, its inputs, the verdict, the topics and words the result must contain. The untouched
objects around each edit (other namespaces, healthy pods, bound claims, finished rollouts) must
not trigger anything; the rows that expect ``not confirmed`` plant look-alikes that must not count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.checks import CheckInputs, run_checks

Files = dict[str, Any]
SHOP = CheckInputs(namespace="shop")
EVERYWHERE = CheckInputs()


def item(files: Files, rel: str, name: str) -> dict[str, Any]:
    return next(i for i in files[rel]["items"] if i["metadata"]["name"] == name)


def web(files: Files) -> dict[str, Any]:
    return item(files, "shop/pods.json", "web-7d9f8b6c5d-aaaaa")


def status_of(files: Files, pod: str = "web-7d9f8b6c5d-aaaaa") -> dict[str, Any]:
    return item(files, "shop/pods.json", pod)["status"]["containerStatuses"][0]


def warn(files: Files, rel: str, obj: str, reason: str, message: str, *, kind: str = "Pod",
         type_: str = "Warning") -> None:
    namespace = rel.split("/")[0]
    files.setdefault(rel, {"items": []})["items"].append({
        "metadata": {"name": f"{obj}.{reason.lower()}.{len(files[rel]['items'])}", "namespace": namespace},
        "involvedObject": {"kind": kind, "name": obj, "namespace": namespace}, "reason": reason, "type": type_,
        "message": message, "count": 3, "source": {"component": "kubelet"}})


def waiting(files: Files, reason: str, message: str = "", pod: str = "web-7d9f8b6c5d-aaaaa") -> None:
    cs = status_of(files, pod)
    cs.update(ready=False, started=False, state={"waiting": {"reason": reason, **({"message": message} if message
                                                                                   else {})}})
    item(files, "shop/pods.json", pod)["status"]["conditions"][0]["status"] = "False"


def crashing(files: Files, code: int, reason: str = "Error", restarts: int = 5, message: str = "") -> None:
    waiting(files, "CrashLoopBackOff", "back-off 1m20s restarting failed container=web")
    cs = status_of(files)
    cs["restartCount"] = restarts
    cs["lastState"] = {"terminated": {"exitCode": code, "reason": reason, **({"message": message} if message else {}),
                                      "startedAt": "2024-05-01T09:59:00Z", "finishedAt": "2024-05-01T10:00:00Z"}}


# -- pod-status ----------------------------------------------------------------------------------

def pull(message: str) -> Callable[[Files], None]:
    def edit(files: Files) -> None:
        waiting(files, "ErrImagePull", message)
        warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "Failed", f'Failed to pull image "x/web:2": {message}')
    return edit


def pull_back_off_with_cause_only_in_events(files: Files) -> None:
    waiting(files, "ImagePullBackOff", 'Back-off pulling image "registry.example.com/web:2"')
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "Failed",
         'Failed to pull image "registry.example.com/web:2": rpc error: code = Unknown desc = failed to pull and '
         'unpack image "registry.example.com/web:2": failed to resolve reference "registry.example.com/web:2": '
         "unexpected status from HEAD request to https://registry.example.com/v2/web/manifests/2: 401 Unauthorized")
    # a look-alike in another namespace: a probe answering 401 is no pull failure
    warn(files, "default/events.json", "batch-aaaaa", "Unhealthy", "Readiness probe failed: HTTP probe failed with "
         "statuscode: 401")


def app_exits(files: Files) -> None:
    crashing(files, 1)


def liveness_kills(files: Files) -> None:
    crashing(files, 143)
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "Unhealthy",
         'Liveness probe failed: Get "http://10.244.0.11:8080/healthz": context deadline exceeded')
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "Killing",
         "Container web failed liveness probe, will be restarted", type_="Normal")


def readiness_fails(files: Files) -> None:
    status_of(files)["ready"] = False
    web(files)["status"]["conditions"][0]["status"] = "False"
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "Unhealthy",
         "Readiness probe failed: HTTP probe failed with statuscode: 503")


def exec_format_error(files: Files) -> None:
    waiting(files, "RunContainerError", 'failed to create containerd task: failed to create shim task: OCI runtime '
            'create failed: runc create failed: unable to start container process: exec: "/app/web": exec format '
            "error: unknown")


def command_not_found(files: Files) -> None:
    crashing(files, 127, restarts=4)


def start_error_exit_128(files: Files) -> None:
    crashing(files, 128, reason="StartError", restarts=3, message='failed to create containerd task: exec: "web": '
             "executable file not found in $PATH")


def init_container_fails(files: Files) -> None:
    pod = web(files)
    pod["spec"]["initContainers"] = [{"name": "migrate", "image": "registry.k8s.io/migrate:1.0"}]
    pod["status"]["initContainerStatuses"] = [{
        "name": "migrate", "image": "registry.k8s.io/migrate:1.0", "imageID": "", "ready": False, "restartCount": 4,
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s restarting failed"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "2024-05-01T09:59:00Z",
                                     "finishedAt": "2024-05-01T10:00:00Z"}}}]
    waiting(files, "PodInitializing")


def oom_once_then_running(files: Files) -> None:
    cs = status_of(files)
    cs["restartCount"] = 1
    cs["lastState"] = {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": "2024-05-01T09:00:00Z",
                                      "finishedAt": "2024-05-01T09:30:00Z"}}


def configmap_key_missing(files: Files) -> None:
    item(files, "shop/configmaps.json", "web-config")["data"].pop("API_URL")
    waiting(files, "CreateContainerConfigError", "couldn't find key API_URL in ConfigMap shop/web-config")


def configmap_missing_from_the_list_only(files: Files) -> None:
    files["shop/configmaps.json"]["items"] = [c for c in files["shop/configmaps.json"]["items"]
                                              if c["metadata"]["name"] != "web-config"]
    waiting(files, "CreateContainerConfigError")


def configmap_created_since(files: Files) -> None:
    # an old event says web-config was missing; it exists now and the pod is running
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "Failed", 'Error: configmap "web-config" not found')


def secret_missing_per_event(files: Files) -> None:
    waiting(files, "CreateContainerConfigError", 'secret "web-db" not found')
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "Failed", 'Error: secret "web-db" not found')


def flannel_init_only(files: Files) -> None:
    pod = item(files, "kube-flannel/pods.json", "kube-flannel-ds-bbbbb")
    pod["status"]["initContainerStatuses"][1]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    pod["status"]["initContainerStatuses"][1]["restartCount"] = 6
    pod["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "PodInitializing"}}


def crash_in_other_namespace(files: Files) -> None:
    pod = item(files, "kube-system/pods.json", "coredns-5d78c9869d-aaaaa")
    pod["status"]["containerStatuses"][0].update(restartCount=9, state={"waiting": {"reason": "CrashLoopBackOff"}},
                                                 lastState={"terminated": {"exitCode": 1, "reason": "Error"}})


def running_with_two_old_restarts(files: Files) -> None:
    cs = status_of(files)
    cs["restartCount"] = 2
    cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error"}}


# -- scheduling ---------------------------------------------------------------------------------

PREEMPTION = " preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."


def pending(files: Files, name: str, message: str, *, cpu: str = "", event: bool = True) -> None:
    containers = [{"name": name.split("-")[0], "image": "registry.k8s.io/x:1",
                   **({"resources": {"requests": {"cpu": cpu}}} if cpu else {})}]
    conditions = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}] \
        if message else []
    files["shop/pods.json"]["items"].append({"metadata": {"name": name, "namespace": "shop", "labels": {"app": "x"}},
                                             "spec": {"containers": containers},
                                             "status": {"phase": "Pending", "conditions": conditions}})
    if event and message:
        warn(files, "shop/events.json", name, "FailedScheduling", message)


def insufficient_cpu(files: Files) -> None:
    pending(files, "batch-aaaaa", "0/3 nodes are available: 3 Insufficient cpu." + PREEMPTION, cpu="4")


def cordoned_nodes(files: Files) -> None:
    for node in files["nodes.json"]["items"]:
        node["spec"]["unschedulable"] = True
    pending(files, "web-7d9f8b6c5d-ccccc", "0/3 nodes are available: 3 node(s) were unschedulable." + PREEMPTION)


def old_taint_wording(files: Files) -> None:
    pending(files, "web-7d9f8b6c5d-ccccc", "0/3 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/"
            "master: }, that the pod didn't tolerate, 2 node(s) didn't match pod anti-affinity rules.", event=False)


def no_scheduler(files: Files) -> None:
    pending(files, "web-7d9f8b6c5d-ccccc", "")


def scheduled_and_starting(files: Files) -> None:
    web(files)["status"]["phase"] = "Pending"
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "FailedScheduling",
         "0/3 nodes are available: 3 Insufficient memory." + PREEMPTION)


# -- volumes ------------------------------------------------------------------------------------

def claim(files: Files, name: str, *, storage_class: str | None = None, phase: str = "Pending") -> None:
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    files["shop/persistentvolumeclaims.json"]["items"].append(
        {"metadata": {"name": name, "namespace": "shop"}, "spec": spec, "status": {"phase": phase}})


def no_default_class(files: Files) -> None:
    for sc in files["storageclasses.json"]["items"]:
        sc["metadata"].pop("annotations", None)
    claim(files, "uploads")
    warn(files, "shop/events.json", "uploads", "FailedBinding", "no persistent volumes available for this claim and "
         "no storage class is set", kind="PersistentVolumeClaim")


def wait_for_first_consumer_with_a_waiting_pod(files: Files) -> None:
    claim(files, "uploads", storage_class="standard")
    web(files)["spec"].setdefault("volumes", []).append({"name": "up", "persistentVolumeClaim": {
        "claimName": "uploads"}})
    warn(files, "shop/events.json", "uploads", "ExternalProvisioning", "Waiting for a volume to be created either by "
         "the external provisioner 'ebs.csi.aws.com' or manually by the system administrator", type_="Normal",
         kind="PersistentVolumeClaim")


def wait_for_first_consumer_unused(files: Files) -> None:
    claim(files, "spare", storage_class="standard")


def nfs_mount_times_out(files: Files) -> None:
    waiting(files, "ContainerCreating")
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "FailedMount",
         "MountVolume.SetUp failed for volume \"share\" : mount failed: exit status 32 Mounting command: mount "
         "Mounting arguments: -t nfs 10.0.0.5:/exports /var/lib/kubelet/pods/x/volumes/kubernetes.io~nfs/share "
         "Output: mount.nfs: Connection timed out")
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "FailedMount",
         "Unable to attach or mount volumes: unmounted volumes=[share], unattached volumes=[share tls]: timed out "
         "waiting for the condition")


def attach_error(files: Files) -> None:
    item(files, "volumeattachments.json", "csi-pvc-0a1b2c3d-node-b")["status"] = {
        "attached": False, "attachError": {"message": "rpc error: code = Internal desc = Could not attach volume "
                                           "\"vol-0abc\" to node \"i-0def\": IncorrectState",
                                           "time": "2024-05-01T10:00:00Z"}}


def old_mount_failure_of_a_running_pod(files: Files) -> None:
    warn(files, "shop/events.json", "web-7d9f8b6c5d-aaaaa", "FailedMount",
         "MountVolume.SetUp failed for volume \"share\" : mount failed: exit status 32")


def two_default_classes(files: Files) -> None:
    item(files, "storageclasses.json", "fast")["metadata"]["annotations"] = {
        "storageclass.kubernetes.io/is-default-class": "true"}


# -- workload-rollout ---------------------------------------------------------------------------

def condition(kind: str, status: str, reason: str, message: str = "") -> dict[str, Any]:
    return {"type": kind, "status": status, "reason": reason, "message": message,
            "lastTransitionTime": "2024-05-01T10:00:00Z"}


def rolling_out(files: Files) -> None:
    d = item(files, "shop/deployments.json", "web")
    d["status"].update(updatedReplicas=1, availableReplicas=1)
    d["status"]["conditions"][1] = condition("Progressing", "True", "ReplicaSetUpdated",
                                             'ReplicaSet "web-84c7b9f6d" is progressing.')


def quota_only(files: Files) -> None:
    item(files, "shop/deployments.json", "worker")["status"]["conditions"].append(condition(
        "ReplicaFailure", "True", "FailedCreate", 'pods "worker-6d7e8f9a0b-zzzzz" is forbidden: exceeded quota: '
        "pods-quota, requested: pods=1, used: pods=10, limited: pods=10"))


def job_deadline(files: Files) -> None:
    job = item(files, "shop/jobs.json", "migrate-28573800")
    job["spec"]["activeDeadlineSeconds"] = 600
    job["status"].update(failed=1, succeeded=0, conditions=[condition(
        "Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline")])


def job_still_retrying(files: Files) -> None:
    item(files, "shop/jobs.json", "migrate-28573800")["status"].update(
        failed=2, succeeded=0, active=1, conditions=[])


ROWS: list[tuple[str, Callable[[Files], None], str, CheckInputs, str, tuple[str, ...] | None, tuple[str, ...]]] = [
    # pod-status
    ("tag not found", pull("failed to pull and unpack image \"docker.io/x/web:2\": failed to resolve reference "
                           "\"docker.io/x/web:2\": docker.io/x/web:2: not found"), "pod-status", SHOP, "confirmed",
     ("image-pull-not-found",),
     ('container web ErrImagePull: image "docker.io/x/web:2": docker.io/x/web:2: not found',)),
    ("docker manifest unknown", pull("Error response from daemon: manifest for x/web:2 not found: manifest unknown: "
                                     "manifest unknown"), "pod-status", SHOP, "confirmed", ("image-pull-not-found",),
     ("manifest unknown",)),
    ("registry TLS", pull("failed to do request: Head \"https://registry.internal/v2/web/manifests/2\": tls: failed "
                          "to verify certificate: x509: certificate signed by unknown authority"), "pod-status", SHOP,
     "confirmed", ("image-pull-registry-tls",), ("x509: certificate signed by unknown authority",)),
    ("insecure registry", pull("Error response from daemon: Get \"https://10.0.0.9:5000/v2/\": http: server gave HTTP "
                               "response to HTTPS client"), "pod-status", SHOP, "confirmed",
     ("image-pull-registry-tls",), ("server gave HTTP response to HTTPS client",)),
    ("rate limit", pull("429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate "
                        "limit. You may increase the limit by authenticating and upgrading"), "pod-status", SHOP,
     "confirmed", ("image-pull-rate-limit",), ("toomanyrequests: You have reached your pull rate limit",)),
    ("pull cause only in events", pull_back_off_with_cause_only_in_events, "pod-status", EVERYWHERE, "confirmed",
     ("image-pull-auth",), ("container web ImagePullBackOff", "401 Unauthorized", "(1 pod in all namespaces)")),
    ("registry unreachable", pull("dial tcp: lookup registry.internal on 10.96.0.10:53: no such host"), "pod-status",
     SHOP, "inconclusive", ("image-pull-auth", "image-pull-not-found", "image-pull-registry-tls",
                            "image-pull-rate-limit"),
     ("for a reason the status and events do not show", "no such host")),
    ("app exits 1", app_exits, "pod-status", SHOP, "confirmed", ("crashloop-app-exit",),
     ("container web CrashLoopBackOff, 5 restarts, last exit 1 (application error",)),
    ("liveness kills", liveness_kills, "pod-status", SHOP, "confirmed", ("probe-failures",),
     ("last exit 143 (SIGTERM: asked to stop (a failed liveness probe",)),
    ("readiness fails", readiness_fails, "pod-status", SHOP, "confirmed", ("probe-failures",),
     ("shop/web-7d9f8b6c5d-aaaaa: Readiness probe failed: HTTP probe failed with statuscode: 503",)),
    ("exec format error", exec_format_error, "pod-status", SHOP, "confirmed", ("container-start-error",),
     ("container web RunContainerError", "exec format error")),
    ("command not found", command_not_found, "pod-status", SHOP, "confirmed", ("container-start-error",),
     ("last exit 127 (command not found in the image)",)),
    ("start error 128", start_error_exit_128, "pod-status", SHOP, "confirmed", ("container-start-error",),
     ("last exit 128 StartError", "executable file not found in $PATH")),
    ("init container", init_container_fails, "pod-status", SHOP, "confirmed", ("init-container-failing",),
     ("init container migrate CrashLoopBackOff, 4 restarts, last exit 1 (application error",)),
    ("OOM once", oom_once_then_running, "pod-status", SHOP, "confirmed", ("oom-killed",),
     ("restarted after OOMKilled, 1 restart, last exit 137 OOMKilled", "memory limit 512Mi")),
    ("ConfigMap key missing", configmap_key_missing, "pod-status", SHOP, "confirmed", ("container-config-missing",),
     ("container web CreateContainerConfigError: couldn't find key API_URL in ConfigMap shop/web-config",
      'key API_URL not in ConfigMap "web-config" (not among the namespace\'s ConfigMaps)')),
    ("ConfigMap missing (listed)", configmap_missing_from_the_list_only, "pod-status", SHOP, "confirmed",
     ("container-config-missing",), ('ConfigMap "web-config" not found (not among the namespace\'s ConfigMaps)',)),
    ("Secret missing (events)", secret_missing_per_event, "pod-status", SHOP, "confirmed",
     ("container-config-missing",), ('Secret "web-db" not found (from the pod\'s events)',
                                     "Secret(s) web-tls: their existence is not checked")),
    ("ConfigMap created since", configmap_created_since, "pod-status", SHOP, "not confirmed", None, ()),
    ("flannel's own init", flannel_init_only, "pod-status", EVERYWHERE, "not confirmed", None,
     ("flannel's own init container: see the windows-nodes check",)),
    ("crash elsewhere", crash_in_other_namespace, "pod-status", SHOP, "not confirmed", None,
     ("4 pods in namespace shop",)),
    ("two old restarts", running_with_two_old_restarts, "pod-status", SHOP, "not confirmed", None, ()),
    # scheduling
    ("insufficient cpu", insufficient_cpu, "scheduling", SHOP, "confirmed", ("scheduling-insufficient-resources",),
     ("1 pod cannot be scheduled in namespace shop: no node has enough cpu",
      "shop/batch-aaaaa requests 4 cpu; most free: win-1 1900m free of 1900m allocatable; "
      "node-a 1650m free of 1900m allocatable; node-b 1150m free")),
    ("cordoned", cordoned_nodes, "scheduling", SHOP, "confirmed", ("scheduling-constraints",),
     ("unschedulable (cordoned) nodes",)),
    ("old taint wording", old_taint_wording, "scheduling", SHOP, "confirmed", ("scheduling-constraints",),
     ("untolerated taint node-role.kubernetes.io/master: , pod affinity/anti-affinity rules",)),
    ("no scheduler", no_scheduler, "scheduling", SHOP, "inconclusive", None, ("is the scheduler running",)),
    ("scheduled, starting", scheduled_and_starting, "scheduling", SHOP, "not confirmed", None,
     ("(1 Pending pod already scheduled, starting)", "1 older FailedScheduling event")),
    # volumes
    ("no default class", no_default_class, "volumes", SHOP, "confirmed", ("pvc-pending",),
     ("PVC shop/uploads Pending: no StorageClass set and the cluster has no default StorageClass",
      "FailedBinding (x3): no persistent volumes available")),
    ("WaitForFirstConsumer, pod waits", wait_for_first_consumer_with_a_waiting_pod, "volumes", SHOP, "confirmed",
     ("pvc-pending",), ("PVC shop/uploads Pending (StorageClass standard, provisioner ebs.csi.aws.com); "
                        "ExternalProvisioning (x3)",)),
    ("WaitForFirstConsumer, unused", wait_for_first_consumer_unused, "volumes", SHOP, "not confirmed", None,
     ("WaitForFirstConsumer and no pod uses the claim yet",)),
    ("NFS mount", nfs_mount_times_out, "volumes", SHOP, "confirmed", ("volume-mount-failed",),
     ("mount.nfs: Connection timed out", "unmounted volumes=[share]")),
    ("attach error", attach_error, "volumes", SHOP, "confirmed", ("volume-mount-failed",),
     ("VolumeAttachment csi-pvc-0a1b2c3d-node-b: volume pvc-0a1b2c3d on node node-b: rpc error",)),
    ("old mount failure", old_mount_failure_of_a_running_pod, "volumes", SHOP, "not confirmed", None, ()),
    ("two defaults", two_default_classes, "volumes", EVERYWHERE, "not confirmed", None,
     ("2 default StorageClasses (fast, standard)",)),
    # workload-rollout
    ("rolling out", rolling_out, "workload-rollout", SHOP, "inconclusive", None,
     ("Deployment shop/web is rolling out (1/2 updated, 1 available), within its progress deadline",)),
    ("quota", quota_only, "workload-rollout", SHOP, "confirmed", ("rollout-stuck",),
     ("Deployment shop/worker: ReplicaFailure FailedCreate (a ResourceQuota refuses the pods)",)),
    ("job deadline", job_deadline, "workload-rollout", EVERYWHERE, "confirmed", ("job-backoff-limit",),
     ("Job shop/migrate-28573800: Failed DeadlineExceeded", "activeDeadlineSeconds 600")),
    ("job retrying", job_still_retrying, "workload-rollout", SHOP, "not confirmed", None, ()),
]


@pytest.mark.parametrize(("edit", "check", "inputs", "status", "topics", "says"), [row[1:] for row in ROWS],
                         ids=[row[0] for row in ROWS])
def test_one_edit_to_a_healthy_cluster(edit, check, inputs, status, topics, says, serve, settings_for):
    # given
    server = serve("healthy")
    edit(server.files)
    # when
    (result,) = run_checks([check], inputs, settings_for(server)).results
    # then
    text = "\n".join([result.summary, *result.evidence])
    assert result.status == status, text
    if topics is not None:
        assert result.topics == topics
    for words in says:
        assert words in text, (words, text)


@pytest.mark.parametrize(("inputs", "status", "says"), [
    (CheckInputs(namespace="shop", pod="cache-7b8c9d0e1f-aaaaa"), "confirmed",
     "containers are OOMKilled: they use more memory than their limit (pod shop/cache-7b8c9d0e1f-aaaaa)"),
    (CheckInputs(pod="cache-7b8c9d0e1f-aaaaa"), "confirmed", "(pod shop/cache-7b8c9d0e1f-aaaaa)"),
    (CheckInputs(namespace="shop", pod="web-7d9f8b6c5d-aaaaa"), "not confirmed",
     "pod shop/web-7d9f8b6c5d-aaaaa: no container waiting on an error"),
    (CheckInputs(namespace="shop", pod="cache-0000000000-zzzzz"), "confirmed",
     "pod cache-0000000000-zzzzz no longer exists in shop; looked at the namespace's pods"),
    (CheckInputs(pod="cache-0000000000-zzzzz"), "inconclusive", "does not exist in any namespace"),
])
def test_pod_status_narrows_to_the_named_pod(inputs, status, says, serve, settings_for):
    # given
    server = serve("pod-failures")
    # when
    (result,) = run_checks(["pod-status"], inputs, settings_for(server)).results
    # then
    text = "\n".join([result.summary, *result.evidence])
    assert result.status == status, text
    assert says in text
    if inputs.pod == "cache-7b8c9d0e1f-aaaaa":
        assert result.topics == ("oom-killed",)
        assert "api-6f7d8c9b5a" not in text


def test_the_named_pod_reads_only_its_own_events(serve, settings_for):
    # given
    server = serve("pod-failures")
    # when
    run_checks(["pod-status"], CheckInputs(namespace="shop", pod="api-6f7d8c9b5a-aaaaa"), settings_for(server))
    # then
    events = [r for r in server.requests if r.path.endswith("/events")]
    assert [(r.path, r.query["fieldSelector"]) for r in events] == [
        ("/api/v1/namespaces/shop/events", "involvedObject.name=api-6f7d8c9b5a-aaaaa,type=Warning")]


def test_scheduling_narrows_to_the_named_pod(serve, settings_for):
    # given
    server = serve("unschedulable")
    # when
    (result,) = run_checks(["scheduling"], CheckInputs(namespace="shop", pod="trainer-5a6b7c8d9e-aaaaa"),
                           settings_for(server)).results
    # then
    assert (result.status, result.topics) == ("confirmed", ("scheduling-constraints",))
    assert "analytics" not in "\n".join(result.evidence)
    assert not [r for r in server.requests if r.path == "/api/v1/nodes"], "node totals are read only when short"


def test_volumes_narrow_to_the_claims_of_the_named_pod(serve, settings_for):
    # given
    server = serve("pvc-pending")
    # when
    (db,) = run_checks(["volumes"], CheckInputs(namespace="shop", pod="db-0"), settings_for(server)).results
    (worker,) = run_checks(["volumes"], CheckInputs(namespace="shop", pod="worker-5c6b7d8e9f-aaaaa"),
                           settings_for(server)).results
    # then
    assert (db.status, db.topics) == ("confirmed", ("volume-mount-failed",))
    assert not any("reports-data" in line for line in db.evidence)
    assert worker.status == "not confirmed"


def test_a_configmap_value_never_reaches_the_evidence(serve, settings_for):
    # given: a ConfigMap value that looks like a credential, and a pod that misses one of its keys
    server = serve("healthy")
    item(server.files, "shop/configmaps.json", "web-config")["data"] = {"LOG_LEVEL": "value-never-shown-0123"}
    waiting(server.files, "CreateContainerConfigError", "couldn't find key API_URL in ConfigMap shop/web-config")
    # when
    (result,) = run_checks(["pod-status"], SHOP, settings_for(server)).results
    # then
    assert result.status == "confirmed"
    assert "value-never-shown-0123" not in "\n".join([result.summary, *result.evidence])
    assert "LOG_LEVEL" not in "\n".join(result.evidence)


def test_a_plain_dump_without_configmaps_claims_jobs_or_storage_still_answers_what_it_can(dump):
    # given: what kubectl cluster-info dump writes has pods, events and Deployments, but none of these
    from bot.checks import ChecksSettings

    folder = dump("pod-failures")
    for pattern in ("*/configmaps.json", "*/jobs.json", "*/persistentvolumeclaims.json", "storageclasses.json",
                    "volumeattachments.json", "*/statefulsets.json"):
        for path in folder.glob(pattern):
            path.unlink()
    # when
    report = run_checks(["pod-status", "workload-rollout", "volumes", "scheduling"], SHOP,
                        ChecksSettings(kubeconfig="/nonexistent"), snapshot_dir=folder)
    # then
    pods, rollout, volumes, scheduling = report.results
    assert (pods.status, pods.topics) == ("confirmed", ("image-pull-auth", "container-config-missing", "oom-killed"))
    assert "ConfigMaps of shop not read: the snapshot has no shop/configmaps.json" in pods.evidence
    assert 'shop/report-5d6e7f8a9b-aaaaa: ConfigMap "report-config" not found (from the pod\'s events)' in pods.evidence
    assert rollout.status == "not confirmed"
    assert rollout.summary == "2 Deployments rolled out (StatefulSets, DaemonSets and Jobs not read) in namespace shop"
    assert volumes.status == "inconclusive"
    assert "the snapshot has no shop/persistentvolumeclaims.json" in volumes.summary
    assert scheduling.status == "not confirmed"


def test_403_fails_each_new_check_with_its_first_read_and_the_probes_name_the_new_reads(serve, settings_for):
    # given
    server = serve("healthy", mode="forbidden")
    # when
    report = run_checks(["pod-status", "scheduling", "volumes", "workload-rollout", "apiserver-access"], SHOP,
                        settings_for(server))
    # then
    by_id = {r.check_id: r for r in report.results}
    assert by_id["pod-status"].summary.startswith("list pods in shop: forbidden (403)")
    assert by_id["scheduling"].summary.startswith("list pods in shop: forbidden (403)")
    assert by_id["volumes"].summary.startswith("list persistentvolumeclaims in shop: forbidden (403)")
    assert by_id["workload-rollout"].summary.startswith("list deployments.apps in shop: forbidden (403)")
    assert {by_id[c].status for c in ("pod-status", "scheduling", "volumes", "workload-rollout")} == {"failed"}
    missing = "; ".join(line.split(": ", 1)[1] for line in by_id["apiserver-access"].evidence
                        if line.startswith(("the credentials may not: ", "nor: ")))
    assert missing.endswith("list horizontalpodautoscalers.autoscaling; list configmaps; list persistentvolumeclaims; "
                            "list storageclasses.storage.k8s.io; list volumeattachments.storage.k8s.io; "
                            "list deployments.apps; list statefulsets.apps; list jobs.batch")
    assert all(len(line) < 300 for line in by_id["apiserver-access"].evidence)


def test_configmaps_are_listed_in_at_most_ten_namespaces_per_run(serve, settings_for):
    # given: a pod failing on a missing ConfigMap in each of 12 namespaces
    import copy

    from bot.checks.pod_status import MAX_CONFIG_NAMESPACES

    server = serve("healthy")
    for n in range(12):
        pod = copy.deepcopy(web(server.files))
        pod["metadata"].update(name="web-0", namespace=f"team-{n:02d}")
        pod["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "CreateContainerConfigError"}}
        server.files[f"team-{n:02d}/pods.json"] = {"items": [pod]}
    # when
    (result,) = run_checks(["pod-status"], EVERYWHERE, settings_for(server)).results
    # then
    listed = [r for r in server.requests if r.path.endswith("/configmaps")]
    assert len(listed) == MAX_CONFIG_NAMESPACES == 10
    assert result.status == "confirmed"
    assert any(line.startswith("ConfigMaps not compared in 2 more namespaces (team-10, team-11...)")
               for line in result.evidence)


@pytest.mark.parametrize(("argv", "says"), [
    (["check", "pod-status", "-n", "shop", "--pod", "cache-7b8c9d0e1f-aaaaa"],
     "[!]   CONFIRMED  pod-status: containers are OOMKilled: they use more memory than their limit "
     "(pod shop/cache-7b8c9d0e1f-aaaaa)"),
    (["check", "oom-killed", "-n", "shop"], "topics: image-pull-auth, container-config-missing, oom-killed"),
    (["check", "scheduling", "-n", "default"], "not confirmed  scheduling: no pod waits for a node in namespace "
                                               "default"),
])
def test_the_cli_runs_the_new_checks_on_a_dump(argv, says, dump, monkeypatch, capsys):
    # given
    from bot.cli.main import main

    monkeypatch.setenv("KUBECONFIG", "/nonexistent")
    folder = dump("pod-failures")
    # when
    code = main([*argv, "--snapshot", str(folder)])
    # then
    assert code == 0
    assert says in capsys.readouterr().out
