"""workload-rollout: Deployments, StatefulSets and DaemonSets whose rollout stopped, Jobs that failed for good.

A Deployment says it in conditions (``Progressing=False`` with ``ProgressDeadlineExceeded``,
``ReplicaFailure=True`` when pods are refused on create, e.g. by a ResourceQuota); a StatefulSet
or a DaemonSet only in counts, so their not-ready pods and FailedCreate events decide (see
:mod:`bot.checks._rollouts`); a Job in ``Failed=True`` with ``BackoffLimitExceeded`` or
``DeadlineExceeded``. When the pods of a stuck rollout crash or fail their probes, the result
says so and names those topics too.
"""

from __future__ import annotations

import time
from typing import Any

from bot.checks._objects import condition, event_count, one_line, plural, ref
from bot.checks._reader import ClusterReader
from bot.checks._rollouts import (
    Status,
    Verdict,
    daemonset_status,
    deployment_status,
    judge_all,
    statefulset_status,
)
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "workload-rollout"
KINDS = ("Deployment", "StatefulSet", "DaemonSet")
POD_CAUSES = {"crashloop-app-exit": "pods in CrashLoopBackOff", "probe-failures": "pods failing their probes"}


def job_findings(job: Any) -> list[str]:
    """The failure line of a Job that failed for good (empty when it did not)."""
    failed = condition(job, "Failed")
    if failed is None or failed.status != "True":
        return []
    owner = next((o for o in (job.metadata.owner_references or []) if o.kind == "CronJob"), None)
    origin = f" (from CronJob {owner.name})" if owner is not None else ""
    pods = (job.status.failed if job.status else 0) or 0
    limit = job.spec.backoff_limit if job.spec and job.spec.backoff_limit is not None else 6
    deadline = f", activeDeadlineSeconds {job.spec.active_deadline_seconds}" \
        if job.spec is not None and job.spec.active_deadline_seconds else ""
    return [f"Job {ref(job)}{origin}: Failed {failed.reason}: {one_line(failed.message)} "
            f"({plural(pods, 'failed pod')}, backoffLimit {limit}{deadline})"]


def event_index(events: list[Any]) -> tuple[dict[tuple[str, str], list[str]], dict[tuple[str, str, str], list[str]]]:
    """Warning event messages by pod; FailedCreate lines of StatefulSets and DaemonSets by (kind, namespace, name)."""
    by_pod: dict[tuple[str, str], list[str]] = {}
    created: dict[tuple[str, str, str], list[str]] = {}
    for event in events:
        obj = event.involved_object
        if obj is None:
            continue
        message = one_line(event.message)
        if obj.kind == "Pod":
            by_pod.setdefault((obj.namespace or "", obj.name or ""), []).append(message)
        elif obj.kind in ("StatefulSet", "DaemonSet") and event.reason == "FailedCreate":
            created.setdefault((obj.kind, obj.namespace or "", obj.name or ""), []).append(
                f"FailedCreate (x{event_count(event)}): {message}")
    return by_pod, created


def _statuses(reader: ClusterReader, namespace: str | None) -> tuple[list[Status], list[str], list[str]]:
    """Every workload's status, the kinds that were listed, and why the others were not."""
    statuses = [deployment_status(d) for d in reader.list_light("deployments", namespace)]
    listed, notes = ["Deployment"], []
    for kind, resource, judged in (("StatefulSet", "statefulsets", statefulset_status),
                                   ("DaemonSet", "daemonsets", daemonset_status)):
        items, why = reader.try_read(lambda r=resource: reader.list_light(r, namespace))  # type: ignore[misc]
        if items is None:
            notes.append(f"{kind}s not read: {why}")
            continue
        listed.append(kind)
        statuses.extend(judged(item) for item in items)
    return statuses, listed, notes


def _verdicts(reader: ClusterReader, namespace: str | None, statuses: list[Status],
              notes: list[str]) -> list[Verdict]:
    """Each workload judged; the pods and Warning events are read only when one has an unfinished rollout."""
    pods: list[Any] | None = None
    messages: dict[tuple[str, str], list[str]] = {}
    created: dict[tuple[str, str, str], list[str]] = {}
    if any(s.unfinished for s in statuses):
        pods, why = reader.try_read(lambda: reader.list_light("pods", namespace))
        if why:
            notes.append(f"pods not read ({why}): judged from the workloads' status alone")
        events, why = reader.try_read(lambda: reader.list_light("events", namespace, field_selector="type=Warning"))
        if why:
            notes.append(f"Warning events not read ({why})")
        messages, created = event_index(events or [])
    return judge_all(statuses, pods, messages, created, time.time())


def _and(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Look at the Deployments, StatefulSets, DaemonSets and Jobs of ``inputs.namespace`` (or of every namespace)."""
    topics = CHECKS[CHECK_ID].topics
    namespace = inputs.namespace
    scope = f"namespace {namespace}" if namespace else "the cluster"
    statuses, listed, notes = _statuses(reader, namespace)
    listed_jobs, why = reader.try_read(lambda: reader.list_light("jobs", namespace))
    if why:
        notes.append(f"Jobs not read: {why}")
    verdicts = _verdicts(reader, namespace, statuses, notes)
    stuck = [v for v in verdicts if v.stuck]
    waiting = [v.note for v in verdicts if not v.stuck and v.status.unfinished and v.note]
    notes.extend(v.note for v in verdicts if v.note and not v.status.unfinished)
    notes.extend(waiting)
    failed_jobs = [line for job in listed_jobs or [] for line in job_findings(job)]
    found = ({"rollout-stuck"} if stuck else set()) | {t for v in stuck for t in v.topics} | (
        {"job-backoff-limit"} if failed_jobs else set())
    if found:
        ordered = tuple(t for t in topics if t in found)
        parts = []
        if stuck:
            kinds = [plural(sum(1 for v in stuck if v.status.kind == k), k) for k in KINDS
                     if any(v.status.kind == k for v in stuck)]
            causes = [POD_CAUSES[t] for t in ordered if t in POD_CAUSES]
            parts.append(_and(kinds) + " stopped rolling out" + (f" ({', '.join(causes)})" if causes else ""))
        if failed_jobs:
            parts.append(f"{plural(len(failed_jobs), 'Job')} failed")
        evidence = [line for v in stuck for line in v.lines] + failed_jobs + notes
        return CheckResult(CHECK_ID, "confirmed", f"{' and '.join(parts)} in {scope}", tuple(evidence), ordered)
    if waiting:
        return CheckResult(CHECK_ID, "inconclusive", f"{plural(len(waiting), 'rollout')} in progress in {scope}: "
                           "run again after the progress deadline (10 minutes for StatefulSets and DaemonSets)",
                           tuple(notes), topics)
    unread = [kind for kind in KINDS if kind not in listed] + (["Job"] if listed_jobs is None else [])
    unread_text = f" ({_and([f'{kind}s' for kind in unread])} not read)" if unread else ""
    jobs_text = f", {plural(len(listed_jobs), 'Job')} without a failure" if listed_jobs is not None else ""
    counted = _and([plural(sum(1 for s in statuses if s.kind == kind), kind) for kind in listed])
    return CheckResult(CHECK_ID, "not confirmed", f"{counted} rolled out{jobs_text}{unread_text} in {scope}",
                       tuple(notes), topics)
