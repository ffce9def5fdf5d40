"""``k8sfix check`` and ``k8sfix scan`` end to end, and the plain-text rendering of a report."""

from __future__ import annotations

import json

import pytest

from bot.checks import CheckInputs, CheckReport, CheckResult
from bot.checks.render import render_report
from bot.cli.main import build_parser, main


@pytest.fixture
def cluster(serve, tmp_path, monkeypatch):
    """Point KUBECONFIG at a fake server for the scenario; clear the bot's own settings."""

    def start(scenario: str = "healthy", *, mode: str = "normal", **options):
        server = serve(scenario, mode=mode, **options)
        monkeypatch.setenv("KUBECONFIG", str(server.kubeconfig(tmp_path)))
        return server

    for name in ("K8SFIX_CHECKS_CONTEXTS", "K8SFIX_CHECKS_ENABLED", "K8SFIX_CHECK_TIMEOUT", "K8SFIX_CHECK_BUDGET",
                 "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    return start


def test_check_a_topic_prints_the_report(cluster, capsys):
    # given
    cluster("conntrack-missing")
    # when
    code = main(["check", "kube-proxy-conntrack-missing"])
    # then
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Cluster checks on fake in ")
    assert "[!]   CONFIRMED  kube-proxy: kube-proxy cannot find the conntrack binary" in out
    assert out.rstrip().endswith("1 confirmed")


def test_check_json_with_inputs(cluster, capsys):
    # given
    cluster("selector-mismatch")
    # when
    code = main(["check", "service", "-n", "shop", "--service", "web", "--json"])
    # then
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["cluster"] == "fake"
    assert data["inputs"] == {"namespace": "shop", "service": "web"}
    assert [(r["check_id"], r["status"], r["topics"]) for r in data["results"]] == [
        ("service", "confirmed", ["svc-no-endpoints"])]


def test_check_a_snapshot_needs_no_cluster(dump, monkeypatch, capsys):
    # given
    monkeypatch.setenv("KUBECONFIG", "/nonexistent")
    folder = dump("node-disk-pressure")
    # when
    code = main(["check", "node-health", "--node", "node-b", "--snapshot", str(folder)])
    # then
    out = capsys.readouterr().out
    assert code == 0
    assert f"Cluster checks on snapshot:{folder}" in out
    assert "(node=node-b)" in out


def test_check_a_topic_a_team_folder_overrides_runs_the_teams_checks(cluster, tmp_path, capsys):
    # given: a team folder replaces the built-in entry, listing other checks
    from bot.kb.loader import builtin_dir

    cluster("conntrack-missing")
    team = tmp_path / "team-kb"
    team.mkdir()
    text = (builtin_dir() / "kube-proxy-conntrack-missing.yaml").read_text(encoding="utf-8")
    (team / "kube-proxy-conntrack-missing.yaml").write_text(
        text.replace("checks: [kube-proxy]", "checks: [kube-proxy, node-health]"), encoding="utf-8")
    # when
    code = main(["--kb", str(team), "check", "kube-proxy-conntrack-missing", "--json"])
    # then
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["check_id"] for r in data["results"]] == ["kube-proxy", "node-health"]


def test_the_cli_ignores_the_bots_context_allowlist(cluster, monkeypatch, capsys):
    # given: the bot may only use "prod"; the user names a context of their own kubeconfig
    cluster("healthy")
    monkeypatch.setenv("K8SFIX_CHECKS_CONTEXTS", "prod")
    # when
    code = main(["check", "node-health", "--context", "fake"])
    # then
    assert code == 0
    assert "not confirmed  node-health" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "says"), [
    (["check", "no-such-topic"], "'no-such-topic' is neither a KB topic nor a check id"),
    (["check", "node-health", "--node", "Bad_Name"], "invalid node name 'Bad_Name'"),
    (["check", "service", "-n", "shop", "--service", "web;reboot"], "invalid service name"),
])
def test_check_usage_errors_exit_1_with_a_message(argv, says, cluster, capsys):
    # given
    server = cluster("healthy")
    # when
    code = main(argv)
    # then
    assert code == 1
    assert says in capsys.readouterr().err
    assert server.requests == []


def test_a_check_that_cannot_run_exits_1(cluster, monkeypatch, capsys):
    # given
    cluster("healthy", mode="hang")
    monkeypatch.setenv("K8SFIX_CHECK_TIMEOUT", "0.3")
    # when
    code = main(["check", "node-health"])
    # then
    assert code == 1
    assert "[x]   failed  node-health: the API server at http://127.0.0.1:" in capsys.readouterr().out


