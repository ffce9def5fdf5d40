"""A local fake of the Slack Web API, response_url and file hosts, as slack-bolt's own tests use.

It binds 127.0.0.1 on a free port, records every call, answers the methods the
app uses, and can be told to rate-limit (429 + Retry-After) or fail a method.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT_TOKEN = "xoxb-1111-2222-fakebottoken"
BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_URL = "https://k8sfix-test.slack.com/"


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    """The fake server; use as a context manager or call :meth:`close`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.rate_limits: dict[str, list[int]] = {}
        self.failures: dict[str, str] = {}
        self.locales: dict[str, str] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}
        self.uploads: dict[str, bytes] = {}
        self.delays: dict[str, float] = {}
        self.held: dict[str, threading.Event] = {}
        self.socket_url: str | None = None
        """What apps.connections.open answers (a local Socket Mode server), unsupported when None."""
        self.arrived: dict[str, int] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(), bind_and_activate=False)
        self._server.daemon_threads = True
        self._server.request_queue_size = 256
        self._server.server_bind()
        self._server.server_activate()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    # -- addresses --------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/response/{name}"

    def file_url(self, name: str) -> str:
        return f"{self.base}/files/{name}"

    def close(self) -> None:
        for gate in list(self.held.values()):
            gate.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- behaviour ----------------------------------------------------------------------------------

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        self.rate_limits[method] = [times, retry_after]

    def delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` (or ``response`` for response_url posts) only after ``seconds``."""
        self.delays[method] = seconds

    def hold(self, method: str) -> None:
        """Keep every call of ``method`` waiting (counted in ``arrived``) until :meth:`release`."""
        self.held[method] = threading.Event()

    def release(self, method: str) -> None:
        """Let the held calls of ``method`` (and later ones) through."""
        self.held.pop(method, threading.Event()).set()

    def fail(self, method: str, error: str) -> None:
        """Answer every call of ``method`` with ``{"ok": false, "error": error}``."""
        self.failures[method] = error

    # -- inspection ---------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times; return those calls."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = sorted({c.method for c in self.calls})
                    raise AssertionError(f"{method} called {len(found)} times, expected {count}; seen: {seen}")
                self._lock.wait(left)

    def wait_arrived(self, method: str, count: int, timeout: float = 10.0) -> None:
        """Wait until ``count`` calls of a held ``method`` are waiting."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.arrived.get(method, 0) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.arrived.get(method, 0)} calls of {method} arrived, expected {count}")
                self._lock.wait(left)

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    # -- server -----------------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method in self.failures:
            return {"ok": False, "error": self.failures[method]}
        channel = str(params.get("channel") or "")
        if method == "auth.test":
            return {"ok": True, "url": TEAM_URL, "team": "Test", "user": "k8sfix", "team_id": "T0001",
                    "user_id": BOT_USER_ID, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            ts = self._next_ts()
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts, "text": params.get("text")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": params.get("ts")}
        if method == "chat.getPermalink":
            ts = str(params.get("message_ts") or "").replace(".", "")
            return {"ok": True, "channel": channel, "permalink": f"{TEAM_URL}archives/{channel}/p{ts}"}
        if method in ("reactions.add", "reactions.remove", "views.open", "views.publish", "conversations.join"):
            return {"ok": True}
        if method == "users.info":
            user = str(params.get("user") or "")
            return {"ok": True, "user": {"id": user, "name": user.lower(), "locale": self.locales.get(user, "en-US")}}
        if method == "conversations.info":
            info = {"id": channel, "is_member": True, "is_private": False, **self.channels.get(channel, {})}
            return {"ok": True, "channel": info}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users") or "X")}}
        if method == "conversations.replies":
            return {"ok": True, "messages": self.threads.get((channel, str(params.get("ts"))), [])}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):05d}"
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}
        if method == "apps.connections.open":
            if self.socket_url is None:
                return {"ok": False, "error": "not_supported_by_fake"}
            return {"ok": True, "url": f"{self.socket_url}?ticket={next(self._ids)}"}
        return {"ok": False, "error": "unknown_method"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._dispatch()

            def do_POST(self) -> None:
                self._dispatch()

            def _dispatch(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                params: dict[str, Any] = {k: v[0] for k, v in parse_qs(parts.query).items()}
                content_type = headers.get("content-type", "")
                if raw and "json" in content_type:
                    params.update(json.loads(raw.decode("utf-8")))
                elif raw and "form" in content_type:
                    params.update({k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()})
                kind = parts.path.strip("/").split("/")[0]
                delay = fake.delays.get(parts.path[len("/api/"):] if kind == "api" else kind)
                if delay:
                    time.sleep(delay)
                method = parts.path[len("/api/"):] if kind == "api" else kind
                gate = fake.held.get(method)
                if gate is not None:
                    with fake._lock:
                        fake.arrived[method] = fake.arrived.get(method, 0) + 1
                        fake._lock.notify_all()
                    gate.wait(60)
                if parts.path.startswith("/api/"):
                    self._api(parts.path[len("/api/"):], params, headers)
                elif parts.path.startswith("/response/"):
                    fake._record(Call("response_url", {**params, "_name": parts.path.rsplit("/", 1)[1]}, headers))
                    self._send(200, b"ok", "text/plain")
                elif parts.path.startswith("/upload/"):
                    file_id = parts.path.rsplit("/", 1)[1]
                    fake.uploads[file_id] = raw
                    fake._record(Call("upload", {"file_id": file_id, "size": len(raw)}, headers))
                    self._send(200, f"OK - {len(raw)}".encode(), "text/plain")
                elif parts.path.startswith("/files/"):
                    name = parts.path.rsplit("/", 1)[1]
                    fake._record(Call("file_download", {"name": name}, headers))
                    if headers.get("authorization") != f"Bearer {BOT_TOKEN}":
                        self._send(403, b"forbidden", "text/plain")
                    elif name not in fake.files:
                        self._send(404, b"not found", "text/plain")
                    else:
                        self._send(200, fake.files[name], "application/octet-stream")
                else:
                    self._send(404, b"", "text/plain")

            def _api(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> None:
                fake._record(Call(method, params, headers))
                limit = fake.rate_limits.get(method)
                if limit and limit[0] > 0:
                    limit[0] -= 1
                    body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                    self._send(429, body, "application/json", {"Retry-After": str(limit[1])})
                    return
                if headers.get("authorization") != f"Bearer {BOT_TOKEN}" and method != "apps.connections.open":
                    self._send(200, json.dumps({"ok": False, "error": "invalid_auth"}).encode(), "application/json")
                    return
                self._send(200, json.dumps(fake._answer(method, params)).encode(), "application/json")

            def _send(self, status: int, body: bytes, content_type: str,
                      extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler
