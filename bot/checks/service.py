"""service: exists, endpoints, selector against pod labels, ports against container ports, pods, policies."""

from __future__ import annotations

from typing import Any

from bot.checks._objects import labels, plural, pod_problem, restarts
from bot.checks._reader import ClusterReader
from bot.checks._selectors import selector_matches
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "service"
DEFAULT_NAMESPACE = "default"


def fmt_labels(mapping: dict[str, str] | None) -> str:
    """``a=b,c=d`` (sorted), or ``<none>``."""
    return ",".join(f"{k}={v}" for k, v in sorted((mapping or {}).items())) or "<none>"


def selector_mismatch(selector: dict[str, str], pods: list[Any]) -> str:
    """Explain why no pod matches ``selector``: the closest pods' labels against it."""
    best: list[tuple[int, Any]] = []
    for pod in pods:
        pod_labels = labels(pod)
        shared = sum(1 for k, v in selector.items() if pod_labels.get(k) == v)
        similar = sum(1 for v in selector.values() if v in pod_labels.values())
        if shared or similar:
            best.append((shared * 2 + similar, pod))
    best.sort(key=lambda item: -item[0])
    if not best:
        return f"selector {fmt_labels(selector)} matches no pod in the namespace ({plural(len(pods), 'pod')})"
    pod = best[0][1]
    pod_labels = labels(pod)
    missing = {k: v for k, v in selector.items() if pod_labels.get(k) != v}
    return (f"selector {fmt_labels(selector)} matches no pod; closest pod {pod.metadata.name} has labels "
            f"{fmt_labels(pod_labels)} (differs on {fmt_labels(missing)})")


def container_ports(pod: Any) -> list[Any]:
    """Every declared container port of the pod."""
    return [p for c in (pod.spec.containers or []) for p in (c.ports or [])]


def port_mismatches(service: Any, pods: list[Any]) -> list[str]:
    """Service ports whose targetPort (number or name) or protocol no selected pod declares."""
    problems: list[str] = []
    if not pods:
        return problems  # nothing selected: the selector is the problem, not the ports
    declared = [p for pod in pods for p in container_ports(pod)]
    for port in service.spec.ports or []:
        protocol = port.protocol or "TCP"
        target = port.target_port if port.target_port is not None else port.port
        label = f"port {port.name + ' ' if port.name else ''}{port.port}->{target}/{protocol}"
        if isinstance(target, str) and not target.isdigit():
            named = [p for p in declared if p.name == target]
            if not named:
                problems.append(f"{label}: no container port is named {target!r}")
            elif all((p.protocol or "TCP") != protocol for p in named):
                problems.append(f"{label}: container port {target!r} is {named[0].protocol or 'TCP'}")
            continue
        if not declared:
            continue  # pods need not declare ports; nothing to compare against
        number = int(target)
        same = [p for p in declared if p.container_port == number]
        if not same:
            listed = ", ".join(sorted({f"{p.container_port}/{p.protocol or 'TCP'}" for p in declared}))
            problems.append(f"{label}: the pods listen on {listed}, not {number}")
        elif all((p.protocol or "TCP") != protocol for p in same):
            problems.append(f"{label}: container port {number} is {same[0].protocol or 'TCP'}")
    return problems


def policy_selects(policy: Any, pod_labels: dict[str, str]) -> bool:
    """True when the NetworkPolicy's podSelector selects a pod with ``pod_labels``."""
    selector = policy.spec.pod_selector
    if selector is None:
        return True
    if not selector.match_labels and not selector.match_expressions:
        return True
    if selector.match_expressions:
        for expr in selector.match_expressions:
            value = pod_labels.get(expr.key)
            values = set(expr.values or [])
            if (expr.operator == "In" and value not in values) or (expr.operator == "NotIn" and value in values) \
                    or (expr.operator == "Exists" and expr.key not in pod_labels) \
                    or (expr.operator == "DoesNotExist" and expr.key in pod_labels):
                return False
    return all(pod_labels.get(k) == v for k, v in (selector.match_labels or {}).items())


