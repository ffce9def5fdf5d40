"""The read-only guard: the last hop before a request leaves the process.

The Kubernetes client sends every request through ``ApiClient.rest_client.pool_manager.request``.
:func:`install_guard` replaces that pool manager with :class:`ReadOnlyPoolManager`, which lets
only ``GET`` through and refuses any path with a ``secrets`` segment, whatever API method,
helper or future code made the request.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from bot.checks.errors import ReadOnlyViolation

ALLOWED_METHODS = frozenset({"GET"})
FORBIDDEN_SEGMENTS = frozenset({"secrets"})


class Transport(Protocol):
    """The part of ``urllib3.PoolManager`` the Kubernetes REST client uses."""

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send one request."""

    def clear(self) -> None:
        """Close pooled connections."""


def refusal(method: str, url: str) -> str | None:
    """Why ``method url`` must not be sent, or None when it is a permitted read."""
    if method.upper() not in ALLOWED_METHODS:
        return f"{method.upper()} refused: cluster checks are read-only (GET only)"
    path = urlsplit(url).path
    for _ in range(3):  # undo nested percent-encoding such as %2573ecrets
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    segments = {segment.lower() for segment in path.split("/")}
    if segments & FORBIDDEN_SEGMENTS:
        return "request under secrets refused: cluster checks never read Secrets"
    return None


def _enforce(method: str, url: str) -> None:
    """Raise ReadOnlyViolation, before anything is sent, unless ``method url`` is a permitted read."""
    reason = refusal(method, url)
    if reason:
        raise ReadOnlyViolation(f"{reason}: {method.upper()} {urlsplit(url).path}")


class ReadOnlyPoolManager:
    """Wraps a pool manager and refuses, in-process, anything but a GET outside ``secrets``."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send ``method url`` through the wrapped pool manager if it is a permitted read.

        Raises:
            ReadOnlyViolation: the request is not a GET or targets Secrets; nothing was sent.
        """
        _enforce(method, url)
        return self._inner.request(method, url, **kwargs)

    def urlopen(self, method: str, url: str, **kwargs: Any) -> Any:
        """Same rule as :meth:`request` for callers that use the lower-level entry point.

        Raises:
            ReadOnlyViolation: the request is not a GET or targets Secrets; nothing was sent.
        """
        _enforce(method, url)
        return self._inner.urlopen(method, url, **kwargs)  # type: ignore[attr-defined]

    def clear(self) -> None:
        """Close the wrapped pool's connections."""
        self._inner.clear()


def install_guard(api_client: Any) -> Any:
    """Put :class:`ReadOnlyPoolManager` in front of ``api_client``'s transport; return the client."""
    rest = api_client.rest_client
    if not isinstance(rest.pool_manager, ReadOnlyPoolManager):
        rest.pool_manager = ReadOnlyPoolManager(rest.pool_manager)
    return api_client
