"""Nothing crashes: a 403, a silent API server, no kubeconfig, a bad context, an unknown id.

Each becomes a ``failed`` (or, where it is the finding, ``confirmed``) result that says what to
do, and the other checks still run.
"""

from __future__ import annotations

import time

import pytest
from conftest import SHOP_WEB

from bot.checks import CheckInputs, ChecksSettings, run_checks
from bot.checks.catalog import CATALOG

ALL = [info.id for info in CATALOG]


def test_403_on_every_list_fails_each_check_with_the_missing_permission(serve, settings_for):
    # given
    server = serve("healthy", mode="forbidden")
    # when
    report = run_checks(ALL, SHOP_WEB, settings_for(server))
    # then
    by_id = {r.check_id: r for r in report.results}
    access = by_id.pop("apiserver-access")
    assert (access.status, access.topics) == ("confirmed", ("apiserver-403-forbidden",))
    assert any("the credentials may not: list nodes; list pods; list services; list endpoints; list events; "
               "list daemonsets.apps; list networkpolicies.networking.k8s.io; list apiservices.apiregistration.k8s.io;"
               " list horizontalpodautoscalers.autoscaling" in line for line in access.evidence)
    assert {r.status for r in by_id.values()} == {"failed"}
    assert by_id["node-health"].summary.startswith("list nodes: forbidden (403); grant it in the bot's ClusterRole")
    assert by_id["service"].summary.startswith("get services in shop: forbidden (403)")
    assert "deploy/rbac/clusterrole.yaml" in by_id["metrics-api"].summary


def test_a_silent_api_server_times_out_within_the_check_timeout(serve, settings_for):
    # given
    server = serve("healthy", mode="hang")
    settings = settings_for(server, timeout=0.3, budget=2.0)
    # when
    started = time.monotonic()
    report = run_checks(ALL, SHOP_WEB, settings)
    elapsed = time.monotonic() - started
    # then
    by_id = {r.check_id: r for r in report.results}
    access = by_id.pop("apiserver-access")
    assert (access.status, access.topics) == ("confirmed", ("aks-apiserver-dial-timeout",))
    assert {r.status for r in by_id.values()} == {"failed"}
    assert all("did not answer" in r.summary and "K8SFIX_CHECK_TIMEOUT" in r.summary for r in by_id.values())
    assert elapsed < 2.0
    assert len(server.requests) == len(ALL)


def test_the_total_budget_caps_the_per_check_timeout(serve, settings_for):
    # given: checks may take 5 s each, the run only 0.3 s
    server = serve("healthy", mode="hang")
    # when
    started = time.monotonic()
    report = run_checks(["node-health", "cluster-dns"], CheckInputs(), settings_for(server, timeout=5.0, budget=0.3))
    # then
    assert time.monotonic() - started < 2.0
    assert [r.status for r in report.results] == ["failed", "failed"]


@pytest.mark.parametrize(("settings", "context", "says"), [
    (ChecksSettings(kubeconfig="/nonexistent/kubeconfig"), None,
     "no kubeconfig found at /nonexistent/kubeconfig and not running in a cluster; set KUBECONFIG"),
    (ChecksSettings(in_cluster=True), None, "in-cluster configuration failed"),
])
def test_no_cluster_configuration_fails_every_check_with_what_to_do(settings, context, says):
    # given / when
    report = run_checks(["node-health", "service"], SHOP_WEB, settings, context=context)
    # then
    assert [r.status for r in report.results] == ["failed", "failed"]
    assert all(says in r.summary for r in report.results)
    assert all("--snapshot DIR" in r.summary for r in report.results)


@pytest.mark.parametrize(("allowlist", "context", "status", "says"), [
    ((), None, "not confirmed", ""),
    ((), "fake", "not confirmed", ""),
    (("fake",), None, "not confirmed", ""),
    (("fake", "prod"), "fake", "not confirmed", ""),
    (("prod",), "fake", "failed", "context 'fake' is not allowed for cluster checks; allowed: prod"),
    (("prod",), None, "failed", "kubeconfig has no context 'prod'"),
    ((), "staging", "failed", "kubeconfig has no context 'staging'; contexts in"),
])
def test_contexts_are_limited_to_the_allowlist(allowlist, context, status, says, serve, settings_for):
    # given
    server = serve("healthy")
    settings = settings_for(server, contexts=allowlist)
    # when
    report = run_checks(["node-health"], CheckInputs(), settings, context=context)
    # then
    (result,) = report.results
    assert result.status == status
    assert says in result.summary
    if status != "failed":
        assert report.cluster == "fake"


def test_unknown_ids_fail_alone_and_the_other_checks_run(serve, settings_for):
    # given
    server = serve("healthy")
    # when
    report = run_checks(["no-such-check", "node-health", "node-health"], CheckInputs(), settings_for(server))
    # then
    assert [(r.check_id, r.status) for r in report.results] == [("no-such-check", "failed"),
                                                                ("node-health", "not confirmed")]
    assert "unknown check id 'no-such-check'" in report.results[0].summary


def test_disabled_checks_say_how_to_enable_them(serve, settings_for):
    # given
    server = serve("healthy")
    # when
    report = run_checks(["node-health"], CheckInputs(), settings_for(server, enabled=False))
    # then
    assert report.results[0].status == "failed"
    assert "K8SFIX_CHECKS_ENABLED=true" in report.results[0].summary
    assert server.requests == []


def test_an_empty_list_of_checks_is_an_empty_report():
    # given / when
    report = run_checks([], CheckInputs(), ChecksSettings(kubeconfig="/nonexistent"))
    # then
    assert report.results == ()
