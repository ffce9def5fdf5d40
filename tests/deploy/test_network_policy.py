"""The NetworkPolicy of every rendered app: default deny, then only DNS, Slack/API on 443, the ops port for monitoring.

The schema itself is checked with the other manifests (test_manifests.py); these tests check what the
policy lets through against the Deployment it guards, in each mode.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from deploy_support import DEPLOY, Obj, build_kustomization, kustomization_dirs

APPS = [f for f in kustomization_dirs() if f == DEPLOY / "base" or f.parent == DEPLOY / "overlays"]


@pytest.fixture(scope="module", params=APPS, ids=lambda p: p.name)
def build(request: pytest.FixtureRequest) -> list[Obj]:
    return build_kustomization(request.param)


def parts(objects: list[Obj]) -> tuple[Obj, Obj, Obj, dict[str, Obj]]:
    """(policy, pod template, k8sfix container, its env by name)."""
    [policy] = [o for o in objects if o["kind"] == "NetworkPolicy"]
    [deployment] = [o for o in objects if o["kind"] == "Deployment"]
    template = deployment["spec"]["template"]
    [container] = [c for c in template["spec"]["containers"] if c["name"] == "k8sfix"]
    return policy, template, container, {e["name"]: e for e in container.get("env", [])}


def port_set(rule: Obj) -> set[tuple[str, object]]:
    return {(p.get("protocol", "TCP"), p["port"]) for p in rule.get("ports", [])}


def test_the_policy_guards_the_bots_pods_both_ways(build: list[Obj]) -> None:
    policy, template, _, _ = parts(build)
    [deployment] = [o for o in build if o["kind"] == "Deployment"]
    assert policy["metadata"]["namespace"] == deployment["metadata"]["namespace"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
    assert sorted(policy["spec"]["policyTypes"]) == ["Egress", "Ingress"]


def test_ingress_is_the_ops_port_from_monitoring_and_in_http_mode_the_http_port(build: list[Obj]) -> None:
    policy, _, container, env = parts(build)
    named_ports = {p["name"] for p in container["ports"]}
    rules = policy["spec"]["ingress"]
    # every rule names a port of the container by name, and every rule names some port
    for rule in rules:
        assert rule.get("ports") and {port for _, port in port_set(rule)} <= named_ports
    [ops] = [r for r in rules if ("TCP", "ops") in port_set(r)]
    assert port_set(ops) == {("TCP", "ops")}
    assert ops["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]
    http_rules = [r for r in rules if ("TCP", "http") in port_set(r)]
    assert len(http_rules) == (1 if "K8SFIX_HTTP_PORT" in env else 0)
    assert len(rules) == 1 + len(http_rules)


def test_egress_is_dns_to_kube_dns_https_and_postgres_only_with_a_database(build: list[Obj]) -> None:
    policy, _, _, env = parts(build)
    rules = policy["spec"]["egress"]
    [dns] = [r for r in rules if ("UDP", 53) in port_set(r)]
    assert port_set(dns) == {("UDP", 53), ("TCP", 53)}
    assert dns["to"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                          "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]
    allowed = set().union(*(port_set(r) for r in rules))
    expected = {("UDP", 53), ("TCP", 53), ("TCP", 443), ("TCP", 6443)}
    if "K8SFIX_DB_URL" in env:
        expected.add(("TCP", 5432))
    assert allowed == expected


def test_http_and_postgres_overlays_patch_the_base_policy() -> None:
    # given the base and each overlay rendered
    base = build_kustomization(DEPLOY / "base")
    base_policy = parts(base)[0]
    for overlay in ("http", "postgres-replicas"):
        policy = parts(build_kustomization(Path(DEPLOY / "overlays" / overlay)))[0]
        # then the overlay only adds rules to the base's
        for direction in ("ingress", "egress"):
            assert policy["spec"][direction][:len(base_policy["spec"][direction])] == base_policy["spec"][direction]
