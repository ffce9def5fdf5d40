"""metrics-api: the v1beta1.metrics.k8s.io APIService, metrics-server pods, HPAs that cannot read metrics."""

from __future__ import annotations

from bot.checks._objects import condition, event_count, event_text, plural, pod_problem, ref
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "metrics-api"
API_SERVICE = "v1beta1.metrics.k8s.io"
METRICS_SERVER_SELECTOR = "k8s-app=metrics-server"
HPA_METRIC_REASONS = frozenset({"FailedGetResourceMetric", "FailedGetPodsMetric", "FailedComputeMetricsReplicas"})
MISSING_REQUEST = "missing request for"
"""The HPA controller's words when a target pod declares no request for the metric: the metrics API is fine."""
METRICS_TOPICS = ("hpa-metrics-unavailable", "dashboard-no-metrics")
REQUESTS_TOPICS = ("hpa-missing-requests",)


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Check that the resource metrics API is registered and available, and that HPAs can read it.

    An HPA that fails because its pods request nothing for the metric is told apart: its fix is
    in the workload, not in metrics-server.
    """
    evidence: list[str] = []
    problems: list[str] = []
    missing_requests: list[str] = []
    api_service = reader.api_service(API_SERVICE)
    if api_service is None:
        problems.append(f"APIService {API_SERVICE} is not registered: metrics-server is not installed")
    else:
        available = condition(api_service, "Available")
        if available is None or available.status != "True":
            why = f"{available.reason}: {available.message}" if available is not None else "no Available condition"
            problems.append(f"APIService {API_SERVICE} is not available ({why})")
        else:
            evidence.append(f"APIService {API_SERVICE}: Available")
    pods, note = reader.try_read(lambda: reader.pods("kube-system", label_selector=METRICS_SERVER_SELECTOR))
    if note:
        evidence.append(f"metrics-server pods not read: {note}")
    elif pods is not None:
        if not pods and api_service is not None:
            evidence.append("no metrics-server pod in kube-system (it may run in another namespace)")
        for pod in pods:
            problem = pod_problem(pod)
            if problem:
                problems.append(f"metrics-server pod {pod.metadata.name}: {problem}")
    hpas, note = reader.try_read(reader.hpas)
    if note:
        evidence.append(f"HPAs not read: {note}")
    for hpa in hpas or []:
        active = condition(hpa, "ScalingActive")
        if active is not None and active.status == "False" and active.reason in HPA_METRIC_REASONS:
            if MISSING_REQUEST in (active.message or ""):
                missing_requests.append(f"HPA {ref(hpa)}: its pods declare no resource request for the metric "
                                        f"({active.reason}: {active.message})")
            else:
                problems.append(f"HPA {ref(hpa)} cannot read metrics ({active.reason}: {active.message})")
    events, note = reader.try_read(lambda: reader.events(field_selector="reason=FailedGetResourceMetric"))
    metric_events = [e for e in events or [] if MISSING_REQUEST not in event_text(e)]
    for event in (metric_events or events or [])[:3]:
        obj = event.involved_object
        evidence.append(f"event on {obj.kind} {obj.namespace}/{obj.name} (x{event_count(event)}): "
                        f"{event_text(event)}")
    if problems or metric_events:
        summary = problems[0] if problems else "HPAs report FailedGetResourceMetric"
        details = problems[1:] + missing_requests + evidence
        topics = METRICS_TOPICS + (REQUESTS_TOPICS if missing_requests else ())
        return CheckResult(CHECK_ID, "confirmed", summary, tuple(details), topics)
    if missing_requests:
        return CheckResult(CHECK_ID, "confirmed", missing_requests[0], tuple(missing_requests[1:] + evidence),
                           REQUESTS_TOPICS)
    count = len(hpas or [])
    return CheckResult(CHECK_ID, "not confirmed", f"metrics API available; {plural(count, 'HPA')}, none failing "
                       "to read metrics", tuple(evidence), CHECKS[CHECK_ID].topics)