def denies_all_ingress(policy: Any) -> bool:
    """True when the policy restricts Ingress and allows no ingress rule at all."""
    types = policy.spec.policy_types or ["Ingress"]
    return "Ingress" in types and not policy.spec.ingress


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Walk the Service debugging path for ``inputs.service`` in ``inputs.namespace``."""
    topics = CHECKS[CHECK_ID].topics
    if not inputs.service:
        return CheckResult(CHECK_ID, "inconclusive",
                           "needs a Service name: run again with --service NAME (and --namespace NS)", (), topics)
    namespace = inputs.namespace or DEFAULT_NAMESPACE
    service_name = inputs.service
    name = f"{namespace}/{service_name}"
    service = reader.service(namespace, service_name)
    if service is None:
        others, _ = reader.try_read(lambda: reader.services(namespace))
        listed = ", ".join(s.metadata.name for s in (others or [])[:10]) or "none"
        return CheckResult(CHECK_ID, "confirmed", f"Service {name} does not exist",
                           (f"Services in {namespace}: {listed}",), ("svc-does-not-exist",))
    spec = service.spec
    evidence = [f"Service {name}: type {spec.type or 'ClusterIP'}, clusterIP {spec.cluster_ip}, "
                f"selector {fmt_labels(spec.selector)}"]
    if spec.type == "ExternalName":
        return CheckResult(CHECK_ID, "inconclusive", f"Service {name} is an ExternalName for {spec.external_name}:"
                           " it has no pods or endpoints to check", tuple(evidence), topics)
    found: set[str] = set()
    pods = reader.pods(namespace)
    selected = [p for p in pods if selector_matches(spec.selector, labels(p))]
    if not spec.selector:
        evidence.append("the Service has no selector: its endpoints are managed by hand")
    elif not selected:
        found.add("svc-no-endpoints")
        evidence.append(selector_mismatch(dict(spec.selector), pods))
    endpoints, note = reader.try_read(lambda: reader.endpoints(namespace, service_name))
    if note:
        evidence.append(f"endpoints not read ({note}); judged from the pods")
    else:
        subsets = (endpoints.subsets or []) if endpoints else []
        ready = sum(len(s.addresses or []) for s in subsets)
        not_ready = sum(len(s.not_ready_addresses or []) for s in subsets)
        evidence.append(f"endpoints: {ready} ready, {not_ready} not ready")
        if ready == 0:
            found.add("svc-no-endpoints")
    mismatches = port_mismatches(service, selected)
    if mismatches:
        found.add("svc-port-mismatch")
        evidence.extend(mismatches)
    for pod in selected:
        problem = pod_problem(pod)
        if problem or restarts(pod) >= 3:
            found.add("svc-pods-not-responding")
            evidence.append(f"pod {pod.metadata.name}: {problem or 'Running'}, {plural(restarts(pod), 'restart')}")
    policies, note = reader.try_read(lambda: reader.network_policies(namespace))
    if note:
        evidence.append(f"NetworkPolicies not read: {note}")
    selecting = [p for p in policies or [] if any(policy_selects(p, labels(pod)) for pod in selected)]
    for policy in selecting:
        deny = denies_all_ingress(policy)
        if deny:
            found.add("svc-network-policy-ingress")
        evidence.append(f"NetworkPolicy {policy.metadata.name} selects the pods"
                        + (": it allows no ingress at all" if deny else ": check that its ingress rules admit "
                           "the client"))
    if found:
        ordered = tuple(t for t in topics if t in found)
        summary = {
            "svc-no-endpoints": f"Service {name} has no endpoints",
            "svc-port-mismatch": f"Service {name} targets a port its pods do not expose",
            "svc-pods-not-responding": f"pods behind Service {name} are not healthy",
            "svc-network-policy-ingress": f"a NetworkPolicy blocks all ingress to the pods of {name}",
        }[ordered[0]]
        return CheckResult(CHECK_ID, "confirmed", summary, tuple(evidence), ordered)
    summary = (f"Service {name} has {plural(len(selected), 'ready pod')}, matching selector and ports"
               if spec.selector else f"Service {name} exists and has endpoints")
    if selecting:
        return CheckResult(CHECK_ID, "inconclusive", summary + "; NetworkPolicies select its pods",
                           tuple(evidence), ("svc-network-policy-ingress",))
    return CheckResult(CHECK_ID, "not confirmed", summary, tuple(evidence), topics)
