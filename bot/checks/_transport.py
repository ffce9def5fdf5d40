"""HTTP for the checks with a hard deadline per request and a cap on what is read.

urllib3's read timeout applies to each ``recv``, so a server that trickles its answer a few
bytes at a time, or sends a 10 MB error page, keeps a request alive far past the check's
time. Here every ``recv`` of a response (status line, headers and body) gets only the time
left until the request's deadline, so a request ends when its time is up, whatever the server
does; and the body is read into memory only up to a cap, error pages far less.

The deadline is the request's total timeout (the client turns ``_request_timeout=N`` into
``urllib3.Timeout(total=N)``): urllib3 hands the time left after connecting to the connection
as its read timeout, and :class:`_DeadlineResponse` turns it into a deadline.
"""

from __future__ import annotations

import functools
import http.client
import io
import time
from typing import Any

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_BODY = 64 * 1024 * 1024
"""Largest successful answer read (a list of every pod of a big cluster stays below it)."""
MAX_ERROR_BODY = 64 * 1024
"""Largest error answer read: an API server's Status object is a few hundred bytes."""
CHUNK = 64 * 1024


class Deadline(TimeoutError):
    """The request's time ran out; ``received`` says how many bytes of the answer had arrived."""

    def __init__(self, received: int) -> None:
        self.received = received
        super().__init__(f"deadline passed after {received} bytes of the answer")


class TooLarge(Exception):
    """The answer is larger than :data:`MAX_BODY`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the answer is larger than {limit // (1024 * 1024)} MB")


class _DeadlineRaw(io.RawIOBase):
    """Reads the socket through the response's own file, each read bounded by the time left."""

    def __init__(self, inner: Any, sock: Any, deadline: float) -> None:
        self._inner = inner  # the BufferedReader http.client made; kept so the socket stays open
        self._sock = sock
        self._deadline = deadline
        self.received = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise Deadline(self.received)
        self._sock.settimeout(remaining)
        try:
            data = self._inner.read1(len(buffer))
        except TimeoutError:
            raise Deadline(self.received) from None
        size = len(data)
        buffer[:size] = data
        self.received += size
        return size

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """An ``http.client`` response whose every read ends by ``deadline``."""

    def __init__(self, sock: Any, debuglevel: int = 0, method: str | None = None, url: str | None = None, *,
                 deadline: float | None = None) -> None:
        super().__init__(sock, debuglevel, method, url)
        if deadline is not None:
            self.fp = io.BufferedReader(_DeadlineRaw(self.fp, sock, deadline))


class _DeadlineMixin:
    """Make the response of each request end by the time its read timeout allows."""

    timeout: Any
    response_class: Any

    def getresponse(self) -> Any:
        timeout = self.timeout
        deadline = time.monotonic() + float(timeout) if isinstance(timeout, int | float) else None
        self.response_class = functools.partial(_DeadlineResponse, deadline=deadline)
        return super().getresponse()  # type: ignore[misc]


class DeadlineHTTPConnection(_DeadlineMixin, HTTPConnection):
    """Plain HTTP connection whose responses end by their deadline."""


class DeadlineHTTPSConnection(_DeadlineMixin, HTTPSConnection):
    """TLS connection whose responses end by their deadline."""


class DeadlineHTTPConnectionPool(HTTPConnectionPool):
    """Pool of :class:`DeadlineHTTPConnection`."""

    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
    """Pool of :class:`DeadlineHTTPSConnection`."""

    ConnectionCls = DeadlineHTTPSConnection


def _read_capped(response: Any, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` bytes of the body, and whether that was all of it."""
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(CHUNK)
        if not chunk:
            return b"".join(parts), True
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(parts)[:limit], False


def _deadline(exc: BaseException) -> Deadline:
    """The :class:`Deadline` behind a urllib3 read timeout (nothing received when it is urllib3's own)."""
    cause = exc.__cause__ or exc.__context__
    return cause if isinstance(cause, Deadline) else Deadline(0)


class BoundedTransport:
    """Stands in for the client's pool manager: sends, then reads the whole answer within its deadline.

    Returns an in-memory ``urllib3.HTTPResponse``, so nothing after it can block on the network.

    Raises:
        Deadline: the request's time ran out (``received`` bytes had arrived).
        TooLarge: a successful answer is larger than :data:`MAX_BODY`.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        pools = getattr(inner, "pool_classes_by_scheme", None)
        if pools is not None and pools.get("http") is HTTPConnectionPool and pools.get("https") is HTTPSConnectionPool:
            inner.pool_classes_by_scheme = {"http": DeadlineHTTPConnectionPool, "https": DeadlineHTTPSConnectionPool}

    def request(self, method: str, url: str, **kwargs: Any) -> urllib3.HTTPResponse:
        """Send the request and read its answer, all within the request's deadline."""
        kwargs["preload_content"] = False
        try:
            response = self._inner.request(method, url, **kwargs)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise _deadline(exc) from None
        complete = False
        try:
            limit = MAX_BODY if response.status < 400 else MAX_ERROR_BODY
            try:
                body, complete = _read_capped(response, limit)
            except urllib3.exceptions.ReadTimeoutError as exc:
                raise _deadline(exc) from None
            if not complete and response.status < 400:
                raise TooLarge(limit)
        finally:
            if not complete:
                response.close()  # unread bytes must not reach the next request on this connection
            response.release_conn()
        headers = dict(response.headers)
        headers.pop("Content-Encoding", None)
        headers.pop("Transfer-Encoding", None)
        headers["Content-Length"] = str(len(body))
        return urllib3.HTTPResponse(body=io.BytesIO(body), headers=headers, status=response.status,
                                    reason=response.reason, preload_content=False, decode_content=False)

    def urlopen(self, method: str, url: str, **kwargs: Any) -> Any:
        """Lower-level entry point, bounded the same way."""
        return self.request(method, url, **kwargs)

    def clear(self) -> None:
        """Close pooled connections."""
        self._inner.clear()
