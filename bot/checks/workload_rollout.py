"""workload-rollout: Deployments whose rollout stopped, Jobs that failed for good.

The controllers say it in conditions: a Deployment's ``Progressing=False`` with
``ProgressDeadlineExceeded`` and ``ReplicaFailure=True`` (pods refused on create, e.g. by a
ResourceQuota); a Job's ``Failed=True`` with ``BackoffLimitExceeded`` or ``DeadlineExceeded``.
"""

from __future__ import annotations

from typing import Any

from bot.checks._objects import condition, one_line, plural, ref
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "workload-rollout"
IN_PROGRESS = frozenset({"ReplicaSetUpdated", "NewReplicaSetCreated", "FoundNewReplicaSet"})


def replica_counts(deployment: Any) -> str:
    """``1/3 updated, 0 available``."""
    desired = deployment.spec.replicas if deployment.spec and deployment.spec.replicas is not None else 1
    status = deployment.status
    updated = (status.updated_replicas if status else 0) or 0
    available = (status.available_replicas if status else 0) or 0
    return f"{updated}/{desired} updated, {available} available"


def deployment_findings(deployment: Any) -> tuple[list[str], str | None]:
    """Stuck-rollout lines of one Deployment, and a note when it is merely paused or in progress."""
    name = f"Deployment {ref(deployment)}"
    if deployment.spec is not None and deployment.spec.paused:
        return [], f"{name} is paused ({replica_counts(deployment)}): `kubectl rollout resume` continues it"
    lines = []
    progressing = condition(deployment, "Progressing")
    if progressing is not None and progressing.status == "False":
        lines.append(f"{name}: Progressing=False {progressing.reason}: {one_line(progressing.message)} "
                     f"({replica_counts(deployment)})")
    failure = condition(deployment, "ReplicaFailure")
    if failure is not None and failure.status == "True":
        quota = " (a ResourceQuota refuses the pods)" if "exceeded quota" in str(failure.message or "") else ""
        lines.append(f"{name}: ReplicaFailure {failure.reason}{quota}: {one_line(failure.message)}")
    if lines:
        return lines, None
    if progressing is not None and progressing.status == "True" and progressing.reason in IN_PROGRESS:
        return [], f"{name} is rolling out ({replica_counts(deployment)}), within its progress deadline"
    return [], None


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


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Look at the Deployments and Jobs of ``inputs.namespace`` (or of every namespace)."""
    topics = CHECKS[CHECK_ID].topics
    namespace = inputs.namespace
    scope = f"namespace {namespace}" if namespace else "the cluster"
    all_deployments = reader.list_light("deployments", namespace)
    listed_jobs, note = reader.try_read(lambda: reader.list_light("jobs", namespace))
    all_jobs = listed_jobs or []
    found: set[str] = set()
    evidence: list[str] = []
    notes: list[str] = [f"Jobs not read: {note}"] if note else []
    stuck = 0
    for deployment in all_deployments:
        lines, note = deployment_findings(deployment)
        if lines:
            stuck += 1
            found.add("rollout-stuck")
            evidence.extend(lines)
        if note:
            notes.append(note)
    failed = 0
    for job in all_jobs:
        lines = job_findings(job)
        if lines:
            failed += 1
            found.add("job-backoff-limit")
            evidence.extend(lines)
    if found:
        ordered = tuple(t for t in topics if t in found)
        parts = {"rollout-stuck": f"{plural(stuck, 'Deployment')} stopped rolling out",
                 "job-backoff-limit": f"{plural(failed, 'Job')} failed"}
        return CheckResult(CHECK_ID, "confirmed", f"{' and '.join(parts[t] for t in ordered)} in {scope}",
                           tuple(evidence + notes), ordered)
    jobs_text = f", {plural(len(all_jobs), 'Job')} without a failure" if listed_jobs is not None else \
        " (Jobs not read)"
    rolling = [n for n in notes if "is rolling out" in n]
    if rolling:
        return CheckResult(CHECK_ID, "inconclusive", f"{plural(len(rolling), 'rollout')} in progress in {scope}: "
                           "run again after the progress deadline", tuple(notes), topics)
    return CheckResult(CHECK_ID, "not confirmed", f"{plural(len(all_deployments), 'Deployment')} rolled out"
                       f"{jobs_text} in {scope}", tuple(notes), topics)
