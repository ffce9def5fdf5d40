"""The read-only guard: a mutating call or a Secret read never leaves the process."""

from __future__ import annotations

import pytest
from kubernetes import client as k8s

from bot.checks import ChecksSettings, ReadOnlyViolation
from bot.checks._client import connect
from bot.checks._guard import ReadOnlyPoolManager, refusal


def test_a_mutating_call_never_reaches_the_server(serve, settings_for):
    # given: a client built exactly as the checks build theirs
    server = serve("healthy")
    connection = connect(settings_for(server))
    core = k8s.CoreV1Api(connection.api_client)
    # when
    with pytest.raises(ReadOnlyViolation, match="DELETE refused"):
        core.delete_namespaced_pod("web-7d9f8b6c5d-aaaaa", "shop")
    # then
    assert server.requests == []


@pytest.mark.parametrize("call", [
    lambda core, apps: core.create_namespaced_config_map("shop", {"metadata": {"name": "x"}}),
    lambda core, apps: core.patch_node("node-a", {"spec": {"unschedulable": True}}),
    lambda core, apps: core.replace_namespaced_service("web", "shop", {"metadata": {"name": "web"}}),
    lambda core, apps: apps.delete_namespaced_daemon_set("kube-proxy", "kube-system"),
    lambda core, apps: core.delete_collection_namespaced_pod("shop"),
    lambda core, apps: core.read_namespaced_secret("token", "kube-system"),
    lambda core, apps: core.list_secret_for_all_namespaces(),
    lambda core, apps: core.list_namespaced_secret("default"),
], ids=["create", "patch", "replace", "delete-daemonset", "delete-collection", "read-secret", "list-secrets",
        "list-namespaced-secrets"])
def test_writes_and_secret_reads_are_refused_in_process(call, serve, settings_for):
    # given
    server = serve("healthy")
    api_client = connect(settings_for(server)).api_client
    # when
    with pytest.raises(ReadOnlyViolation):
        call(k8s.CoreV1Api(api_client), k8s.AppsV1Api(api_client))
    # then
    assert server.requests == []


def test_plain_reads_still_go_through(serve, settings_for):
    # given
    server = serve("healthy")
    core = k8s.CoreV1Api(connect(settings_for(server)).api_client)
    # when
    nodes = core.list_node()
    # then
    assert [n.metadata.name for n in nodes.items] == ["node-a", "node-b", "win-1"]
    assert [(r.method, r.path) for r in server.requests] == [("GET", "/api/v1/nodes")]


@pytest.mark.parametrize(("method", "url", "refused"), [
    ("GET", "https://api:6443/api/v1/nodes", False),
    ("GET", "https://api:6443/api/v1/nodes/node-a", False),
    ("GET", "https://api:6443/api/v1/pods?labelSelector=k8s-app%3Dkube-dns&limit=1", False),
    ("get", "https://api:6443/api/v1/namespaces/kube-system/pods/coredns-1/log?container=coredns&tailLines=200",
     False),
    ("GET", "https://api:6443/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy", False),
    ("GET", "https://api:6443/apis/autoscaling/v2/horizontalpodautoscalers", False),
    ("GET", "https://api:6443/version", False),
    ("GET", "https://api:6443/version/", False),
    ("GET", "https://api:6443/readyz?verbose=true", False),
    # writes
    ("POST", "https://api:6443/api/v1/namespaces/shop/pods", True),
    ("PUT", "https://api:6443/api/v1/nodes/node-a", True),
    ("PATCH", "https://api:6443/api/v1/nodes/node-a", True),
    ("DELETE", "https://api:6443/api/v1/namespaces/shop/pods/web", True),
    ("HEAD", "https://api:6443/api/v1/nodes", True),
    ("OPTIONS", "https://api:6443/api/v1/nodes", True),
    # Secrets, however spelled
    ("GET", "https://api:6443/api/v1/secrets", True),
    ("GET", "https://api:6443/api/v1/namespaces/kube-system/secrets/token", True),
    ("GET", "https://api:6443/api/v1/namespaces/kube-system/Secrets", True),
    ("GET", "https://api:6443/api/v1/namespaces/kube-system/%73ecrets", True),
    ("GET", "https://api:6443/api/v1/namespaces/kube-system/%2573ecrets/x", True),
    # GETs outside the declaration: streams, proxies, other resources, verbs not declared
    ("GET", "https://api:6443/api/v1/namespaces/shop/pods/web/exec?command=sh&stdin=true", True),
    ("GET", "https://api:6443/api/v1/namespaces/shop/pods/web/attach?stdin=true", True),
    ("GET", "https://api:6443/api/v1/namespaces/shop/pods/web/portforward?ports=80", True),
    ("GET", "https://api:6443/api/v1/nodes/node-a/proxy/configz", True),
    ("GET", "https://api:6443/api/v1/namespaces/shop/services/web/proxy/admin", True),
    ("GET", "https://api:6443/api/v1/namespaces/shop/pods/web/proxy/", True),
    ("GET", "https://api:6443/api/v1/namespaces/shop/configmaps/secrets-manager", True),
    ("GET", "https://api:6443/apis/rbac.authorization.k8s.io/v1/clusterroles", True),
    ("GET", "https://api:6443/api/v1/namespaces/shop/pods/web", True),
    ("GET", "https://api:6443/api/v1/namespaces/shop/pods/web/log", True),
    ("GET", "https://api:6443/apis/apps/v2/daemonsets", True),
    ("GET", "https://api:6443/api/v1/namespaces/kube-system/nodes", True),
    ("GET", "https://api:6443/api/v1/namespaces/kube-system/pods/web/status", True),
    ("GET", "https://api:6443/api/v1/pods?watch=true", True),
    ("GET", "https://api:6443/api/v1/namespaces/kube-system/pods/coredns-1/log?follow=true", True),
    ("GET", "https://api:6443/api/v1/namespaces/kube-system/pods/../../../nodes", True),
    ("GET", "https://api:6443/metrics", True),
    ("GET", "https://api:6443/logs/kube-apiserver.log", True),
])
def test_the_guard_allows_only_declared_reads(method, url, refused):
    # given / when
    reason = refusal(method, url)
    # then
    assert (reason is not None) == refused, reason


