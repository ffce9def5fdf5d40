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


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Check that the resource metrics API is registered and available, and that HPAs can read it."""
    topics = CHECKS[CHECK_ID].topics
    evidence: list[str] = []
    problems: list[str] = []
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
            problems.append(f"HPA {ref(hpa)} cannot read metrics ({active.reason}: {active.message})")
    events, note = reader.try_read(lambda: reader.events(field_selector="reason=FailedGetResourceMetric"))
    for event in (events or [])[:3]:
        obj = event.involved_object
        evidence.append(f"event on {obj.kind} {obj.namespace}/{obj.name} (x{event_count(event)}): "
                        f"{event_text(event)}")
    if problems or events:
        summary = problems[0] if problems else "HPAs report FailedGetResourceMetric"
        return CheckResult(CHECK_ID, "confirmed", summary, tuple(problems[1:] + evidence), topics)
    count = len(hpas or [])
    return CheckResult(CHECK_ID, "not confirmed", f"metrics API available; {plural(count, 'HPA')}, none failing "
                       "to read metrics", tuple(evidence), topics)
