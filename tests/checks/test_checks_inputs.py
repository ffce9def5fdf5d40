"""Names found in pasted text, and the DNS-1123 validation every input goes through."""

from __future__ import annotations

import pytest

from bot.checks import CheckInputs, inputs_from_text
from bot.errors import CheckError

PASTES = [
    ('Error from server (NotFound): services "hostnames" not found', CheckInputs(service="hostnames")),
    ("wget: unable to resolve host address 'hostnames'", CheckInputs(service="hostnames")),
    ("nslookup: can't resolve host address 'web.shop.svc.cluster.local'", CheckInputs(namespace="shop", service="web")),
    ("Resolving hostnames (hostnames)... failed: Name or service not known.", CheckInputs(service="hostnames")),
    ('E0501 kubelet.go:2862] "Error syncing pod" pod="kube-system/coredns-5d78c9869d-x2x9z" podUID="abc"',
     CheckInputs(namespace="kube-system", pod="coredns-5d78c9869d-x2x9z")),
    ("Warning  FailedCreatePodSandBox  pod/web-7d9f-abcde  failed to allocate for range 0 on node aks-pool1-0",
     CheckInputs(pod="web-7d9f-abcde", node="aks-pool1-0")),
    ("Node node-b status is now: NodeNotReady", CheckInputs(node="node-b")),
    ('Warning  FreeDiskSpaceFailed  node/ip-10-0-1-23.ec2.internal  failed to garbage collect',
     CheckInputs(node="ip-10-0-1-23.ec2.internal")),
    ("kubectl -n shop get svc/web", CheckInputs(namespace="shop", service="web")),
    ("kubectl get pods --namespace=payments", CheckInputs(namespace="payments")),
    ('the service "checkout" in namespace "store" has no endpoints', CheckInputs(namespace="store",
                                                                                 service="checkout")),
    # must not yield anything
    ("conntrack returned error: error looking for path of conntrack", CheckInputs()),
    ("the pod is not ready and the node has no name", CheckInputs()),
    ("pod Foo_Bar crashed on node NODE$1", CheckInputs()),
    ("pod/" + "a" * 300 + " failed", CheckInputs()),
    ("service 'web;rm -rf /' not found", CheckInputs()),
    ("", CheckInputs()),
]


@pytest.mark.parametrize(("text", "expected"), PASTES)
def test_names_are_taken_from_pasted_text(text, expected):
    # given / when
    found = inputs_from_text(text)
    # then
    assert found == expected


@pytest.mark.parametrize(("field", "value", "valid"), [
    ("namespace", "kube-system", True),
    ("namespace", "a" * 63, True),
    ("namespace", "a" * 64, False),
    ("namespace", "Kube-System", False),
    ("namespace", "-shop", False),
    ("namespace", "shop.prod", False),
    ("service", "web", True),
    ("service", "web; rm -rf /", False),
    ("service", "../secrets", False),
    ("pod", "coredns-5d78c9869d-x2x9z", True),
    ("pod", "web.v2-0", True),
    ("pod", "web..v2", False),
    ("node", "ip-10-0-1-23.ec2.internal", True),
    ("node", "node_1", False),
    ("node", "", False),
])
def test_inputs_must_be_dns1123_names(field, value, valid):
    # given / when / then
    if valid:
        assert getattr(CheckInputs(**{field: value}), field) == value
    else:
        with pytest.raises(CheckError, match=f"invalid {field} name"):
            CheckInputs(**{field: value})
