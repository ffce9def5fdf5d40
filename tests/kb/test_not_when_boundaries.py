"""The KB's ``not_when`` rule-outs: they keep look-alikes away and never rule out an entry's own cases.

A rule-out applies when its pattern is found anywhere in the pasted text and the asker does not deny
that mention (:func:`bot.matching.negation.affirmed`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.kb import load_knowledge
from bot.matching.negation import affirmed

QUERIES = Path(__file__).parent.parent / "data" / "queries"
KB = load_knowledge()


def _ruled_out(entry_id: str, text: str) -> bool:
    return any(affirmed(re.compile(rule.pattern), text) for rule in KB.entries[entry_id].not_when)


def _positive_queries() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted(QUERIES.glob("*.yaml")):
        for i, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            if item["expect"] != "none" and item["expect"] in KB.entries:
                out.append((f"{path.stem}[{i}]", item["expect"], item["query"]))
    return out


LOOK_ALIKES = [
    # (entry, text, ruled out?)
    ("flannel-init-crashloop-selinux",
     "orders-6c5d8f7b9-m4kzr   0/2     Init:CrashLoopBackOff   5 (88s ago)   6m", True),
    ("flannel-init-crashloop-selinux",
     "kubectl logs reviews-v1-6f8d9b7c5-2xkqp -c istio-init\niptables: Chain already exists.", True),
    ("flannel-init-crashloop-selinux",
     "kube-flannel-ds-8jx2t   0/1     Init:CrashLoopBackOff   5 (72s ago)   4m10s", False),
    ("kube-proxy-conntrack-missing",
     'Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create '
     'failed: unable to start container process: exec: "celery": executable file not found in $PATH: unknown', True),
    ("kube-proxy-conntrack-missing",
     'conntrack returned error: error looking for path of conntrack: exec: "conntrack": executable file not found '
     'in $PATH', False),
    ("win-pods-containercreating",
     'Warning  FailedMount  2m  kubelet  MountVolume.SetUp failed for volume "data" : mount failed: exit status 32',
     True),
    ("win-pods-containercreating", 'Warning  Failed  10s  kubelet  Error: configmap "app-config" not found', True),
    ("win-pods-containercreating",
     "The container operating system does not match the host operating system.", False),
    ("pod-ip-allocation-failed",
     'Warning  FailedAttachVolume  1m  attachdetach-controller  Multi-Attach error for volume "pvc-1" Volume is '
     "already exclusively attached to one node and can't be attached to another", True),
    ("pod-ip-allocation-failed",
     "Failed to allocate address: Failed to delegate: Failed to allocate address: No available addresses", False),
    ("node-disk-full", "0/3 nodes are available: 3 Insufficient ephemeral-storage.", True),
    ("node-disk-full", "Warning  Evicted  kubelet  The node was low on resource: ephemeral-storage.", False),
    ("scheduling-constraints",
     "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
     "3 Insufficient memory.", True),
    ("scheduling-constraints",
     "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient memory.", False),
    ("scheduling-constraints",
     "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.", True),
    ("volume-mount-failed",
     'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found', True),
    ("volume-mount-failed",
     'MountVolume.SetUp failed for volume "nfs" : mount failed: exit status 32', False),
    ("container-start-error",
     'OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not '
     "found in $PATH: unknown", True),
    ("container-start-error", "exec /usr/local/bin/docker-entrypoint.sh: exec format error", False),
    ("apiserver-cert-unable-to-connect",
     "after the power cut: The connection to the server 10.0.0.5:6443 was refused - did you specify the right host "
     "or port?", True),
    ("apiserver-cert-unable-to-connect",
     "The connection to the server localhost:8080 was refused - did you specify the right host or port?", False),
    ("apiserver-cert-unable-to-connect",
     'level=error msg="sync failed" err="Get \\"https://billing.vendor.example/v2/invoices\\": tls: failed to verify '
     'certificate: x509: certificate has expired or is not yet valid"', True),
    ("apiserver-cert-unable-to-connect",
     'E1203 client-go reflector: Get "https://10.96.0.1:443/api/v1/pods": x509: certificate signed by unknown '
     "authority", False),
    ("apiserver-cert-unable-to-connect",
     'kubectl get nodes\nUnable to connect to the server: Get "https://k8s.corp.example/": x509: certificate has '
     "expired or is not yet valid", False),
    ("node-disk-full",
     "$ kubectl exec -n db mysql-0 -- df -h /var/lib/mysql\n/dev/sdc  50G  50G  0 100% /var/lib/mysql", True),
    ("node-disk-full", "the PVC of our kafka broker is 100% used: No space left on device", True),
    ("node-disk-full", "$ k exec -it web-0 -- sh\n/ # df -h\n/dev/rbd1  9.8G  9.8G  0 100% /data", True),
    ("node-disk-full",
     "ssh worker-3 df -h /var/lib/containerd shows 100% and kubelet logs: no space left on device", False),
    ("admission-webhook-failure",
     'Error creating: pods "api-5f7d9c-" is forbidden: violates PodSecurity "restricted:latest": '
     "allowPrivilegeEscalation != false", True),
    ("ingress-backend-unavailable",
     '2026/12/03 10:14:07 [error] 31#31: *8812 client intended to send too large body: 10485760 bytes, client: '
     '10.0.3.7, server: api.example.com, request: "POST /upload HTTP/2.0"', True),
    ("ingress-backend-unavailable",
     "upstream timed out (110: Operation timed out) while reading response header from upstream, client: "
     "10.0.3.7", True),
    ("ingress-backend-unavailable",
     "upstream timed out (110: Operation timed out) while connecting to upstream, client: 10.0.3.7", False),
    ("admission-webhook-failure",
     'Error presenting challenge: DNS01 solver webhook "alidns" returned InvalidAccessKeyId', True),
    ("admission-webhook-failure",
     'Internal error occurred: failed calling webhook "validate.nginx.ingress.kubernetes.io": context deadline '
     "exceeded", False),
    ("flannel-init-crashloop-selinux",
     'E1105 07:12:03.118  1 main.go:330] Error registering network: failed to acquire lease: node "cp-1" pod cidr '
     "not assigned", True),
    ("flannel-init-crashloop-selinux",
     "kube-flannel-ds-q8x2m   0/1     Init:CrashLoopBackOff   4 (30s ago)   3m\n"
     "cp: can't create '/etc/cni/net.d/10-flannel.conflist': Permission denied", False),
    ("flannel-init-crashloop-selinux",
     "kube-flannel-ds-7hz2q   0/1     Init:CrashLoopBackOff   6 (2m ago)   9m\n"
     "cp: can't create '/opt/cni/bin/flannel': Read-only file system", True),
    ("init-container-failing",
     "kube-flannel-ds-7hz2q   0/1     Init:CrashLoopBackOff   6 (2m ago)   9m\n"
     "cp: can't create '/opt/cni/bin/flannel': Read-only file system", False),
    ("init-container-failing",
     "kube-flannel-ds-7hz2q   0/1     Init:CrashLoopBackOff   6 (2m ago)   9m\n"
     "cp: can't create '/etc/cni/net.d/10-flannel.conflist': Permission denied", True),
    ("node-notready",
     "[preflight] Running pre-flight checks\nerror execution phase preflight: [preflight] Some fatal errors "
     "occurred:\n\t[ERROR Swap]: running with swap on is not supported. Please disable swap", True),
    ("node-notready",
     "E0412 08:02:11.5 kubelet.go:1414] failed to run Kubelet: running with swap on is not supported, please "
     "disable swap!\nworker-3   NotReady   <none>   4m   v1.24.3", False),
    ("apiserver-cert-unable-to-connect",
     "$ kubectl get ns\nUnable to connect to the server: dial tcp 10.0.0.4:443: i/o timeout", True),
    ("apiserver-cert-unable-to-connect",
     "Unable to connect to the server: net/http: TLS handshake timeout", False),
    ("apiserver-cert-unable-to-connect",
     "Unable to connect to the server: x509: certificate has expired or is not yet valid", False),
    ("pod-ip-allocation-failed",
     'failed to setup network for sandbox "9f1c": plugin type="azure-vnet" failed (add): Failed to initialize '
     "key-value store of network plugin: timed out locking store", True),
    ("pod-ip-allocation-failed",
     'failed to setup network for sandbox "9f1c": plugin type="azure-vnet" failed (add): IPAM Invoker Add failed '
     "with error: Failed to allocate pool: Failed to delegate: Failed to allocate address: No available addresses",
     False),
    ("image-pull-registry-tls",
     'Failed to pull image "harbor.corp.local/api:1.8": failed to resolve reference "harbor.corp.local/api:1.8": '
     'failed to do request: Head "https://harbor.corp.local/v2/api/manifests/1.8": dial tcp: lookup '
     "harbor.corp.local on 10.0.0.2:53: no such host", True),
    ("image-pull-registry-tls",
     '{"msg":"sync failed","error":"Post \\"https://billing.corp.internal/v2/invoices\\": tls: failed to verify '
     'certificate: x509: certificate signed by unknown authority"}', True),
    ("image-pull-registry-tls",
     'Error response from daemon: Get "https://harbor.corp.local/v2/": x509: certificate signed by unknown '
     "authority", False),
    ("apiserver-cert-unable-to-connect",
     'error: the server doesn\'t have a resource type "certificates"', True),
    ("oom-killed",
     "    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    137", True),
    ("oom-killed",
     "    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137", False),
    ("oom-killed",
     "Reason: Error, Exit Code: 137\nMemory cgroup out of memory: Killed process 4121 (java)", False),
    ("scheduling-insufficient-resources",
     "X Exiting due to RSRC_INSUFFICIENT_CORES: Requested cpu count 4 is greater than the available cpus of 2", True),
    ("scheduling-insufficient-resources",
     "Warning  FailedScheduling  default-scheduler  0/4 nodes are available: 4 Insufficient cpu.", False),
    ("aks-apiserver-dial-timeout",
     'Unable to connect to the server: dial tcp: lookup prod-x.hcp.eastus.azmk8s.io: no such host\n'
     '$ az aks show -g rg -n prod --query powerState\n{\n  "code": "Stopped"\n}', True),
    ("aks-apiserver-dial-timeout",
     "Unable to connect to the server: dial tcp 20.50.1.9:443: i/o timeout\nkubectl from my laptop, AKS with "
     "authorized IP ranges; the agent pools were stopped and started last week", False),
]


@pytest.mark.parametrize(("entry_id", "text", "expected"), LOOK_ALIKES)
def test_look_alikes_are_ruled_out_and_real_cases_are_not(entry_id: str, text: str, expected: bool) -> None:
    assert _ruled_out(entry_id, text) is expected


def _lacks_needs(entry_id: str, text: str) -> bool:
    needs = KB.entries[entry_id].needs
    return bool(needs) and not any(re.search(rule.pattern, text) for rule in needs)


def test_every_query_shows_what_its_entry_needs() -> None:
    # given every labelled query of the project, then each shows its entry's needs (or the entry has none)
    missing = [name for name, expect, text in _positive_queries() if _lacks_needs(expect, text)]
    assert missing == []


@pytest.mark.parametrize(
    ("entry_id", "text", "lacking"),
    [
        ("kube-dns-apiserver-timeout",
         "Pod cannot connect to apiserver: dial tcp 10.96.0.1:443: i/o timeout", True),
        ("kube-dns-apiserver-timeout",
         "coredns: Failed to list *v1.Service: Get https://10.96.0.1:443/api/v1/services: i/o timeout", False),
        ("cluster-dns-not-working", "ClusterIP not reachable from any pod", True),
        ("cluster-dns-not-working", "Pod 里 nslookup kubernetes.default 超时", False),
        ("cluster-dns-not-working", "после апгрейда поды не резолвят имена", False),
        ("apiserver-cert-unable-to-connect", "my operator pod cannot reach the API server service", True),
        ("apiserver-cert-unable-to-connect", "kubectl: Unable to connect to the server: EOF", False),
    ],
)
def test_needs_tell_an_entrys_subject_from_shared_words(entry_id: str, text: str, lacking: bool) -> None:
    assert _lacks_needs(entry_id, text) is lacking
