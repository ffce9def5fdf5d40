"""Monitoring: the standard collectors on /metrics, and the optional PodMonitor + PrometheusRule component.

The Prometheus Operator's kinds are not in kubernetes-validate's schemas, so their structure is
checked here with a small JSON schema of the fields we use (unknown fields are errors, as with
``strict=True``). Every metric an alert reads must be one the bot exports: the test scrapes a real
/metrics from the ops server and compares.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from deploy_support import DEPLOY, Obj, build_kustomization, kustomization_dirs
from prometheus_client.parser import text_string_to_metric_families

from bot.ops.health import OpsServer
from bot.ops.metrics import Metrics

COMPONENT = DEPLOY / "components" / "monitoring"
APPS = [f for f in kustomization_dirs() if f == DEPLOY / "base" or f.parent == DEPLOY / "overlays"]
STANDARD_SERIES = ("process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds",
                   "process_open_fds", "python_gc_objects_collected_total", "python_gc_collections_total",
                   "python_info")
# Suffixes each metric type's samples carry in the text format.
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
            "summary": ("", "_count", "_sum", "_created"), "gauge": ("",), "info": ("_info",),
            "untyped": ("",), "unknown": ("",)}
PROMQL_WORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
                          "bool", "offset", "inf", "nan"})
DURATION = r"[0-9]+(?:ms|[smhdwy])"

_LABELS = {"type": "object", "additionalProperties": {"type": "string"}}
_METADATA = {"type": "object", "required": ["name", "namespace"], "additionalProperties": False,
             "properties": {"name": {"type": "string"}, "namespace": {"type": "string"}, "labels": _LABELS,
                            "annotations": _LABELS}}
_SELECTOR = {"type": "object", "required": ["matchLabels"], "additionalProperties": False,
             "properties": {"matchLabels": _LABELS}}
POD_MONITOR_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "PodMonitor"},
        "metadata": _METADATA,
        "spec": {"type": "object", "required": ["selector", "podMetricsEndpoints"], "additionalProperties": False,
                 "properties": {
                     "jobLabel": {"type": "string"},
                     "selector": _SELECTOR,
                     "namespaceSelector": {"type": "object", "additionalProperties": False,
                                           "properties": {"matchNames": {"type": "array", "minItems": 1,
                                                                         "items": {"type": "string"}}}},
                     "podMetricsEndpoints": {
                         "type": "array", "minItems": 1,
                         "items": {"type": "object", "required": ["port"], "additionalProperties": False,
                                   "properties": {"port": {"type": "string"}, "path": {"type": "string"},
                                                  "interval": {"type": "string", "pattern": f"^{DURATION}$"},
                                                  "scrapeTimeout": {"type": "string",
                                                                    "pattern": f"^{DURATION}$"}}}}}}}}
RULE_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["alert", "expr", "labels", "annotations"], "additionalProperties": False,
    "properties": {"alert": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]+$"},
                   "expr": {"type": "string", "minLength": 1},
                   "for": {"type": "string", "pattern": f"^{DURATION}$"},
                   "labels": {"type": "object", "required": ["severity"], "additionalProperties": {"type": "string"},
                              "properties": {"severity": {"enum": ["critical", "warning", "info"]}}},
                   "annotations": {"type": "object", "required": ["summary", "description"],
                                   "additionalProperties": {"type": "string"}}}}
PROMETHEUS_RULE_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "PrometheusRule"},
        "metadata": _METADATA,
        "spec": {"type": "object", "required": ["groups"], "additionalProperties": False,
                 "properties": {"groups": {
                     "type": "array", "minItems": 1,
                     "items": {"type": "object", "required": ["name", "rules"], "additionalProperties": False,
                               "properties": {"name": {"type": "string"},
                                              "interval": {"type": "string", "pattern": f"^{DURATION}$"},
                                              "rules": {"type": "array", "minItems": 1,
                                                        "items": RULE_SCHEMA}}}}}}}}
SCHEMAS = {"PodMonitor": POD_MONITOR_SCHEMA, "PrometheusRule": PROMETHEUS_RULE_SCHEMA}


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scrape() -> Iterator[str]:
    """The text of GET /metrics from a real ops server on the bot's metrics registry."""
    metrics = Metrics()
    server = OpsServer("127.0.0.1", 0, metrics.registry, {})
    server.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=5) as response:
            assert response.status == 200
            yield response.read().decode()
    finally:
        server.stop()


def exported_series(text: str) -> set[str]:
    """Every series name a scrape declares (samples, and the names an empty labelled family will carry)."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names.update(sample.name for sample in family.samples)
        names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    return names


def series_in(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (functions, keywords, labels and templates left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)          # strings (label values)
    text = re.sub(r"\{[^{}]*\}", "", text)                   # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)                   # ranges and subqueries
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][A-Za-z0-9_:]*)\b(?!\s*\()", text):
        if match.group(1).lower() not in PROMQL_WORDS:
            names.add(match.group(1))
    return names


def with_component(app: Path, tmp_path: Path) -> list[Obj]:
    """Render ``app`` with the monitoring component, from a kustomization of the user's own."""
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "resources": [str(app)], "components": [str(COMPONENT)]}), encoding="utf-8")
    return build_kustomization(tmp_path)


