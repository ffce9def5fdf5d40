"""``serve`` warms the cluster checks up at start, so the first "Run cluster checks" click does not wait."""

from __future__ import annotations

import dataclasses
import logging
import threading

import pytest
from slack_fakes import FakeSlack

from bot.checks import ChecksSettings
from bot.config import Settings
from bot.slack.server import Running, serve

WARMED = "cluster checks warmed up"


def run_until_ready(settings: Settings, checks: ChecksSettings) -> None:
    """Start the HTTP-mode service, wait until it serves and its warm-up thread (if any) is done, stop it."""
    service = dataclasses.replace(settings, http_host="127.0.0.1", http_port=0, ops_host="127.0.0.1")
    stop, ready = threading.Event(), threading.Event()

    def started(_: Running) -> None:
        ready.set()

    thread = threading.Thread(target=serve, args=(service,), kwargs={"stop": stop, "on_ready": started,
                                                                     "checks": checks, "ops_port": 0})
    thread.start()
    try:
        assert ready.wait(60), "service did not start"
        for warming in [t for t in threading.enumerate() if t.name == "k8sfix-checks-warm-up"]:
            warming.join(30)  # started before the service is ready
    finally:
        stop.set()
        thread.join(30)


@pytest.mark.parametrize(("enabled", "warmed"), [(True, True), (False, False)])
def test_serve_warms_the_checks_up_when_they_are_enabled(enabled, warmed, fake: FakeSlack, settings: Settings,
                                                        caplog) -> None:
    # given
    caplog.set_level(logging.INFO, logger="bot.checks.runner")
    caplog.set_level(logging.INFO, logger="bot.slack.server")
    # when: no user or channel is allowed (the default)
    run_until_ready(settings, ChecksSettings(enabled=enabled))
    # then
    assert any(r.getMessage() == WARMED for r in caplog.records) == warmed
    nobody = [r.getMessage() for r in caplog.records if "nobody may run them from Slack" in r.getMessage()]
    assert bool(nobody) == enabled and all("K8SFIX_CHECKS_ALLOWED_USERS" in m for m in nobody)
