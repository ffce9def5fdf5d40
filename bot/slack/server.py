"""Connect the app to Slack (Socket Mode or HTTP) and run it as a service until SIGTERM.

:func:`serve` wires everything: logging, the KB, the store, the app, the ops
server (``/healthz``, ``/readyz``, ``/metrics``) and the transport, then on a
shutdown signal stops taking events, lets in-flight answers finish within the
grace period, closes the Socket Mode connection and the store.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.config import Settings
from bot.errors import ConfigError
from bot.ops.metrics import Metrics

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 512 * 1024
"""Largest request accepted. Slack caps a message at 40,000 characters; with its blocks and JSON escapes an
event stays well below this, so anything bigger is refused (413) before its body is read."""
SOCKET_TIMEOUT_S = 10.0
"""A connection silent this long (headers or body) is closed, so stalled clients do not hold threads."""
MAX_CONNECTIONS = 128
"""Connections served at once; more are refused with 503 instead of each getting a thread."""
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _Server(ThreadingHTTPServer):
    """A threading HTTP server with a listen backlog fit for bursts and a bound on its threads."""

    request_queue_size = 256
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread if a slot is free, else answer 503 and close it."""
        if not self._slots.acquire(blocking=False):
            try:
                request.settimeout(1.0)
                request.sendall(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Serve one connection, then free its slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that broke (reset, timeout) is not worth a traceback on stderr."""
        logger.debug("http connection error", exc_info=True)


class SlackHTTPServer:
    """HTTP mode: Events API, interactivity and slash commands all POSTed to ``/slack/events``.

    Every request gets an answer: unusable lengths 400, too big 413 (unread), no numeric
    timestamp 401, an unreadable body 400; a silent connection is closed after
    ``SOCKET_TIMEOUT_S`` and at most ``MAX_CONNECTIONS`` are served at once.
    """

    def __init__(self, app: App, host: str, port: int, metrics: Metrics | None = None, *,
                 socket_timeout: float = SOCKET_TIMEOUT_S, max_connections: int = MAX_CONNECTIONS) -> None:
        """Bind to ``host:port`` (0 picks a free port); serving starts with :meth:`start`."""
        self.app = app
        self.metrics = metrics
        self.socket_timeout = socket_timeout
        self._server = _Server((host, port), self._handler_class(), max_connections)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,), name="k8sfix-http",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting requests and release the port."""
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = outer.socket_timeout

            def do_POST(self) -> None:
                started = time.perf_counter()
                parts = urlsplit(self.path)
                if parts.path != EVENTS_PATH:
                    self._refuse(404)
                    return
                length = _content_length(self.headers.get("Content-Length"), self.headers.get("Transfer-Encoding"))
                if length is None:
                    self._refuse(400)
                    return
                if length > MAX_BODY_BYTES:
                    self._refuse(413)
                    return
                try:
                    raw = self.rfile.read(length)
                except OSError:
                    self.close_connection = True
                    return
                if len(raw) < length:
                    self.close_connection = True
                    return
                headers: dict[str, list[str]] = {}
                for name, value in self.headers.items():
                    headers.setdefault(name.lower(), []).append(value)
                timestamps = headers.get("x-slack-request-timestamp") or [""]
                if len(timestamps) != 1 or not timestamps[0].strip().isdigit():
                    self._send(401, {}, b"")
                    return
                try:
                    request = BoltRequest(body=raw.decode("utf-8", errors="replace"), query=parts.query,
                                          headers=dict[str, str | Sequence[str]](headers))
                except Exception as exc:
                    logger.info("unreadable request body refused", extra={"error": type(exc).__name__})
                    self._send(400, {}, b"")
                    return
                try:
                    response = outer.app.dispatch(request)
                except Exception:
                    logger.exception("request failed")
                    self._send(500, {}, b"")
                    return
                payload = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
                self._send(response.status, response.headers, payload or b"")
                if outer.metrics is not None:
                    outer.metrics.request_seconds.labels("http").observe(time.perf_counter() - started)

            def do_GET(self) -> None:
                self._send(404, {}, b"")

            def _refuse(self, status: int) -> None:
                """Answer without reading the body, and close: what is left of it is never read."""
                self.close_connection = True
                self._send(status, {"Connection": "close"}, b"")

            def _send(self, status: int, headers: dict[str, Any], body: bytes) -> None:
                self.send_response(status)
                for name, values in headers.items():
                    if name.lower() in ("content-length", "connection"):
                        continue
                    for value in values if isinstance(values, list | tuple) else [values]:
                        self.send_header(name, str(value))
                if self.close_connection:
                    self.send_header("Connection", "close")
                self.send_header("Content-Length", str(len(body)))
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                logger.debug("http " + format, *args)

        return Handler


def _content_length(value: str | None, transfer_encoding: str | None) -> int | None:
    """The body length a request declares, None when it is missing a usable one (chunked, ``abc``, ``-1``)."""
    if transfer_encoding:
        return None
    text = "0" if value is None else value.strip()
    if not text.isdigit() or len(text) > 12:
        return None
    return int(text)


class MeteredSocketModeHandler(SocketModeHandler):
    """Bolt's built-in Socket Mode handler, timing each acknowledgement."""

    def __init__(self, app: App, app_token: str, proxy: str | None, metrics: Metrics | None = None,
                 watch_interval: float = 1.0) -> None:
        """Prepare the connection (opened by :meth:`connect`)."""
        super().__init__(app, app_token, proxy=proxy, web_client=app.client)
        self.metrics = metrics
        self.watch_interval = watch_interval
        self._closing = threading.Event()
        self._watcher: threading.Thread | None = None

    def connect(self) -> None:
        """Open the WebSocket, and watch it for a silent drop."""
        super().connect()
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watch, name="k8sfix-socket-watch", daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        """Reconnect as soon as the peer has closed or reset the socket.

        The SDK's built-in client reads an end of stream as "no data yet" and only gives
        up on a dead connection after several failed pings (about 50 s), while Slack
        delivers nothing to it.
        """
        while not self._closing.wait(self.watch_interval):
            session = getattr(self.client, "current_session", None)
            sock = getattr(session, "sock", None)
            if sock is None or not _peer_gone(sock):
                continue
            logger.info("Socket Mode connection lost; reconnecting")
            try:
                self.client.connect_to_new_endpoint(force=True)
            except Exception:
                logger.warning("Socket Mode reconnect failed; retrying", exc_info=True)

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        """Run the app on one envelope and acknowledge it."""
        started = time.perf_counter()
        super().handle(client, req)
        if self.metrics is not None:
            self.metrics.request_seconds.labels("socket_mode").observe(time.perf_counter() - started)

    def close(self) -> None:
        """Say goodbye (a WebSocket close frame, code 1000) before the socket is closed, then clean up.

        The SDK's built-in client only closes the TCP socket; Slack then sees the
        connection drop rather than end, like a crash.
        """
        self._closing.set()
        session = getattr(self.client, "current_session", None)
        sock = getattr(session, "sock", None)
        if session is not None and sock is not None:
            try:
                from slack_sdk.socket_mode.builtin.frame_header import FrameHeader
                from slack_sdk.socket_mode.builtin.internals import _build_data_frame_for_sending

                frame = _build_data_frame_for_sending(struct.pack("!H", 1000) + b"shutting down",
                                                      FrameHeader.OPCODE_CLOSE)
                with session.sock_send_lock:
                    sock.send(frame)
            except (ImportError, AttributeError, OSError):
                logger.debug("could not send the WebSocket close frame", exc_info=True)
        super().close()

    @property
    def connected(self) -> bool:
        """Whether the WebSocket to Slack is open."""
        try:
            return bool(self.client.is_connected())
        except Exception:
            return False


def _peer_gone(sock: Any) -> bool:
    """Whether the other end closed or reset a connected socket (peeks at the raw stream, reads nothing)."""
    try:
        raw = socket.socket(fileno=os.dup(sock.fileno()))
    except (OSError, ValueError):
        return False
    try:
        return raw.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True
    finally:
        raw.close()


@dataclass(frozen=True)
class Running:
    """Where a started service listens (for tests and the start-up log)."""

    mode: str
    http_port: int | None
    ops_port: int | None


def serve(settings: Settings, *, stop: threading.Event, checks: Any | None = None,
          on_ready: Callable[[Running], None] | None = None, ops_port: int | None = None) -> int:
    """Run the bot until ``stop`` is set; return the process exit code.

    Args:
        settings: Validated settings.
        stop: Set by the SIGTERM/SIGINT handler (or a test) to shut down gracefully.
        checks: ``ChecksSettings`` for the checks button, or None.
        on_ready: Called once the service accepts events.
        ops_port: Serve the ops endpoints on this port even if ``K8SFIX_OPS_PORT`` is 0
            (0 picks a free port).
    """
    from bot.matching import load_matcher
    from bot.ops.health import OpsServer
    from bot.slack.app import create_app, deps_of_app
    from bot.slack.recovery import Recovery
    from bot.store import open_store

    metrics = Metrics()
    started = time.monotonic()
    matcher = load_matcher(list(settings.kb_dirs), use_cache=True)
    matcher.warm_up()
    if checks is not None and getattr(checks, "enabled", False):
        from bot.checks import warm_up_in_background

        warm_up_in_background()  # the first "Run cluster checks" click must not wait for the client's imports
        if not (getattr(checks, "allowed_users", None) or getattr(checks, "allowed_channels", None)):
            logger.warning("cluster checks are enabled but nobody may run them from Slack, so no answer offers them;"
                           " set K8SFIX_CHECKS_ALLOWED_USERS or K8SFIX_CHECKS_ALLOWED_CHANNELS (docs/checks.md)")
    store = open_store(settings.db_url, claim_ttl=settings.dedup_ttl)
    app = create_app(settings, matcher, store, metrics=metrics, checks=checks)
    deps = deps_of_app(app)
    recovery = Recovery(deps, app.client)
    transport: SlackHTTPServer | MeteredSocketModeHandler
    if settings.mode == "http":
        transport = SlackHTTPServer(app, settings.http_host, settings.http_port, metrics)
    else:
        transport = MeteredSocketModeHandler(app, settings.app_token, settings.https_proxy, metrics)

    def slack_up() -> bool:
        return transport.running if isinstance(transport, SlackHTTPServer) else transport.connected

    port = settings.ops_port if ops_port is None else ops_port
    ops = None
    if port or ops_port is not None:
        ops = OpsServer(settings.ops_host, port, metrics.registry,
                        {"kb_loaded": lambda: len(matcher.kb) > 0, "store": store.ping, "slack": slack_up})
        ops.start()
    if isinstance(transport, SlackHTTPServer):
        transport.start()
    else:
        try:
            transport.connect()
        except SlackApiError as exc:
            if ops is not None:
                ops.stop()
            deps.drain(0)
            store.close()
            error = exc.response.get("error") if exc.response is not None else "no response"
            raise ConfigError(f"SLACK_APP_TOKEN: Slack refused the Socket Mode connection ({error}); the "
                              "app-level token needs the connections:write scope and Socket Mode must be "
                              "enabled in the app's settings") from None
    recovery.start()
    running = Running(mode=settings.mode, http_port=transport.port if isinstance(transport, SlackHTTPServer) else None,
                      ops_port=ops.port if ops is not None else None)
    logger.info("k8sfix is serving", extra={"mode": running.mode, "entries": len(matcher.kb),
                                            "startup_s": round(time.monotonic() - started, 2),
                                            "http_port": running.http_port, "ops_port": running.ops_port})
    if on_ready is not None:
        on_ready(running)
    stop.wait()
    logger.info("shutting down", extra={"in_flight": deps.workers.in_flight})
    if ops is not None:
        ops.draining.set()
    if isinstance(transport, SlackHTTPServer):
        transport.stop()
    else:
        transport.close()
    recovery.stop()
    finished = deps.drain(settings.shutdown_grace)
    store.close()
    if ops is not None:
        ops.stop()
    logger.info("stopped", extra={"clean": finished})
    return 0
