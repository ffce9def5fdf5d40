"""Pure judgements of rollouts: what a Deployment's, StatefulSet's or DaemonSet's status and pods say.

The controllers report progress differently. A Deployment has conditions and a progress deadline
(``Progressing=False`` / ``ProgressDeadlineExceeded``). A StatefulSet and a DaemonSet only count
pods (updated, ready, available, misscheduled) and have no deadline: when the pod they updated
never becomes ready, the rollout waits for ever and nothing says so. Their not-ready pods tell
why, and how long they have waited: past :data:`STUCK_AFTER`, or at once when a pod crashes or
fails its probe, the rollout counts as stuck. Used by the ``workload-rollout`` check and by
``scan`` (which has no events to give, only the pods it read).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.checks._light import timestamp
from bot.checks._objects import condition, one_line, plural, pod_problem, ref
from bot.checks.pod_status import container_findings

STUCK_AFTER = 600.0
"""Seconds an unfinished StatefulSet or DaemonSet rollout may have a pod not ready before it counts as
stuck: the default ``progressDeadlineSeconds`` of a Deployment, which these controllers lack."""
IN_PROGRESS = frozenset({"ReplicaSetUpdated", "NewReplicaSetCreated", "FoundNewReplicaSet"})
POD_TOPICS = ("crashloop-app-exit", "probe-failures")
"""Pod causes this module points at; the others (image pulls, OOM, config) are named and left to pod-status."""
OWNER_KIND = {"Deployment": "ReplicaSet", "StatefulSet": "StatefulSet", "DaemonSet": "DaemonSet"}


@dataclass(frozen=True)
class Status:
    """What one workload's own status says about its rollout."""

    kind: str
    obj: Any
    counts: str
    stuck: tuple[str, ...] = ()
    """Lines that mean a stuck rollout on their own (a condition, misscheduled pods)."""
    unfinished: bool = False
    """Not every pod is updated, ready or available: its pods tell whether it is stuck."""
    pending: bool = False
    """Pods still wait for the new revision (else only some pods are not ready)."""
    note: str | None = None
    """Paused, OnDelete, partitioned or in progress: why it is not (yet) called stuck."""

    @property
    def name(self) -> str:
        """``Kind namespace/name``."""
        return f"{self.kind} {ref(self.obj)}"


@dataclass(frozen=True)
class Verdict:
    """A workload judged with its pods: stuck or not, the lines that show it, the pod topics found."""

    status: Status
    stuck: bool
    lines: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    note: str | None = None


def _int(value: Any, default: int = 0) -> int:
    return int(value) if value is not None else default


def deployment_status(deployment: Any) -> Status:
    """The rollout of a Deployment, from its conditions and counts."""
    spec, status = deployment.spec, deployment.status
    desired = _int(spec.replicas if spec else None, 1)
    updated = _int(status.updated_replicas if status else None)
    available = _int(status.available_replicas if status else None)
    counts = f"{updated}/{desired} updated, {available} available"
    name = f"Deployment {ref(deployment)}"
    if spec is not None and spec.paused:
        return Status("Deployment", deployment, counts,
                      note=f"{name} is paused ({counts}): `kubectl rollout resume` continues it")
    lines = []
    progressing = condition(deployment, "Progressing")
    if progressing is not None and progressing.status == "False":
        lines.append(f"{name}: Progressing=False {progressing.reason}: {one_line(progressing.message)} ({counts})")
    failure = condition(deployment, "ReplicaFailure")
    if failure is not None and failure.status == "True":
        quota = " (a ResourceQuota refuses the pods)" if "exceeded quota" in str(failure.message or "") else ""
        lines.append(f"{name}: ReplicaFailure {failure.reason}{quota}: {one_line(failure.message)}")
    rolling = progressing is not None and progressing.status == "True" and progressing.reason in IN_PROGRESS
    unfinished = bool(lines) or rolling or updated < desired
    note = f"{name} is rolling out ({counts}), within its progress deadline" if rolling and not lines else None
    return Status("Deployment", deployment, counts, tuple(lines), unfinished, rolling or updated < desired, note)


