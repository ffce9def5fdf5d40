"""The same checks against a ``kubectl cluster-info dump`` folder (``--snapshot DIR``)."""

from __future__ import annotations

import json

import pytest
from conftest import SCENARIOS, SHOP_WEB
from test_checks_scenarios import EXPECTED, HEALTHY

from bot.checks import CheckInputs, ChecksSettings, run_checks
from bot.checks._snapshot import SnapshotTransport, container_log
from bot.checks.catalog import CATALOG

ALL = [info.id for info in CATALOG]
NO_CLUSTER = ChecksSettings(kubeconfig="/nonexistent")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_dump_gives_the_same_verdicts_as_the_live_cluster(scenario, dump):
    # given
    folder = dump(scenario)
    expected = {**HEALTHY, **EXPECTED[scenario],
                "apiserver-access": ("inconclusive", HEALTHY["apiserver-access"][1])}
    # when
    report = run_checks(ALL, SHOP_WEB, NO_CLUSTER, snapshot_dir=folder)
    # then
    assert report.cluster == f"snapshot:{folder}"
    assert {r.check_id: (r.status, r.topics) for r in report.results} == expected


def test_a_plain_dump_without_the_extra_files_still_answers_what_it_can(dump):
    # given: what kubectl cluster-info dump writes: no endpoints, APIServices, HPAs, policies, version
    folder = dump("selector-mismatch")
    for extra in ("apiservices.json", "version.json"):
        (folder / extra).unlink()
    for pattern in ("*/endpoints.json", "*/horizontalpodautoscalers.json", "*/networkpolicies.json"):
        for path in folder.glob(pattern):
            path.unlink()
    # when
    report = run_checks(["service", "metrics-api", "cluster-dns"], SHOP_WEB, NO_CLUSTER, snapshot_dir=folder)
    # then
    service, metrics, dns = report.results
    assert (service.status, service.topics) == ("confirmed", ("svc-no-endpoints",))
    assert any("endpoints not read (the snapshot has no shop/endpoints.json); judged from the pods" in line
               for line in service.evidence)
    assert metrics.status == "inconclusive"
    assert "the snapshot has no apiservices.json" in metrics.summary
    assert dns.status == "not confirmed"


def test_a_folder_that_is_not_a_dump_fails_with_how_to_make_one(tmp_path):
    # given
    (tmp_path / "notes.txt").write_text("hello")
    # when
    report = run_checks(["node-health"], CheckInputs(), NO_CLUSTER, snapshot_dir=tmp_path)
    # then
    (result,) = report.results
    assert result.status == "failed"
    assert "kubectl cluster-info dump --all-namespaces --output-directory DIR" in result.summary


def request(transport: SnapshotTransport, path: str) -> tuple[int, object]:
    response = transport.request("GET", f"http://snapshot.invalid{path}")
    body = response.data.decode()
    try:
        return response.status, json.loads(body)
    except ValueError:
        return response.status, body


@pytest.mark.parametrize(("path", "names"), [
    ("/api/v1/nodes", ["node-a", "node-b", "win-1"]),
    ("/api/v1/nodes?labelSelector=kubernetes.io%2Fos%3Dwindows", ["win-1"]),
    ("/api/v1/nodes?labelSelector=kubernetes.io%2Fos%21%3Dwindows", ["node-a", "node-b"]),
    ("/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-proxy",
     ["kube-proxy-aaaaa", "kube-proxy-bbbbb"]),
    ("/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app+in+%28kube-proxy%2Ckube-dns%29&limit=3",
     ["kube-proxy-aaaaa", "kube-proxy-bbbbb", "coredns-5d78c9869d-aaaaa"]),
    ("/api/v1/pods?fieldSelector=spec.nodeName%3Dwin-1", ["kube-flannel-ds-windows-ccccc",
                                                          "kube-proxy-windows-ccccc"]),
    ("/api/v1/events?fieldSelector=involvedObject.kind%3DNode%2Ctype%3DWarning", ["node-b.freedisk"]),
    ("/api/v1/events?fieldSelector=reason%3DFreeDiskSpaceFailed", ["node-b.freedisk"]),
    ("/apis/apps/v1/namespaces/kube-system/daemonsets", ["kube-proxy"]),
    ("/api/v1/namespaces", ["default", "kube-flannel", "kube-system", "shop"]),
])
def test_snapshot_lists_filter_like_the_api_server(path, names, dump):
    # given
    transport = SnapshotTransport(dump("node-disk-pressure"))
    # when
    status, body = request(transport, path)
    # then
    assert status == 200
    assert [i["metadata"]["name"] for i in body["items"]] == names


@pytest.mark.parametrize(("path", "status", "reason"), [
    ("/api/v1/namespaces/shop/services/web", 200, None),
    ("/api/v1/namespaces/shop/services/gone", 404, "NotFound"),
    ("/api/v1/namespaces/kube-system/configmaps", 404, "NotInSnapshot"),
    ("/api/v1/namespaces/nowhere/pods", 404, "NotInSnapshot"),
    ("/readyz", 404, "NotInSnapshot"),
    ("/api/v1/namespaces/Bad_NS/pods", 400, "BadRequest"),
    ("/api/v1/namespaces/shop/pods/..%2F..%2Fetc/log", 400, "BadRequest"),
])
def test_snapshot_gets_and_missing_files(path, status, reason, dump):
    # given
    transport = SnapshotTransport(dump("healthy"))
    # when
    code, body = request(transport, path)
    # then
    assert code == status
    if reason:
        assert body["reason"] == reason


def test_snapshot_logs_are_cut_per_container_and_tailed(dump):
    # given
    folder = dump("healthy")
    log = folder / "kube-system" / "coredns-5d78c9869d-aaaaa" / "logs.txt"
    log.write_text("==== START logs for container init of pod kube-system/coredns-5d78c9869d-aaaaa ====\n"
                   "init line\n"
                   "==== END logs for container init of pod kube-system/coredns-5d78c9869d-aaaaa ====\n"
                   "==== START logs for container coredns of pod kube-system/coredns-5d78c9869d-aaaaa ====\n"
                   "one\ntwo\nthree\n"
                   "==== END logs for container coredns of pod kube-system/coredns-5d78c9869d-aaaaa ====\n")
    transport = SnapshotTransport(folder)
    # when
    _, tail = request(transport, "/api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-aaaaa/log"
                                 "?container=coredns&tailLines=2")
    # then
    assert tail == "two\nthree\n"
    assert container_log(log.read_text(), "init") == "init line"
    assert container_log(log.read_text(), None) == "init line\none\ntwo\nthree"
    assert container_log("plain\nlog", "anything") == "plain\nlog"


def test_a_dump_is_never_written_to(dump):
    # given
    folder = dump("healthy")
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    # when
    run_checks(ALL, SHOP_WEB, NO_CLUSTER, snapshot_dir=folder)
    # then
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before
