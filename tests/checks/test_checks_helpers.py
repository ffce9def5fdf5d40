"""Pure helpers: selectors, the kubectl STATUS column, log signatures, pod CIDR sizes, redaction."""

from __future__ import annotations

import pytest
from kubernetes import client as k8s

from bot.checks import CheckResult
from bot.checks._objects import excerpt, pod_problem, pod_state, scan_log, signature
from bot.checks._selectors import field_predicate, label_predicate, selector_matches
from bot.checks.pod_ip_allocation import cidr_capacity
from bot.checks.runner import MAX_EVIDENCE, sanitize

LABELS = {"app": "web", "tier": "front", "version": "v2"}


@pytest.mark.parametrize(("selector", "matches"), [
    ("", True),
    ("app=web", True),
    ("app==web", True),
    ("app=api", False),
    ("app!=api", True),
    ("app=web,tier=front", True),
    ("app=web,tier=back", False),
    ("version in (v1, v2)", True),
    ("version notin (v2)", False),
    ("tier", True),
    ("!tier", False),
    ("!missing", True),
    ("app=web,version in (v1,v2),!missing", True),
])
def test_label_selectors(selector, matches):
    assert label_predicate(selector)(LABELS) is matches


def test_an_invalid_label_selector_is_an_error():
    with pytest.raises(ValueError, match="invalid label selector"):
        label_predicate("app=(web")


@pytest.mark.parametrize(("selector", "matches"), [
    ("involvedObject.kind=Node", True),
    ("involvedObject.kind=Node,type=Warning", True),
    ("involvedObject.kind=Pod", False),
    ("type!=Normal", True),
    ("source.host=node-b", True),
    ("missing.path=x", False),
    ("missing.path=", True),
])
def test_field_selectors(selector, matches):
    event = {"involvedObject": {"kind": "Node", "name": "node-b"}, "type": "Warning", "source": {"host": "node-b"}}
    assert field_predicate(selector)(event) is matches


@pytest.mark.parametrize(("selector", "labels", "matches"), [
    ({"app": "web"}, {"app": "web", "x": "y"}, True),
    ({"run": "web"}, {"app": "web"}, False),
    ({}, {"app": "web"}, False),
    (None, {"app": "web"}, False),
])
def test_service_selectors_select_nothing_when_empty(selector, labels, matches):
    assert selector_matches(selector, labels) is matches


def pod(status: dict, spec: dict | None = None) -> k8s.V1Pod:
    return k8s.V1Pod.from_dict({"metadata": {"name": "p", "namespace": "n"},
                                "spec": spec or {"containers": [{"name": "c"}]}, "status": status})


def cs(state: dict, ready: bool = False) -> dict:
    return {"name": "c", "image": "i", "imageID": "", "ready": ready, "restartCount": 0, "state": state}


READY = [{"type": "Ready", "status": "True"}]
NOT_READY = [{"type": "Ready", "status": "False"}]


@pytest.mark.parametrize(("status", "state", "problem"), [
    ({"phase": "Running", "conditions": READY, "containerStatuses": [cs({"running": {}}, True)]},
     "Running", None),
    ({"phase": "Running", "conditions": NOT_READY, "containerStatuses": [cs({"running": {}})]},
     "Running", "Running but not Ready"),
    ({"phase": "Running", "conditions": NOT_READY,
      "containerStatuses": [cs({"waiting": {"reason": "CrashLoopBackOff"}})]}, "CrashLoopBackOff", "CrashLoopBackOff"),
    ({"phase": "Pending", "containerStatuses": [cs({"waiting": {"reason": "ContainerCreating"}})]},
     "ContainerCreating", "ContainerCreating"),
    ({"phase": "Pending", "initContainerStatuses": [cs({"waiting": {"reason": "CrashLoopBackOff"}})],
      "containerStatuses": [cs({"waiting": {"reason": "PodInitializing"}})]},
     "Init:CrashLoopBackOff", "Init:CrashLoopBackOff"),
    ({"phase": "Pending", "initContainerStatuses": [cs({"terminated": {"exitCode": 1, "reason": "Error"}})]},
     "Init:Error", "Init:Error"),
    ({"phase": "Pending", "initContainerStatuses": [cs({"running": {}})]}, "Init:0/1", "Init:0/1"),
    ({"phase": "Succeeded", "containerStatuses": [cs({"terminated": {"exitCode": 0, "reason": "Completed"}})]},
     "Completed", None),
    ({"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: ephemeral-storage."},
     "Evicted", "Evicted"),
])
def test_pod_state_is_the_kubectl_status_column(status, state, problem):
    # given
    spec = {"containers": [{"name": "c"}], "initContainers": [{"name": "c"}]} if "initContainerStatuses" in status \
        else None
    p = pod(status, spec)
    # when / then
    assert pod_state(p) == state
    assert pod_problem(p) == problem


def test_log_signatures_keep_the_matching_part_of_long_lines():
    # given
    sig = signature("x", "meaning", r"executable file not found")
    long_line = "E0501 " + "padding " * 60 + 'exec: "conntrack": executable file not found in $PATH'
    text = f"ok line\n{long_line}\n{long_line}\n{long_line}\nother"
    # when
    found = scan_log(text, [sig, signature("y", "never", "nothing like this")])
    # then
    assert list(found) == ["x"]
    assert len(found["x"]) == 2
    assert found["x"][0].startswith("…")
    assert "executable file not found in $PATH" in found["x"][0]
    assert excerpt("short", 0, 2) == "short"


@pytest.mark.parametrize(("cidr", "capacity"), [
    ("10.244.1.0/24", 253), ("10.244.0.0/26", 61), ("fd00::/120", 253), (None, None), ("garbage", None),
])
def test_pod_cidr_capacity(cidr, capacity):
    assert cidr_capacity(cidr) == capacity


def test_results_are_redacted_deduplicated_and_shortened():
    # given
    result = CheckResult("kube-proxy", "confirmed", "token: abc123secret in the summary",
                         ("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlMTIz",
                          "password=hunter2", "same", "same", "x" * 1000, *[f"line {i}" for i in range(20)]),
                         ("kube-proxy-not-working",))
    # when
    clean = sanitize(result)
    # then
    assert clean.summary == "token: [REDACTED] in the summary"
    assert clean.evidence[0] == "Authorization: Bearer [REDACTED]"
    assert clean.evidence[1] == "password=[REDACTED]"
    assert clean.evidence[2:4] == ("same", "x" * 299 + "…")
    assert len(clean.evidence) == MAX_EVIDENCE
    assert clean.evidence[-1] == "... and 13 more"
