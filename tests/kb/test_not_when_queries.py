"""The KB's `not_when` rule-outs hand look-alikes to their neighbour and never rule out an entry's own cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.kb import load_knowledge
from bot.matching import Matcher
from bot.matching.negation import affirmed

QUERIES = sorted((Path(__file__).parent.parent / "data" / "queries").glob("*.yaml"))
KB = load_knowledge()


def _ruled_out(entry_id: str, text: str) -> list[str]:
    return [n.pattern for n in KB.entries[entry_id].not_when if affirmed(re.compile(n.pattern), text)]


def test_the_labelled_query_files_are_found() -> None:
    assert len(QUERIES) > 10


def _ruled_out_in_match(matcher: Matcher, entry_id: str, text: str) -> list[str]:
    """The rule-outs of ``entry_id`` that the matcher applies to ``text`` (it reads them per object in a paste)."""
    for match in matcher.match(text, top=len(matcher.index)).matches:
        if match.entry.id == entry_id:
            return [reason for reason in (match.why.context if match.why else ()) if reason.startswith("ruled out:")]
    return []


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_no_entry_rules_out_its_own_queries(matcher: Matcher, path: Path) -> None:
    # given every labelled query of the file
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    # then no not_when of the expected entry rules it out, read as the matcher reads it
    hits = [(item["expect"], reason) for item in items
            if item["expect"] in KB.entries and _ruled_out(item["expect"], item["query"])
            for reason in _ruled_out_in_match(matcher, item["expect"], item["query"])]
    assert hits == []


@pytest.mark.parametrize(("entry_id", "text"), [
    ("apiserver-cert-unable-to-connect",
     'Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post '
     '"https://cert-manager-webhook.cert-manager.svc:443/mutate?timeout=10s": '
     "x509: certificate signed by unknown authority"),
    ("svc-no-endpoints",
     'failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post '
     '"https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": '
     'no endpoints available for service "gatekeeper-webhook-service"'),
    ("hpa-metrics-unavailable",
     "ScalingActive  False  FailedGetResourceMetric  the HPA was unable to compute the replica count: "
     "failed to get cpu utilization: missing request for cpu in container app of Pod web-7d4b9c8f6d-x2kqp"),
    ("node-disk-full", "Message: The node was low on resource: memory. Container web was using 1533496Ki, "
                       "which exceeds its request of 512Mi."),
    ("node-disk-full", 'Usage of EmptyDir volume "cache" exceeds the limit "500Mi".'),
    ("controller-manager-stale-after-etcd-restore",
     "Error from server (Conflict): error when applying patch: Operation cannot be fulfilled on "
     'deployments.apps "web": the object has been modified; please apply your changes to the latest version '
     "and try again"),
    ("object-modified-conflict", "etcd 从备份恢复之后，kube-controller-manager 一直报 the object has been modified"),
    ("hpa-missing-requests", "unable to get metrics for resource cpu: unable to fetch metrics from resource "
                             "metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)"),
    ("admission-webhook-failure", 'Error from server (Forbidden): admission webhook "validation.gatekeeper.sh" denied '
                                  "the request: [must-have-limits] container <web> has no resource limits"),
])
def test_look_alike_is_ruled_out(entry_id: str, text: str) -> None:
    # given a message that belongs to a neighbour of the entry
    # then one of the entry's not_when patterns matches it
    assert _ruled_out(entry_id, text)


@pytest.mark.parametrize(("entry_id", "text"), [
    ("node-disk-full", "Warning  Evicted  kubelet  The node was low on resource: ephemeral-storage."),
    ("apiserver-cert-unable-to-connect",
     "Unable to connect to the server: x509: certificate signed by unknown authority"),
    ("hpa-metrics-unavailable", "the server could not find the requested resource (get pods.metrics.k8s.io)"),
    ("controller-manager-stale-after-etcd-restore",
     "type: 'Warning' reason: 'FailedUpdateStatus' Operation cannot be fulfilled on "
     "horizontalpodautoscalers.autoscaling"),
])
def test_seed_keeps_its_own_message(entry_id: str, text: str) -> None:
    # given the seed entry's own message, then none of its not_when patterns rules it out
    assert _ruled_out(entry_id, text) == []