def test_scan_groups_by_topic(cluster, capsys):
    # given
    cluster("windows-flannel")
    # when
    code = main(["scan", "--json"])
    # then
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["cluster"] == "fake"
    assert sum(g["count"] for g in data["groups"]) == 2
    assert {f["object"] for g in data["groups"] for f in g["findings"]} == {
        "kube-flannel/kube-flannel-ds-windows-ccccc", "win-1"}


def test_scan_without_a_cluster_exits_1(monkeypatch, capsys):
    # given
    monkeypatch.setenv("KUBECONFIG", "/nonexistent")
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    # when
    code = main(["scan", "--no-checks"])
    # then
    out = capsys.readouterr().out
    assert code == 1
    assert "could not read: no kubeconfig found at /nonexistent" in out


@pytest.mark.parametrize("mode", ["forbidden", "hang", "refuse"])
def test_a_scan_that_could_read_nothing_says_so_and_exits_1(mode, cluster, monkeypatch, capsys):
    # given
    cluster("healthy", mode=mode)
    monkeypatch.setenv("K8SFIX_CHECK_TIMEOUT", "0.5")
    # when
    code = main(["scan"])
    # then: never an all-clear
    out = capsys.readouterr().out
    assert code == 1
    assert "nothing could be read, so nothing is known about this cluster's health" in out
    assert "no Warning events" not in out


def test_a_scan_that_could_read_only_part_says_what_it_did_not_read(cluster, capsys):
    # given: events are forbidden, nodes and pods healthy
    cluster("healthy", forbidden_resources=("events",))
    # when
    code = main(["scan", "--json"])
    # then
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (data["read"], data["unread"]) == (["nodes", "pods", "workloads"], ["Warning events"])
    # and in text
    assert main(["scan"]) == 1
    assert "no NotReady nodes, unhealthy pods or stuck rollouts (not read: Warning events)" in capsys.readouterr().out


SECRETS = ("hunter2-very-secret", "abcdefghijklmnopqrstuvwxyz012345", "s3cr3t-token-0123456789")


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_scan_never_echoes_secrets_from_events_or_server_errors(as_json, cluster, tmp_path, capsys):
    # given: a Warning event quoting credentials, and a server whose errors quote one
    server = cluster("healthy")
    server.files["default/events.json"]["items"].append({
        "metadata": {"name": "web.leak", "namespace": "default"}, "type": "Warning", "reason": "Failed",
        "count": 3, "lastTimestamp": "2024-05-01T10:00:00Z",
        "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "default"},
        "message": f"probe failed: curl -H 'Authorization: Bearer {SECRETS[1]}' db password={SECRETS[0]}"})
    broken = serve_error(cluster, f"etcd: token={SECRETS[2]} rejected")
    # when
    main(["scan", "--no-checks", *(["--json"] if as_json else [])])
    first = capsys.readouterr().out
    broken()
    main(["scan", "--no-checks", *(["--json"] if as_json else [])])
    second = capsys.readouterr().out
    # then
    assert "probe failed" in first and "[REDACTED]" in first
    assert "HTTP 500" in second and "[REDACTED]" in second
    assert not [s for s in SECRETS if s in first + second]


def serve_error(cluster, message):
    """A function that points KUBECONFIG at a server answering 500 with ``message``."""
    return lambda: cluster("healthy", mode="error-500", status_message=message)


def test_both_commands_are_registered():
    # given / when
    commands = build_parser()._subparsers._group_actions[0].choices
    # then
    assert {"check", "scan"} <= set(commands)


def test_a_report_renders_as_plain_text():
    # given
    report = CheckReport(
        cluster="prod",
        results=(
            CheckResult("service", "confirmed", "Service shop/web has no endpoints",
                        ("selector run=web matches no pod",), ("svc-no-endpoints",)),
            CheckResult("kube-proxy", "not confirmed", "kube-proxy pods ready on 2 nodes", (), ("x",)),
            CheckResult("metrics-api", "failed", "list pods: forbidden (403); grant it", (), ("y",)),
        ),
        elapsed_seconds=0.5, inputs=CheckInputs(namespace="shop", service="web"))
    # when
    text = render_report(report)
    # then
    assert text == (
        "Cluster checks on prod in 0.50 s (namespace=shop service=web)\n"
        "\n"
        "[!]   CONFIRMED  service: Service shop/web has no endpoints\n"
        "      topics: svc-no-endpoints\n"
        "      - selector run=web matches no pod\n"
        "\n"
        "[ok]  not confirmed  kube-proxy: kube-proxy pods ready on 2 nodes\n"
        "      (kube-proxy: DaemonSet and pods ready per node, log signatures)\n"
        "\n"
        "[x]   failed  metrics-api: list pods: forbidden (403); grant it\n"
        "      (Metrics API: v1beta1.metrics.k8s.io APIService, metrics-server, HPA metric errors)\n"
        "\n"
        "1 confirmed, 1 not confirmed, 1 failed\n")
