"""A local stand-in for Slack's Socket Mode server (``websockets``), bound to 127.0.0.1 on a free port.

It sends ``hello`` on each connection, pushes envelopes, records every
acknowledgement with its arrival time, and can ask the client to reconnect
(``disconnect``) or drop the connection without a word.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


@dataclass
class SocketConnection:
    """One WebSocket connection from the app."""

    ws: ServerConnection
    opened: float = field(default_factory=time.monotonic)
    close_code: int | None = None
    closed: threading.Event = field(default_factory=threading.Event)


class FakeSocketMode:
    """The server; use as a context manager."""

    def __init__(self) -> None:
        self.connections: list[SocketConnection] = []
        self.sent: dict[str, float] = {}
        self.acks: dict[str, float] = {}
        self.ack_counts: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Future[None] | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10), "socket mode fake did not start"

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop = self._loop.create_future()
        async with serve(self._handle, "127.0.0.1", 0, ping_interval=None) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop

    async def _handle(self, ws: ServerConnection) -> None:
        conn = SocketConnection(ws)
        with self._cond:
            self.connections.append(conn)
            self._cond.notify_all()
        await ws.send(json.dumps({"type": "hello", "num_connections": 1,
                                  "debug_info": {"host": "local-fake", "approximate_connection_time": 3600},
                                  "connection_info": {"app_id": "A0001"}}))
        try:
            async for raw in ws:
                message = json.loads(raw)
                envelope_id = message.get("envelope_id")
                if envelope_id:
                    with self._cond:
                        self.acks.setdefault(envelope_id, time.monotonic())
                        self.ack_counts[envelope_id] = self.ack_counts.get(envelope_id, 0) + 1
                        self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            conn.close_code = ws.close_code
            conn.closed.set()
            with self._cond:
                self._cond.notify_all()

    # -- driving the client -------------------------------------------------------------------

    def _current(self) -> SocketConnection:
        with self._cond:
            live = [c for c in self.connections if not c.closed.is_set()]
        assert live, "no open Socket Mode connection"
        return live[-1]

    def send(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0,
             envelope_id: str | None = None) -> str:
        """Push one envelope (``events_api``, ``slash_commands``, ``interactive``); return its id."""
        envelope_id = envelope_id or f"env-{next(self._ids):04d}"
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                                    "accepts_response_payload": kind != "events_api"}
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason="timeout" if retry_attempt else "")
        conn = self._current()
        with self._cond:
            self.sent[envelope_id] = time.monotonic()
        asyncio.run_coroutine_threadsafe(conn.ws.send(json.dumps(envelope)), self._loop).result(5)
        return envelope_id

    def ask_to_reconnect(self) -> None:
        """Slack's ``disconnect`` message (as before it rotates a connection)."""
        message = {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "local-fake"}}
        conn = self._current()
        asyncio.run_coroutine_threadsafe(conn.ws.send(json.dumps(message)), self._loop).result(5)

    def drop(self) -> None:
        """Cut the current connection without a close frame (a network failure)."""
        conn = self._current()
        self._loop.call_soon_threadsafe(conn.ws.transport.abort)
        assert conn.closed.wait(5)

    # -- inspection ---------------------------------------------------------------------------

    def wait_connections(self, count: int, timeout: float = 30.0) -> SocketConnection:
        """Wait until ``count`` connections were opened in all; return the newest open one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.connections) < count or self.connections[-1].closed.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.connections)} connections, expected {count}")
                self._cond.wait(left)
            return self.connections[-1]

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> float:
        """Seconds from sending an envelope to its acknowledgement."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"envelope {envelope_id} was not acknowledged")
                self._cond.wait(left)
            return self.acks[envelope_id] - self.sent[envelope_id]

    def close(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(5)

    def __enter__(self) -> FakeSocketMode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
