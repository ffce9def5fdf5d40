"""Fixtures for the cluster-check tests: fake API servers, settings pointing at them.

Every fake server a test starts is checked after the test: only GETs the read-only guard
allows arrived (declared reads, no upgrade header), and nothing under ``secrets``.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_apiserver import FakeApiServer, load_scenario, write_dump

from bot.checks import CheckInputs, ChecksSettings
from bot.checks._guard import refusal

SCENARIOS = ("healthy", "conntrack-missing", "selector-mismatch", "targetport-mismatch", "ip-exhaustion",
             "metrics-unavailable", "coredns-crashloop", "node-disk-pressure", "windows-flannel",
             "pod-failures", "unschedulable", "pvc-pending", "rollout-stuck", "statefulset-stuck",
             "daemonset-unavailable", "daemonset-misscheduled")
SHOP_WEB = CheckInputs(namespace="shop", service="web")


def assert_read_only(server: FakeApiServer) -> None:
    """Only GETs reached the server, and none touched Secrets."""
    methods = {r.method for r in server.requests}
    assert methods <= {"GET"}, f"non-GET requests reached the server: {methods}"
    assert not [r.path for r in server.requests if "secrets" in r.path.lower()]
    assert not [(r.target, why) for r in server.requests
                if (why := refusal(r.method, f"http://x{r.target}", r.headers))], "undeclared reads arrived"


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> tuple[str, str]:
    """A throw-away self-signed certificate and key for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=30)
    return str(cert), str(key)


@pytest.fixture
def serve() -> Iterator[Callable[..., FakeApiServer]]:
    """Start fake API servers (scenario, mode, options); stop them and check they only saw reads."""
    servers: list[FakeApiServer] = []

    def start(scenario: str = "healthy", *, mode: str = "normal", **options: object) -> FakeApiServer:
        server = FakeApiServer(scenario, mode=mode, **options).__enter__()  # type: ignore[arg-type]
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
