"""The catalog: fixed ids, importable without the Kubernetes client, every check implemented."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from bot.checks import CHECK_IDS, checks_for_topic, get_check
from bot.checks.catalog import CATALOG, unknown_check_ids

REPO = Path(__file__).resolve().parents[2]
FIXED_IDS = {"node-health", "kube-proxy", "cluster-dns", "service", "pod-ip-allocation", "metrics-api",
             "apiserver-access", "windows-nodes", "control-plane", "pod-status", "scheduling", "volumes",
             "workload-rollout"}
COMMON_TOPICS = frozenset({
    "image-pull-auth", "image-pull-not-found", "image-pull-registry-tls", "image-pull-rate-limit",
    "crashloop-app-exit", "oom-killed", "probe-failures", "container-config-missing", "container-start-error",
    "init-container-failing", "scheduling-insufficient-resources", "scheduling-constraints", "pvc-pending",
    "volume-mount-failed", "pod-evicted", "rollout-stuck", "job-backoff-limit", "hpa-missing-requests",
    "ingress-backend-unavailable", "admission-webhook-failure", "object-modified-conflict"})
"""The common on-call topics (beyond the source documents) whose KB entries are written separately."""


def test_the_check_ids_are_the_fixed_interface():
    assert frozenset(FIXED_IDS) == CHECK_IDS


def test_importing_the_package_does_not_import_the_kubernetes_client():
    # given
    code = ("import sys, bot.checks, bot.checks.catalog, bot.checks.render, bot.cli.check_cmd, bot.cli.scan_cmd; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'urllib3', 'pydantic')))")
    # when
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    # then
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("info", CATALOG, ids=lambda i: i.id)
def test_every_check_has_a_module_with_run_and_topics_in_the_kb(info):
    # given
    module = importlib.import_module(f"bot.checks.{info.module}")
    kb_ids = {p.stem for p in (REPO / "knowledge").glob("*.yaml")}
    # when / then
    assert info.id == module.CHECK_ID
    assert callable(module.run)
    assert info.topics
    assert set(info.needs) <= {"namespace", "service", "pod", "node"}
    if len(kb_ids) > 20:  # the KB is written in parallel; check once it is there
        assert set(info.topics) <= kb_ids | COMMON_TOPICS


def test_the_common_topics_are_confirmed_by_the_new_checks():
    # given
    new = ("pod-status", "scheduling", "volumes", "workload-rollout")
    # when
    covered = {topic for check in new for topic in get_check(check).topics}
    # then
    assert covered <= COMMON_TOPICS
    assert COMMON_TOPICS - covered == {"pod-evicted", "hpa-missing-requests", "ingress-backend-unavailable",
                                       "admission-webhook-failure", "object-modified-conflict"}


@pytest.mark.parametrize(("topic", "checks"), [
    ("oom-killed", ("pod-status",)),
    ("pvc-pending", ("scheduling", "volumes")),
    ("job-backoff-limit", ("workload-rollout",)),
    # a stuck rollout whose pods crash or fail their probes is reported by workload-rollout too
    ("crashloop-app-exit", ("pod-status", "workload-rollout")),
    ("probe-failures", ("pod-status", "workload-rollout")),
    ("kube-proxy-conntrack-missing", ("kube-proxy",)),
    ("svc-ip-not-working", ("kube-proxy", "service")),
    ("master-debugging", ("apiserver-access", "control-plane")),
    ("win-lb-port-exhaustion", ()),
    ("no-such-topic", ()),
])
def test_checks_for_a_topic(topic, checks):
    assert checks_for_topic(topic) == checks


def test_lookups():
    assert get_check("service").needs == ("service",)
    assert get_check("nope") is None
    assert unknown_check_ids(["service", "nope", "kube-proxy"]) == ["nope"]


def test_warm_up_imports_what_the_reads_decode_to_and_not_the_generated_apis():
    # given: a fresh interpreter, as `k8sfix serve` starts
    code = ("import sys; from bot.checks import warm_up; warm_up(); "
            "print(sorted(m for m in sys.modules if m.startswith('kubernetes.client.')))")
    # when
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    # then
    modules = set(ast.literal_eval(done.stdout.strip()))
    assert {"kubernetes.client.models.v1_pod_list", "kubernetes.client.models.core_v1_event_list",
            "kubernetes.client.api_client", "kubernetes.client.configuration"} <= modules
    assert not [m for m in modules if m.startswith("kubernetes.client.api.")]
