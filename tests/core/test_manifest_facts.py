"""Facts read from pasted manifests: a selector that selects nothing, a targetPort nobody listens on."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.matching import load_matcher
from bot.matching.manifests import facts_of

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
      - name: shop
        image: shop:1.4
        ports:
        - containerPort: 8080
"""

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    {selector}
  ports:
  - port: 80
    targetPort: {target}
"""


def _paste(selector: str = "app: shop", target: int = 8080, question: str = "the service does not answer") -> str:
    return f"{question}\n```\n{DEPLOYMENT}---\n{SERVICE.format(selector=selector, target=target)}```"


def test_a_selector_that_matches_no_pod_label_is_a_fact() -> None:
    facts = facts_of(_paste(selector="run: shop"))
    assert len(facts) == 1
    assert "selector does not match" in facts[0].statement
    assert facts[0].detail == "Service shop selects run=shop; Deployment shop labels its pods app=shop"


def test_a_target_port_no_container_listens_on_is_a_fact() -> None:
    facts = facts_of(_paste(target=3000))
    assert [f.detail for f in facts] == ["targetPort 3000; containerPort 8080"]


def test_jsonpath_output_counts_like_yaml() -> None:
    text = ('$ kubectl get svc web -o jsonpath={.spec.ports}\n[{"port":80,"targetPort":3000}]\n'
            '$ kubectl get deploy web -o jsonpath={.spec.template.spec.containers[0].ports}\n[{"containerPort":8080}]')
    assert [f.detail for f in facts_of(text)] == ["targetPort 3000; containerPort 8080"]


def test_matching_manifests_and_unrelated_ones_are_no_facts() -> None:
    # given a Service and its own Deployment that agree, then nothing is read
    assert facts_of(_paste()) == ()
    # and a Service pasted with two workloads of other names proves nothing about its selector
    other = DEPLOYMENT.replace("shop", "cart")
    third = DEPLOYMENT.replace("shop", "auth")
    assert facts_of(f"{other}---\n{third}---\n{SERVICE.format(selector='app: shop', target=8080)}") == ()


def test_a_paste_that_lost_its_fence_and_elides_lines_is_still_read() -> None:
    # given markdown-escaped list dashes and "..." where the asker cut lines
    text = _paste(selector="run: shop").replace("- name", "\\- name")
    text = text.replace("  ports:\n  - port", "...\n  ports:\n  - port")
    assert [f.detail.split(";")[0] for f in facts_of(text)] == ["Service shop selects run=shop"]


def test_broken_or_hostile_yaml_is_no_manifest() -> None:
    assert facts_of("kind: [unclosed\n  targetPort: : :") == ()
    assert facts_of("kind: Service\n" + "a: &a [*a]\n") == ()
    assert facts_of("kind:\n" + "- " * 10_000) == ()


def test_the_fact_steers_the_answer_and_is_shown_as_read(tmp_path: Path) -> None:
    # given two entries a paste of manifests could be about
    for entry_id, title, symptom in (
        ("selector-mismatch", "Service has no endpoints",
         "the Service selector does not match the pod labels, so it selects no pods"),
        ("port-mismatch", "Service port mismatch", "the Service targetPort is not the port the container listens on"),
    ):
        data = {"id": entry_id, "kind": "error", "text": {"en": {
            "title": title, "symptoms": [symptom], "impact": "x", "causes": [{"cause": "x", "fix": ["x"]}]}}}
        (tmp_path / f"{entry_id}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    small = load_matcher([tmp_path], include_builtin=False)
    # when the manifests show one or the other cause
    by_selector = small.match(_paste(selector="run: shop"))
    by_port = small.match(_paste(target=3000))
    # then each is answered by its own entry, and why says what was read
    assert by_selector.matches[0].entry.id == "selector-mismatch"
    assert by_port.matches[0].entry.id == "port-mismatch"
    assert by_port.matches[0].why is not None
    assert "read from the manifests: targetPort 3000; containerPort 8080" in by_port.matches[0].why.context
    # and the statement is not shown as a quote of the paste
    assert all("targetPort does not match" not in line for line in by_port.matches[0].evidence)


def test_a_network_policy_that_selects_every_pod_is_a_fact() -> None:
    table = ("$ kubectl get networkpolicy -A\nNAMESPACE   NAME   POD-SELECTOR   AGE\n"
             "billing     default-deny-ingress   <none>   2d\nbilling     allow-gateway   app=gw   2d")
    assert [f.detail for f in facts_of(table)] == [
        "NetworkPolicy default-deny-ingress selects every pod of its namespace"]
    manifest = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\n"
                "spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n")
    assert [f.detail for f in facts_of(manifest)] == ["NetworkPolicy deny-all selects every pod of its namespace"]
    # a policy that selects some pods, or a pods table with <none> columns, is no such fact
    assert facts_of(manifest.replace("{}", "{matchLabels: {app: web}}")) == ()
    assert facts_of("NAME   READY   NOMINATED NODE\nweb-1   1/1   <none>   2d") == ()


def test_an_endpoints_table_with_an_empty_row_is_a_fact() -> None:
    table = ("$ kubectl get svc,ep -n shop\nNAME           TYPE        CLUSTER-IP     PORT(S)   AGE\n"
             "service/cart   ClusterIP   10.96.14.2     80/TCP    9m\n\n"
             "NAME             ENDPOINTS                     AGE\n"
             "endpoints/cart   <none>                        9m\n"
             "endpoints/web    10.244.1.7:8080               3d")
    assert [f.detail for f in facts_of(table)] == ["kubectl get endpoints shows <none> for cart"]
    # a table whose Services all have endpoints, or the leader locks of an old control plane, are no such fact
    assert facts_of(table.replace("<none>    ", "10.0.0.1:80")) == ()
    assert facts_of("NAME   ENDPOINTS   AGE\nkube-scheduler   <none>   200d") == ()
    # nor is a <none> in the next table of the paste
    policies = ("NAME   ENDPOINTS   AGE\nweb   10.244.1.7:8080   3d\n$ kubectl get networkpolicy\n"
                "NAME   POD-SELECTOR   AGE\ndeny-all   <none>   2d")
    assert [f.detail for f in facts_of(policies)] == ["NetworkPolicy deny-all selects every pod of its namespace"]



def test_a_described_service_without_endpoints_is_a_fact() -> None:
    described = ("$ kubectl describe svc cart -n shop\nName:              cart\nNamespace:         shop\n"
                 "Selector:          app=cart\nType:              ClusterIP\nIP:                10.96.14.2\n"
                 "Port:              http  80/TCP\nTargetPort:        8080/TCP\nEndpoints:         <none>\n"
                 "Events:            <none>")
    assert [f.detail for f in facts_of(described)] == ["kubectl describe service shows Endpoints: <none>"]
    # a Service with addresses, or a sentence about endpoints, is no such fact
    assert facts_of(described.replace("Endpoints:         <none>", "Endpoints:         10.244.1.7:8080")) == ()
    assert facts_of("the docs say Endpoints: <none> means no pod matches, is that right?") == ()


def test_no_endpoints_behind_failing_pods_is_left_to_the_pods() -> None:
    # given a Service without endpoints whose pods are shown crash-looping
    paste = ("NAME                   READY   STATUS             RESTARTS   AGE\n"
             "api-7d9c8b6f4-x2kqp    0/1     CrashLoopBackOff   12         40m\n"
             "NAME   ENDPOINTS   AGE\napi    <none>      40m")
    # then the missing endpoints are not stated as the finding
    assert facts_of(paste) == ()
