"""Hostile and broken API servers: every check ends within its budget and says truthfully why it failed.

The real client talks to the fake API server on loopback in each hostile mode (refuses,
resets, hangs, trickles its answer, 401/403/429 storms, 500 with a 10 MB body, a certificate
the client does not trust) and to a host name that cannot resolve. The server only ever sees
declared GETs (checked after every test by the ``serve`` fixture).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import SHOP_WEB
from fake_apiserver import write_kubeconfig

from bot.checks import ChecksSettings, run_checks
from bot.checks.catalog import CATALOG
from bot.checks.runner import GRACE_SECONDS

ALL = [info.id for info in CATALOG]
TIMEOUT, BUDGET = 0.5, 1.0
SLACK = 1.0
"""Seconds past the run's own bound a loaded 2-core machine may need (thread start, a last decode)."""
UNRESOLVABLE = "https://-k8sfix.invalid:6443"
"""A host name the C library refuses to look up (leading hyphen): fails at once, no DNS query sent."""

CASES = [
    # mode, the failed checks' summary says, apiserver-access status and topic
    ("refuse", "refused the connection", ("confirmed", "aks-apiserver-dial-timeout")),
    ("reset", "was closed or reset", ("confirmed", "aks-apiserver-dial-timeout")),
    ("hang", "did not answer", ("confirmed", "aks-apiserver-dial-timeout")),
    ("trickle", "was too slow", ("confirmed", "aks-apiserver-dial-timeout")),
    ("trickle-headers", "was too slow", ("confirmed", "aks-apiserver-dial-timeout")),
    ("unauthorized", "rejected the credentials (401 Unauthorized)", ("confirmed", "apiserver-403-forbidden")),
    ("forbidden", "forbidden (403)", ("confirmed", "apiserver-403-forbidden")),
    ("throttle", "throttling requests (429 Too Many Requests)", ("failed", None)),
    ("error-10mb", "HTTP 500", ("failed", None)),
    ("tls", "TLS with the API server at https://127.0.0.1:", ("confirmed", "apiserver-cert-unable-to-connect")),
    ("dns", "cannot resolve the API server's host name '-k8sfix.invalid'", ("confirmed",
                                                                           "aks-apiserver-dial-timeout")),
]


def settings_against(mode: str, serve, tmp_path: Path, tls_files, **timing: float) -> tuple[object, ChecksSettings]:
    if mode == "dns":
        server, kubeconfig = None, write_kubeconfig(tmp_path, UNRESOLVABLE)
    elif mode == "tls":
        server = serve("healthy", tls=tls_files)
        kubeconfig = server.kubeconfig(tmp_path)
    else:
        server = serve("healthy", mode=mode)
        kubeconfig = server.kubeconfig(tmp_path)
    return server, ChecksSettings(kubeconfig=str(kubeconfig), timeout=timing.get("timeout", TIMEOUT),
                                  budget=timing.get("budget", BUDGET))


@pytest.fixture
def tls_or_none(request):
    return request.getfixturevalue("tls_files") if "tls" in request.node.name else None


@pytest.mark.parametrize(("mode", "says", "access"), CASES, ids=[c[0] for c in CASES])
def test_every_check_ends_in_time_with_a_truthful_failure(mode, says, access, serve, tmp_path, tls_or_none):
    # given
    _, settings = settings_against(mode, serve, tmp_path, tls_or_none)
    # when
    started = time.monotonic()
    report = run_checks(ALL, SHOP_WEB, settings)
    elapsed = time.monotonic() - started
    # then: within the per-check timeout (the budget is larger), every check failed and says why
    assert elapsed <= TIMEOUT + GRACE_SECONDS + SLACK, f"{mode}: {elapsed:.2f} s"
    by_id = {r.check_id: r for r in report.results}
    checker = by_id.pop("apiserver-access")
    assert checker.status == access[0], checker
    if access[1]:
        assert checker.topics == (access[1],)
    for result in by_id.values():
        assert result.status == "failed", result
        assert says in result.summary, result.summary


@pytest.mark.parametrize("mode", ["trickle", "hang", "reset"])
def test_the_total_budget_holds_when_it_is_shorter_than_the_check_timeout(mode, serve, tmp_path):
    # given: each check may take 5 s, the whole run only 0.6 s
    _, settings = settings_against(mode, serve, tmp_path, None, timeout=5.0, budget=0.6)
    # when
    started = time.monotonic()
    report = run_checks(ALL, SHOP_WEB, settings)
    # then
    assert time.monotonic() - started <= 0.6 + GRACE_SECONDS + SLACK
    assert {r.status for r in report.results if r.check_id != "apiserver-access"} == {"failed"}


@pytest.mark.parametrize("mode", ["trickle", "trickle-headers", "hang"])
def test_a_run_leaves_no_thread_behind(mode, serve, tmp_path):
    # given
    _, settings = settings_against(mode, serve, tmp_path, None)
    # when
    run_checks(ALL, SHOP_WEB, settings)
    # then: the check threads end with the run (their requests ended at the deadline)
    until = time.monotonic() + 1.0
    while time.monotonic() < until and [t for t in threading.enumerate() if t.name.startswith("k8sfix-check")]:
        time.sleep(0.05)
    assert [t.name for t in threading.enumerate() if t.name.startswith("k8sfix-check")] == []


