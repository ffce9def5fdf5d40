"""Fixtures for the cluster-check tests: fake API servers, settings pointing at them.

Every fake server a test starts is checked after the test: only GETs arrived, and nothing
under ``secrets`` was asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_apiserver import FakeApiServer, load_scenario, write_dump

from bot.checks import CheckInputs, ChecksSettings

SCENARIOS = ("healthy", "conntrack-missing", "selector-mismatch", "targetport-mismatch", "ip-exhaustion",
             "metrics-unavailable", "coredns-crashloop", "node-disk-pressure", "windows-flannel",
             "pod-failures", "unschedulable", "pvc-pending", "rollout-stuck")
SHOP_WEB = CheckInputs(namespace="shop", service="web")


def assert_read_only(server: FakeApiServer) -> None:
    """Only GETs reached the server, and none touched Secrets."""
    methods = {r.method for r in server.requests}
    assert methods <= {"GET"}, f"non-GET requests reached the server: {methods}"
    assert not [r.path for r in server.requests if "secrets" in r.path.lower()]


@pytest.fixture
def serve() -> Iterator[Callable[..., FakeApiServer]]:
    """Start fake API servers (scenario, mode); stop them and check they only saw reads."""
    servers: list[FakeApiServer] = []

    def start(scenario: str = "healthy", *, mode: str = "normal") -> FakeApiServer:
        server = FakeApiServer(scenario, mode=mode).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
    for server in servers:
        assert_read_only(server)


@pytest.fixture
def settings_for(tmp_path: Path) -> Callable[..., ChecksSettings]:
    """Settings whose kubeconfig points at a fake server (short timeouts keep the suite fast)."""

    def make(server: FakeApiServer, *, timeout: float = 5.0, budget: float = 20.0, **extra: object) -> ChecksSettings:
        return ChecksSettings(kubeconfig=str(server.kubeconfig(tmp_path)), timeout=timeout, budget=budget,
                              **extra)  # type: ignore[arg-type]

    return make


@pytest.fixture
def dump(tmp_path: Path) -> Callable[[str], Path]:
    """Write a scenario as a ``kubectl cluster-info dump`` folder; return the folder."""

    def make(scenario: str) -> Path:
        return write_dump(load_scenario(scenario), tmp_path / f"dump-{scenario}")

    return make