def alert_rules(objects: list[Obj]) -> list[Obj]:
    return [rule for obj in objects if obj["kind"] == "PrometheusRule"
            for group in obj["spec"]["groups"] for rule in group["rules"]]


def the_pod(objects: list[Obj]) -> tuple[Obj, Obj]:
    [deployment] = [o for o in objects if o["kind"] == "Deployment"]
    template = deployment["spec"]["template"]
    [container] = [c for c in template["spec"]["containers"] if c["name"] == "k8sfix"]
    return template, container


# --- /metrics -----------------------------------------------------------------------------------


def test_the_scrape_has_the_standard_process_platform_and_gc_series(scrape: str) -> None:
    names = {sample.name for family in text_string_to_metric_families(scrape) for sample in family.samples}
    assert set(STANDARD_SERIES) <= names
    info = next(f for f in text_string_to_metric_families(scrape) if f.name == "python_info")
    assert info.samples[0].labels["implementation"] == "CPython"
    assert "# TYPE k8sfix_queries_total counter" in scrape


def test_each_metrics_object_has_its_own_registry_with_the_collectors() -> None:
    # given two apps in one process (as the tests build them), both registries carry the collectors
    first, second = Metrics(), Metrics()
    first.queries.labels("slash_command").inc()
    assert first.value("process_cpu_seconds_total") > 0 and second.value("process_cpu_seconds_total") > 0
    assert (first.value("k8sfix_queries_total", {"entry_point": "slash_command"}),
            second.value("k8sfix_queries_total", {"entry_point": "slash_command"})) == (1.0, 0.0)


# --- the component ------------------------------------------------------------------------------


def test_the_component_is_optional() -> None:
    for app in APPS:
        assert not [o for o in build_kustomization(app) if o["apiVersion"].startswith("monitoring.coreos.com/")]


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_every_app_with_the_component_validates(app: Path, tmp_path: Path) -> None:
    # given an app rendered with the component
    objects = with_component(app, tmp_path)
    kinds = [o["kind"] for o in objects]
    assert kinds.count("PodMonitor") == 1 and kinds.count("PrometheusRule") == 1
    # then the operator's kinds fit their schema and the rest the Kubernetes schema
    for obj in objects:
        if obj["kind"] in SCHEMAS:
            jsonschema.validate(obj, SCHEMAS[obj["kind"]])
        else:
            kubernetes_validate.validate(obj, kubernetes_validate.latest_version(), strict=True)


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_the_pod_monitor_scrapes_the_ops_port_of_the_bots_pods(app: Path, tmp_path: Path) -> None:
    objects = with_component(app, tmp_path)
    [monitor] = [o for o in objects if o["kind"] == "PodMonitor"]
    template, container = the_pod(objects)
    labels = template["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
    [deployment] = [o for o in objects if o["kind"] == "Deployment"]
    assert monitor["spec"]["namespaceSelector"]["matchNames"] == [deployment["metadata"]["namespace"]]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    [endpoint] = monitor["spec"]["podMetricsEndpoints"]
    assert endpoint["port"] == "ops" and endpoint["path"] == "/metrics" and "ops" in ports
    # and the job label the alerts select on is the value of the pod label jobLabel names
    job = labels[monitor["spec"]["jobLabel"]]
    for rule in alert_rules(objects):
        for value in re.findall(r'\bjob\s*=~?\s*"([^"]*)"', rule["expr"]):
            assert value == job, rule["alert"]


def test_the_rules_cover_not_answering_errors_and_slow_acks(tmp_path: Path) -> None:
    rules = {r["alert"]: r for r in alert_rules(with_component(DEPLOY / "base", tmp_path))}
    assert {"K8sfixNotAnswering", "K8sfixErrorRate", "K8sfixSlowAcknowledgements"} <= set(rules)
    assert series_in(rules["K8sfixNotAnswering"]["expr"]) == {"k8sfix_queries_total", "k8sfix_answer_seconds_count"}
    assert "k8sfix_errors_total" in series_in(rules["K8sfixErrorRate"]["expr"])
    assert rules["K8sfixNotAnswering"]["labels"]["severity"] == "critical"


def test_every_alert_reads_only_series_the_bot_exports(scrape: str, tmp_path: Path) -> None:
    # given the series a real /metrics declares
    exported = exported_series(scrape)
    # when every alert expression's metric names are listed
    rules = alert_rules(with_component(DEPLOY / "base", tmp_path))
    assert rules
    missing = {r["alert"]: sorted(series_in(r["expr"]) - exported) for r in rules}
    # then none reads a series that does not exist
    assert {alert: names for alert, names in missing.items() if names} == {}
    assert all(series_in(r["expr"]) for r in rules)


def test_the_series_check_catches_a_misspelt_metric(scrape: str) -> None:
    expr = 'sum by (pod) (rate(k8sfix_error_total{job="k8sfix"}[5m])) / sum(rate(k8sfix_queries_total[5m])) > 0'
    assert series_in(expr) == {"k8sfix_error_total", "k8sfix_queries_total"}
    assert series_in(expr) - exported_series(scrape) == {"k8sfix_error_total"}