def statefulset_status(sts: Any) -> Status:
    """The rollout of a StatefulSet: updated and ready replicas against the partition and revisions."""
    spec, status = sts.spec, sts.status
    desired = _int(spec.replicas if spec else None, 1)
    updated = _int(status.updated_replicas if status else None)
    ready = _int(status.ready_replicas if status else None)
    strategy = spec.update_strategy if spec else None
    kind = (strategy.type if strategy else None) or "RollingUpdate"
    partition = _int(strategy.rolling_update.partition if strategy and strategy.rolling_update else None)
    current = status.current_revision if status else None
    update = status.update_revision if status else None
    counts = f"{updated}/{desired} updated, {ready}/{desired} ready" + (f", partition {partition}" if partition else "")
    if current and update and current != update:
        counts += f", revision {current} -> {update}"
    name = f"StatefulSet {ref(sts)}"
    unready = ready < desired
    note = None
    pending = False
    if kind == "OnDelete":
        if updated < desired:
            note = f"{name} uses updateStrategy OnDelete ({counts}): a pod takes the new revision only when deleted"
    elif partition and updated >= desired - partition:
        note = f"{name} is rolled out up to its partition ({counts})" if updated < desired else None
    else:
        pending = updated < desired - partition or (not partition and bool(current and update and current != update))
    unfinished = pending or unready
    if unfinished and note is None:
        note = f"{name} is rolling out ({counts})" if pending else f"{name} waits for its pods to be ready ({counts})"
    return Status("StatefulSet", sts, counts, (), unfinished, pending, note)


def daemonset_status(ds: Any) -> Status:
    """The rollout of a DaemonSet: updated, available and misscheduled pods against the desired nodes."""
    spec, status = ds.spec, ds.status
    desired = _int(status.desired_number_scheduled if status else None)
    updated = _int(status.updated_number_scheduled if status else None)
    ready = _int(status.number_ready if status else None)
    available = _int(status.number_available if status else None)
    unavailable = _int(status.number_unavailable if status else None, max(0, desired - available))
    misscheduled = _int(status.number_misscheduled if status else None)
    strategy = spec.update_strategy if spec else None
    kind = (strategy.type if strategy else None) or "RollingUpdate"
    counts = f"{updated}/{desired} updated, {ready}/{desired} ready" + (
        f", {unavailable} unavailable" if unavailable else "") + (
        f", {misscheduled} misscheduled" if misscheduled else "")
    name = f"DaemonSet {ref(ds)}"
    stuck = []
    if misscheduled:
        stuck.append(f"{name}: {plural(misscheduled, 'pod')} misscheduled ({counts}): on nodes that should no "
                     "longer run it, where a NoSchedule taint it does not tolerate, added after it started, keeps "
                     "it without counting it")
    note = None
    pending = kind == "RollingUpdate" and updated < desired
    if kind == "OnDelete" and updated < desired:
        note = f"{name} uses updateStrategy OnDelete ({counts}): a pod takes the new template only when deleted"
    unfinished = pending or unavailable > 0 or ready < desired
    if unfinished and note is None:
        note = f"{name} is rolling out ({counts})" if pending else f"{name} waits for its pods to be ready ({counts})"
    return Status("DaemonSet", ds, counts, tuple(stuck), unfinished, pending, note)


def owns(status: Status, pod: Any) -> bool:
    """True when ``pod`` belongs to the workload: its controller reference, or (none set) its labels."""
    meta, obj = pod.metadata, status.obj
    if meta is None or meta.namespace != obj.metadata.namespace:
        return False
    selector = obj.spec.selector if obj.spec else None
    wanted = dict((selector.match_labels if selector else None) or {})
    labels = meta.labels or {}
    if wanted and any(labels.get(k) != v for k, v in wanted.items()):
        return False
    owners = [o for o in (meta.owner_references or []) if o.controller is not False]
    if not owners:
        return bool(wanted)
    name = obj.metadata.name
    return any(o.kind == OWNER_KIND[status.kind] and (o.name == name if status.kind != "Deployment"
                                                       else str(o.name).startswith(f"{name}-")) for o in owners)


def not_ready_since(pod: Any) -> float:
    """When the pod last became not ready (its Ready condition), else when it was created; 0 when unknown."""
    ready = condition(pod, "Ready")
    if ready is not None and ready.last_transition_time:
        return timestamp(ready.last_transition_time)
    return timestamp(pod.metadata.creation_timestamp) if pod.metadata else 0.0


def _readiness_line(pod: Any) -> str | None:
    """A Running container that is not ready although it has a readiness probe: the probe does not pass."""
    probed = {c.name for c in (pod.spec.containers or []) if c.readiness_probe is not None} if pod.spec else set()
    for cs in (pod.status.container_statuses if pod.status else None) or []:
        if cs.name in probed and cs.state is not None and cs.state.running is not None and not cs.ready:
            return f"{ref(pod)}: container {cs.name} Running but not ready: its readiness probe does not pass"
    return None


