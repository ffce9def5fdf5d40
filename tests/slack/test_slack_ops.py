"""The running service: health, readiness, metrics, JSON logs, graceful shutdown."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from prometheus_client import CollectorRegistry
from slack_fakes import FakeSlack
from slack_harness import Harness, command_body, signed_headers

from bot.config import Settings
from bot.ops import Metrics, OpsServer, configure_logging, text_digest
from bot.slack.server import Running, serve

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def probes() -> dict[str, bool]:
    return {"kb_loaded": True, "store": True, "slack": True}


@pytest.fixture
def ops(probes: dict[str, bool]) -> Iterator[OpsServer]:
    metrics = Metrics(CollectorRegistry())
    metrics.queries.labels("command").inc()

    def broken() -> bool:
        raise RuntimeError("probe exploded")

    server = OpsServer("127.0.0.1", 0, metrics.registry, {name: (lambda n=name: probes[n]) for name in probes})
    server.readiness["explode"] = lambda: broken() if probes.get("explode") else True
    server.start()
    yield server
    server.stop()


def test_health_readiness_and_metrics(ops: OpsServer, probes: dict[str, bool]) -> None:
    # when / then: all up
    assert _get(ops.port, "/healthz") == (200, '{"status": "ok"}')
    status, body = _get(ops.port, "/readyz")
    assert status == 200 and json.loads(body)["checks"]["store"] is True
    status, metrics = _get(ops.port, "/metrics")
    assert status == 200 and 'k8sfix_queries_total{entry_point="command"} 1.0' in metrics
    assert _get(ops.port, "/nope")[0] == 404
    # when: the store goes away, a probe raises, then the process drains
    probes["store"] = False
    status, body = _get(ops.port, "/readyz")
    assert status == 503 and json.loads(body)["checks"]["store"] is False
    probes["store"] = True
    probes["explode"] = True
    assert _get(ops.port, "/readyz")[0] == 503
    probes["explode"] = False
    ops.draining.set()
    assert _get(ops.port, "/readyz")[0] == 503
    assert _get(ops.port, "/healthz")[0] == 200


def test_json_logs_are_one_object_per_line_with_extras_and_no_secrets() -> None:
    # given
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("INFO", "json", stream)
        log = logging.getLogger("bot.slack")
        # when
        log.info("request", extra={"entry_point": "command", "topic": "t", "confidence": "high",
                                   "latency_ms": 12.5, "text_hash": text_digest("hello")})
        try:
            raise ValueError("token xoxb-1234567890-secretsecret rejected")
        except ValueError:
            log.exception("handler failed", extra={"entry_point": "mention"})
        log.debug("not shown at INFO")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    # then
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["msg"] == "request" and first["entry_point"] == "command" and first["latency_ms"] == 12.5
    assert first["text_hash"].startswith("sha256:") and "hello" not in lines[0]
    assert second["level"] == "ERROR" and "ValueError" in second["exc"]
    assert "xoxb-1234567890" not in stream.getvalue()


def test_the_request_log_line_has_no_message_text_unless_debugging(caplog: pytest.LogCaptureFixture,
                                                                   make_harness: Callable[..., Harness]) -> None:
    caplog.set_level(logging.INFO, logger="bot.slack")
    quiet = make_harness()
    quiet.command(CONNTRACK, response="q")
    quiet.wait_response("q")
    quiet.idle()
    record = next(r for r in caplog.records if r.getMessage() == "request")
    assert (record.entry_point, record.topic, record.confidence) == ("command", "kube-proxy-conntrack-missing", "high")
    assert record.latency_ms >= 0 and not hasattr(record, "text")
    assert record.text_hash == text_digest(CONNTRACK)
    loud = make_harness(log_level="DEBUG")
    loud.command(CONNTRACK + " password=hunter2", response="l")
    loud.wait_response("l")
    loud.idle()
    debug_record = [r for r in caplog.records if r.getMessage() == "request"][-1]
    assert "conntrack" in debug_record.text and "hunter2" not in debug_record.text


def test_serve_runs_in_http_mode_and_shuts_down_gracefully(fake: FakeSlack, settings: Settings) -> None:
    # given: the whole service, HTTP mode on free ports
    service_settings = dataclasses.replace(settings, http_host="127.0.0.1", http_port=0, ops_host="127.0.0.1",
                                           shutdown_grace=10)
    stop, ready = threading.Event(), threading.Event()
    running: list[Running] = []
    result: list[int] = []

    def started(info: Running) -> None:
        running.append(info)
        ready.set()

    thread = threading.Thread(target=lambda: result.append(serve(service_settings, stop=stop, on_ready=started,
                                                                 ops_port=0)))
    thread.start()
    assert ready.wait(60), "service did not start"
    info = running[0]
    assert info.mode == "http" and info.http_port and info.ops_port
    assert _get(info.ops_port, "/readyz")[0] == 200
    # when: a question whose answer is slow to deliver, then SIGTERM's event right away
    fake.delay("response", 1.0)
    body = command_body(CONNTRACK, response_url=fake.response_url())
    headers = {k: v[0] for k, v in signed_headers(body, "application/x-www-form-urlencoded").items()}
    request = urllib.request.Request(f"http://127.0.0.1:{info.http_port}/slack/events", data=body.encode(),
                                     headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    time.sleep(0.2)
    stop.set()
    thread.join(30)
    # then: the in-flight answer was delivered before the service stopped
    assert result == [0]
    assert len(fake.calls_to("response_url")) == 1
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{info.ops_port}/healthz", timeout=1)


def test_serve_in_socket_mode_names_the_app_token_when_slack_refuses_the_connection(
        fake: FakeSlack, settings: Settings) -> None:
    from bot.errors import ConfigError

    fake.fail("apps.connections.open", "invalid_auth")
    socket_settings = dataclasses.replace(settings, mode="socket", signing_secret="", app_token="xapp-1-A1-1-bad")
    with pytest.raises(ConfigError, match=r"^SLACK_APP_TOKEN: Slack refused the Socket Mode connection"):
        serve(socket_settings, stop=threading.Event(), ops_port=0)
    assert fake.calls_to("apps.connections.open")