@pytest.mark.parametrize("headers", [
    {"Upgrade": "websocket", "Connection": "Upgrade"},
    {"Connection": "keep-alive, Upgrade"},
    {"Sec-WebSocket-Protocol": "v4.channel.k8s.io"},
    {"X-Stream-Protocol-Version": "portforward.k8s.io"},
])
def test_upgrade_headers_are_refused_even_on_a_declared_read(headers):
    # given / when
    reason = refusal("GET", "https://api:6443/api/v1/nodes", headers)
    # then
    assert reason is not None and "upgrade header" in reason


def test_exec_through_a_websocket_stream_never_leaves_the_process(serve, settings_for):
    # given: kubernetes.stream swaps the client's call_api for a websocket call
    from kubernetes.stream import portforward, stream

    server = serve("healthy")
    core = k8s.CoreV1Api(connect(settings_for(server)).api_client)
    # when
    with pytest.raises(ReadOnlyViolation, match="never open streams"):
        stream(core.connect_get_namespaced_pod_exec, "web-7d9f8b6c5d-aaaaa", "shop", command=["sh"],
               stderr=True, stdin=False, stdout=True, tty=False)
    with pytest.raises(ReadOnlyViolation):
        portforward(core.connect_get_namespaced_pod_portforward, "web-7d9f8b6c5d-aaaaa", "shop", ports="80")
    # then
    assert server.requests == []


@pytest.mark.parametrize("call", [
    lambda core: core.connect_get_namespaced_pod_exec("web-7d9f8b6c5d-aaaaa", "shop", command=["sh"]),
    lambda core: core.connect_get_node_proxy_with_path("node-a", "configz"),
    lambda core: core.connect_get_namespaced_service_proxy_with_path("web", "shop", "admin"),
    lambda core: core.read_namespaced_config_map("app", "shop"),
    lambda core: core.list_pod_for_all_namespaces(watch=True),
], ids=["exec", "node-proxy", "service-proxy", "configmap", "watch"])
def test_undeclared_gets_never_reach_the_server(call, serve, settings_for):
    # given
    server = serve("healthy")
    core = k8s.CoreV1Api(connect(settings_for(server)).api_client)
    # when
    with pytest.raises(ReadOnlyViolation):
        call(core)
    # then
    assert server.requests == []


class Recording:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def request(self, method, url, **kwargs):
        self.calls.append((method, url))
        return "response"

    def urlopen(self, method, url, **kwargs):
        self.calls.append((method, url))
        return "response"

    def clear(self) -> None:
        pass


def test_the_guard_wraps_both_entry_points_of_the_pool():
    # given
    inner = Recording()
    guard = ReadOnlyPoolManager(inner)
    # when
    ok = guard.request("GET", "http://x/api/v1/pods")
    with pytest.raises(ReadOnlyViolation):
        guard.urlopen("POST", "http://x/api/v1/pods")
    with pytest.raises(ReadOnlyViolation):
        guard.request("GET", "http://x/api/v1/secrets")
    # then
    assert ok == "response"
    assert inner.calls == [("GET", "http://x/api/v1/pods")]


def test_a_snapshot_client_is_guarded_too(dump):
    # given
    connection = connect(ChecksSettings(), snapshot_dir=dump("healthy"))
    # when / then
    assert isinstance(connection.api_client.rest_client.pool_manager, ReadOnlyPoolManager)
    with pytest.raises(ReadOnlyViolation):
        k8s.CoreV1Api(connection.api_client).delete_node("node-a")