def _fails_hard(pod: Any) -> bool:
    """True when a container of ``pod`` waits on an error, exited or restarted: not a pod still warming up."""
    statuses = [*((pod.status and pod.status.init_container_statuses) or []),
                *((pod.status and pod.status.container_statuses) or [])]
    for cs in statuses:
        state = cs.state
        waiting = state.waiting.reason if state is not None and state.waiting is not None else None
        if cs.restart_count or (waiting and waiting not in ("ContainerCreating", "PodInitializing")) or (
                state is not None and state.terminated is not None and state.terminated.exit_code):
            return True
    return False


def pod_lines(pods: Iterable[Any], messages: dict[tuple[str, str], list[str]]) -> tuple[list[str], set[str], int,
                                                                                         float]:
    """What the not-ready pods show: lines, pod topics, how many fail for sure, and when the oldest became not ready.

    A pod fails for sure when a container crashes, restarts or waits on an error; a readiness probe
    that does not pass yet (a ``Readiness probe failed`` event, or a running container not ready)
    may be a pod still starting, so only time tells. ``messages`` are the Warning event messages by
    (namespace, pod name), as pod-status reads them.
    """
    lines: list[str] = []
    topics: set[str] = set()
    failing = 0
    oldest = 0.0
    for pod in pods:
        problem = pod_problem(pod)
        if problem is None or (pod.metadata is not None and pod.metadata.deletion_timestamp):
            continue  # ready, done, or an old pod on its way out
        since = not_ready_since(pod)
        oldest = since if not oldest or (since and since < oldest) else oldest
        key = (pod.metadata.namespace or "", pod.metadata.name or "")
        found = [f for f in container_findings(pod, messages.get(key, [])) if f.topic]
        readiness = _readiness_line(pod) if not found else None
        if found:
            failing += _fails_hard(pod)
            for finding in found:
                topics.add(finding.topic or "")
                lines.append(finding.text + ("" if finding.topic in POD_TOPICS else " (see the pod-status check)"))
        elif readiness:
            topics.add("probe-failures")
            lines.append(readiness)
        else:
            lines.append(f"{ref(pod)}: {problem}" + (" (see the scheduling check)" if problem == "Pending" else ""))
    return lines, topics & set(POD_TOPICS), failing, oldest


def judge(status: Status, pods: list[Any] | None, messages: dict[tuple[str, str], list[str]],
          events: list[str], now: float) -> Verdict:
    """Stuck or not: the status lines, the workload's own FailedCreate ``events``, then its pods.

    ``pods`` None means they could not be read: only the status and events decide. Events of a
    workload whose pods are all updated and ready are old news and do not count.
    """
    if not status.unfinished:
        return Verdict(status, bool(status.stuck), status.stuck, note=None if status.stuck else status.note)
    lines = [*status.stuck, *(f"{status.name}: {line}" for line in events)]
    own = [p for p in pods or [] if owns(status, p)]
    shown, topics, failing, oldest = pod_lines(own, messages)
    waited = bool(oldest) and now - oldest >= STUCK_AFTER
    deadline = status.kind == "Deployment"
    stuck = bool(lines) or failing > 0 or (waited and not deadline)
    if not stuck:
        return Verdict(status, False, note=status.note)
    if not lines:
        what = "rollout stuck" if status.pending else "pods not ready"
        why = "its pods fail" if failing else f"not ready for more than {int(STUCK_AFTER // 60)} minutes"
        lines.append(f"{status.name}: {what} ({status.counts}): {why}")
    return Verdict(status, True, tuple(lines + shown), tuple(t for t in POD_TOPICS if t in topics))


def judge_all(statuses: Iterable[Status], pods: list[Any] | None, messages: dict[tuple[str, str], list[str]],
              created: dict[tuple[str, str, str], list[str]], now: float) -> list[Verdict]:
    """Every workload judged with the pods of its own namespace and its FailedCreate lines by (kind, namespace, name).

    A cluster's pods are grouped by namespace once, not scanned again for every workload.
    """
    by_namespace: dict[str, list[Any]] = {}
    for pod in pods or []:
        by_namespace.setdefault((pod.metadata and pod.metadata.namespace) or "", []).append(pod)
    verdicts = []
    for status in statuses:
        namespace, name = status.obj.metadata.namespace or "", status.obj.metadata.name or ""
        verdicts.append(judge(status, None if pods is None else by_namespace.get(namespace, []), messages,
                              created.get((status.kind, namespace, name), []), now))
    return verdicts
