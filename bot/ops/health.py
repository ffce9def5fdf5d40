"""The ops HTTP server: ``/healthz`` (process up), ``/readyz`` (ready to answer), ``/metrics``.

It runs on a port of its own in both Socket and HTTP mode, in a daemon thread.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

logger = logging.getLogger(__name__)

Probe = Callable[[], bool]


class OpsServer:
    """Serve health, readiness and metrics until :meth:`stop`."""

    def __init__(self, host: str, port: int, registry: CollectorRegistry,
                 readiness: Mapping[str, Probe]) -> None:
        """Bind to ``host:port`` (port 0 picks a free one); nothing is served before :meth:`start`."""
        self.registry = registry
        self.readiness = dict(readiness)
        self.draining = threading.Event()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,), name="k8sfix-ops",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()

    def ready(self) -> tuple[bool, dict[str, bool]]:
        """Run every readiness probe; a probe that raises counts as failed."""
        results: dict[str, bool] = {}
        for name, probe in self.readiness.items():
            try:
                results[name] = bool(probe())
            except Exception:  # a probe must never take the server down
                logger.exception("readiness probe failed", extra={"probe": name})
                results[name] = False
        results["not_draining"] = not self.draining.is_set()
        return all(results.values()), results

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        ops = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/healthz":
                    self._send(200, "application/json", b'{"status": "ok"}')
                elif path == "/readyz":
                    ok, checks = ops.ready()
                    body = json.dumps({"status": "ok" if ok else "unavailable", "checks": checks}).encode()
                    self._send(200 if ok else 503, "application/json", body)
                elif path == "/metrics":
                    self._send(200, CONTENT_TYPE_LATEST, generate_latest(ops.registry))
                else:
                    self._send(404, "application/json", b'{"status": "not found"}')

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return  # probes every few seconds would drown the request log

        return Handler
