"""The RBAC manifests grant exactly what the checks read: derived from the fake server's records."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from conftest import SCENARIOS, SHOP_WEB

from bot.checks import CheckInputs, run_checks
from bot.checks.apiserver_access import PROBES
from bot.checks.catalog import CATALOG

RBAC = Path(__file__).resolve().parents[2] / "deploy" / "rbac"
READ_VERBS = {"get", "list", "watch"}
NON_RESOURCE = {"/version", "/version/", "/readyz"}
NARROW = (CheckInputs(node="node-b"), CheckInputs(node="win-1"), SHOP_WEB)


def rule_of(path: str) -> tuple[str, str, str, str | None] | None:
    """(apiGroup, resource, verb, namespace) a recorded path needs, None for non-resource URLs."""
    if path in NON_RESOURCE:
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


def granted(path: Path, kind: str) -> dict[tuple[str, str], set[str]]:
    rules: dict[tuple[str, str], set[str]] = {}
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if doc["kind"] != kind:
            continue
        for rule in doc["rules"]:
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    rules.setdefault((group, resource), set()).update(rule["verbs"])
    return rules


def needed(servers) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for server in servers:
        for request in server.requests:
            rule = rule_of(request.path)
            if rule is not None:
                out.setdefault(rule[:2], set()).add(rule[2])
    return out


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Run every check but apiserver-access in every scenario (and narrowed), apiserver-access alone."""
    from fake_apiserver import FakeApiServer

    from bot.checks import ChecksSettings

    checks = [c.id for c in CATALOG if c.id != "apiserver-access"]
    runs: dict[str, list] = {"checks": [], "probes": [], "namespaced": []}
    namespaced = [c.id for c in CATALOG if c.namespaced]
    for scenario in SCENARIOS:
        with FakeApiServer(scenario) as server, FakeApiServer(scenario) as probes, \
                FakeApiServer(scenario) as ns_server:
            folder = tmp_path_factory.mktemp(scenario)
            for inputs in NARROW:
                run_checks(checks, inputs, ChecksSettings(kubeconfig=str(server.kubeconfig(folder))))
            run_checks(["apiserver-access"], CheckInputs(), ChecksSettings(kubeconfig=str(probes.kubeconfig(folder))))
            run_checks(namespaced, SHOP_WEB, ChecksSettings(kubeconfig=str(ns_server.kubeconfig(folder))))
        runs["checks"].append(server)
        runs["probes"].append(probes)
        runs["namespaced"].append(ns_server)
    return runs


def test_the_cluster_role_grants_exactly_the_resources_the_checks_read(recorded):
    # given
    grants = granted(RBAC / "clusterrole.yaml", "ClusterRole")
    # when
    needs = needed(recorded["checks"])
    # then
    assert set(grants) == set(needs), "manifest and checks disagree; update deploy/rbac/clusterrole.yaml"
    for key, verbs in needs.items():
        assert verbs <= grants[key], key


def test_the_permission_probes_cover_the_same_resources(recorded):
    # given / when
    probed = needed(recorded["probes"])
    # then
    assert set(probed) == set(needed(recorded["checks"]))
    assert {(read.group, read.resource) for read, _ in PROBES} | {("", "pods/log")} == set(probed)


def test_the_namespaced_role_covers_the_namespaced_checks_inside_their_namespace(recorded):
    # given
    grants = granted(RBAC / "role-namespaced.yaml", "Role")
    # when
    rules = [rule_of(r.path) for server in recorded["namespaced"] for r in server.requests]
    # then
    assert {rule[3] for rule in rules if rule} == {"shop"}, "a namespaced check read outside its namespace"
    assert set(grants) == {rule[:2] for rule in rules if rule}
    for group, resource, verb, _ in filter(None, rules):
        assert verb in grants[(group, resource)]


@pytest.mark.parametrize("name", ["clusterrole.yaml", "role-namespaced.yaml"])
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
