"""The reads declared in bot/checks/reads.py, the RBAC manifests and the checks' real traffic agree exactly.

The declaration is what the guard lets out; the manifests must grant exactly it (no watch, no
verb or namespace more); and the checks, run in every scenario against the fake API server,
must use exactly it (no declared read left unused).
"""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from conftest import SCENARIOS, SHOP_WEB

from bot.checks import CheckInputs, run_checks
from bot.checks.apiserver_access import LOG_PROBES, PROBES
from bot.checks.catalog import CATALOG
from bot.checks.reads import NON_RESOURCE_READS, READS

RBAC = Path(__file__).resolve().parents[2] / "deploy" / "rbac"
READ_VERBS = {"get", "list"}
NARROW = (CheckInputs(node="node-b"), CheckInputs(node="win-1"), SHOP_WEB, CheckInputs())
NAMESPACED_INPUTS = (SHOP_WEB, CheckInputs(namespace="shop", service="no-such-service"))

Grant = tuple[str, str, str | None]
"""(apiGroup, resource, namespace or None for cluster-wide)."""


def rule_of(path: str) -> tuple[str, str, str, str | None] | None:
    """(apiGroup, resource, verb, namespace) a recorded path needs, None for non-resource URLs."""
    if path.rstrip("/") in NON_RESOURCE_READS:
        return None
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        group, rest = "", parts[2:]
    else:
        assert parts[0] == "apis", path
        group, rest = parts[1], parts[3:]
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    resource = rest[0] + (f"/{rest[2]}" if len(rest) > 2 else "")
    return group, resource, ("get" if len(rest) > 1 else "list"), namespace


def granted(*files: str, kinds: tuple[str, ...] = ("ClusterRole", "Role")) -> dict[Grant, set[str]]:
    rules: dict[Grant, set[str]] = {}
    for name in files:
        for doc in yaml.safe_load_all((RBAC / name).read_text(encoding="utf-8")):
            if doc["kind"] not in kinds:
                continue
            namespace = doc["metadata"].get("namespace") if doc["kind"] == "Role" else None
            for rule in doc["rules"]:
                for group in rule["apiGroups"]:
                    for resource in rule["resources"]:
                        rules.setdefault((group, resource, namespace), set()).update(rule["verbs"])
    return rules


def declared() -> dict[Grant, set[str]]:
    out: dict[Grant, set[str]] = {}
    for read in READS:
        for namespace in read.namespaces or (None,):
            out.setdefault((read.group, read.rbac_resource, namespace), set()).update(read.verbs)
    return out


def used(servers, *, where: bool) -> dict[Grant, set[str]]:
    """What the recorded requests needed; namespaces kept only for namespace-limited reads (``where``)."""
    limited = {(r.group, r.rbac_resource) for r in READS if r.namespaces}
    out: dict[Grant, set[str]] = {}
    for server in servers:
        for request in server.requests:
            rule = rule_of(request.path)
            if rule is None:
                continue
            group, resource, verb, namespace = rule
            keep = namespace if where or (group, resource) in limited else None
            out.setdefault((group, resource, keep), set()).add(verb)
    return out


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Every check in every scenario (and narrowed); the namespaced checks alone."""
    from fake_apiserver import FakeApiServer

    from bot.checks import ChecksSettings

    runs: dict[str, list] = {"checks": [], "namespaced": []}
    namespaced = [c.id for c in CATALOG if c.namespaced]
    for scenario in SCENARIOS:
        with FakeApiServer(scenario) as server, FakeApiServer(scenario) as ns_server:
            folder = tmp_path_factory.mktemp(scenario)
            for inputs in NARROW:
                run_checks([c.id for c in CATALOG], inputs, ChecksSettings(kubeconfig=str(server.kubeconfig(folder))))
            for inputs in NAMESPACED_INPUTS:
                run_checks(namespaced, inputs, ChecksSettings(kubeconfig=str(ns_server.kubeconfig(folder))))
        runs["checks"].append(server)
        runs["namespaced"].append(ns_server)
    return runs


def test_the_checks_use_exactly_the_declared_reads(recorded):
    # given / when
    needs = used(recorded["checks"], where=False)
    # then: nothing read that is not declared, nothing declared that no check reads
    assert needs == declared(), "bot/checks/reads.py and the checks' traffic disagree"


def test_the_manifests_grant_exactly_the_declared_reads():
    # given
    grants = granted("clusterrole.yaml", "logs-kube-flannel.yaml")
    # when / then
    assert grants == declared(), "deploy/rbac and bot/checks/reads.py disagree"


def test_pod_logs_are_not_granted_cluster_wide():
    # given / when
    cluster_wide = granted("clusterrole.yaml", kinds=("ClusterRole",))
    # then
    assert not [key for key in cluster_wide if "/" in key[1]]
    assert not [verbs for verbs in cluster_wide.values() if "watch" in verbs]


def test_the_permission_probes_cover_every_declared_read():
    # given / when
    probed = {(r.group, r.rbac_resource) for r in (*PROBES, *LOG_PROBES)}
    # then
    assert probed == {(r.group, r.rbac_resource) for r in READS}


def test_the_namespaced_role_covers_the_namespaced_checks_inside_their_namespace(recorded):
    # given
    grants = {(g, r): verbs for (g, r, _), verbs in granted("role-namespaced.yaml").items()}
    # when
    rules = [rule_of(r.path) for server in recorded["namespaced"] for r in server.requests]
    # then
    assert {rule[3] for rule in rules if rule} == {"shop"}, "a namespaced check read outside its namespace"
    needs: dict[tuple[str, str], set[str]] = {}
    for group, resource, verb, _ in filter(None, rules):
        needs.setdefault((group, resource), set()).add(verb)
    assert grants == needs


@pytest.mark.parametrize("name", ["clusterrole.yaml", "role-namespaced.yaml", "logs-kube-flannel.yaml"])
def test_the_manifests_are_read_only_valid_and_bound_to_the_bot(name):
    # given
    docs = list(yaml.safe_load_all((RBAC / name).read_text(encoding="utf-8")))
    # when
    rules = [rule for doc in docs if doc["kind"] in ("ClusterRole", "Role") for rule in doc["rules"]]
    bindings = [doc for doc in docs if doc["kind"].endswith("Binding")]
    # then
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)
    for rule in rules:
        assert set(rule["verbs"]) <= READ_VERBS
        assert "*" not in rule["apiGroups"] + rule["resources"] + rule["verbs"]
        assert not any("secret" in r for r in rule["resources"])
        if any("/" in r for r in rule["resources"]):
            assert rule["verbs"] == ["get"]
    assert bindings and all(b["subjects"] == [{"kind": "ServiceAccount", "name": "k8sfix", "namespace": "k8sfix"}]
                            for b in bindings)