def test_a_slow_answer_that_finishes_in_time_is_read_whole(serve, tmp_path):
    # given: the trickle delivers the nodes list well within the time
    server = serve("healthy", mode="trickle", trickle_bytes=4096, trickle_interval=0.001)
    settings = ChecksSettings(kubeconfig=str(server.kubeconfig(tmp_path)), timeout=5.0)
    # when
    report = run_checks(["node-health"], SHOP_WEB, settings)
    # then
    assert report.results[0].status == "not confirmed", report.results[0]


@pytest.mark.parametrize("mode", ["normal", "trickle"])
def test_chunked_answers_are_read_whole_or_cut_at_the_deadline(mode, serve, tmp_path):
    # given: chunked bodies, sent at once or a few bytes at a time
    server = serve("conntrack-missing", mode=mode, chunked=True)
    settings = ChecksSettings(kubeconfig=str(server.kubeconfig(tmp_path)), timeout=TIMEOUT if mode == "trickle"
                              else 5.0)
    # when
    started = time.monotonic()
    (result,) = run_checks(["kube-proxy"], SHOP_WEB, settings).results
    # then
    assert time.monotonic() - started <= TIMEOUT + GRACE_SECONDS + SLACK or mode == "normal"
    assert (result.status, "was too slow" in result.summary) == (("failed", True) if mode == "trickle"
                                                                  else ("confirmed", False))


def test_a_trusted_tls_server_is_read_through_the_deadline_connection(serve, tmp_path, tls_files):
    # given: the kubeconfig trusts the server's certificate
    server = serve("conntrack-missing", tls=tls_files)
    kubeconfig = server.kubeconfig(tmp_path, cluster={"certificate-authority": tls_files[0]})
    # when
    report = run_checks(["kube-proxy", "apiserver-access"], SHOP_WEB, ChecksSettings(kubeconfig=str(kubeconfig)))
    # then
    assert [(r.check_id, r.status) for r in report.results] == [("kube-proxy", "confirmed"),
                                                                ("apiserver-access", "not confirmed")]


def cli(*args: str, env: dict[str, str], timeout: float = 30) -> tuple[int, str, str, float]:
    import subprocess

    script = Path(sys.executable).with_name("k8sfix")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    started = time.monotonic()
    done = subprocess.run([*argv, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **env}, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def test_the_cli_exits_once_the_report_is_due_against_a_trickling_server(serve, tmp_path):
    # given: a server that would take minutes to send its answers
    server = serve("healthy", mode="trickle", trickle_interval=0.05)
    env = {"KUBECONFIG": str(server.kubeconfig(tmp_path)), "K8SFIX_CHECK_TIMEOUT": "1", "K8SFIX_CHECK_BUDGET": "2"}
    # when
    code, out, err, elapsed = cli("check", "node-health", env=env)
    # then: the process is gone soon after the report (start-up + 1 s + grace), not minutes later
    assert code == 1, err
    assert "was too slow" in out
    assert elapsed < 12, f"{elapsed:.1f} s"


def test_a_failing_exec_plugin_is_reported_redacted(serve, tmp_path):
    # given: a kubeconfig user whose credential plugin fails and prints a token
    server = serve("healthy")
    plugin = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable,
                       "args": ["-c", "import sys; sys.stderr.write('login failed, token=s3cr3t-0123456789abcdef'); "
                                "sys.exit(1)"], "interactiveMode": "Never"}}
    kubeconfig = server.kubeconfig(tmp_path, user=plugin)
    # when
    code, out, err, _ = cli("check", "node-health", env={"KUBECONFIG": str(kubeconfig)})
    # then
    assert code == 1
    assert "s3cr3t" not in out + err
    assert "the credential plugin of context 'fake' failed" in out
    assert "[REDACTED]" in out
    assert server.requests == []


@pytest.mark.parametrize("earlier_reads", [0, 1, 2])
def test_a_read_left_without_time_says_whether_the_server_was_slow_or_silent(earlier_reads, serve, settings_for):
    # given: a check whose earlier reads were answered and took all of its time (or that made none)
    from bot.checks._client import connect
    from bot.checks._reader import ClusterReader
    from bot.checks.errors import TimedOut, TooSlow

    server = serve("healthy")
    connection = connect(settings_for(server))
    reader = ClusterReader(connection, deadline=time.monotonic() + 2.0)
    try:
        for _ in range(earlier_reads):
            reader.list_light("nodes")
        reader.deadline = time.monotonic()  # the earlier reads used up the check's time
        # when
        with pytest.raises(TimedOut) as caught:
            reader.list_light("pods", "shop")
    finally:
        connection.close()
    # then: answered reads before mean a slow server; none, a silent one
    assert isinstance(caught.value, TooSlow) == bool(earlier_reads)
    assert ("was too slow" in str(caught.value)) == bool(earlier_reads)
    assert "list pods in shop" in str(caught.value)
