"""The read-only guard: the last hop before a request leaves the process. An allow-list.

A request goes out only when it is a ``GET`` of exactly one of the reads declared in
:mod:`bot.checks.reads` (API group, version, resource, and the ``log`` subresource where
declared, in the namespaces declared), or of a declared non-resource URL, with no upgrade
header and no streaming query (``watch``, ``follow``). Everything else is refused in-process,
before anything is sent: writes, Secrets, ``exec``/``attach``/``portforward`` (GET upgrades),
the ``proxy`` subresources that reach arbitrary backends, and websocket streams.

Two places enforce it: :class:`ReadOnlyPoolManager` replaces the client's pool manager
(every REST call passes there), and :func:`guarded_api_client` builds an ``ApiClient`` whose
``call_api`` checks the same rule and cannot be swapped out (``kubernetes.stream`` swaps it
to open a websocket). RBAC stays the primary control; this guard keeps a bug or a future
change in the checks from doing more than the checks are declared to do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.checks.errors import ReadOnlyViolation
from bot.checks.reads import ALLOWED_QUERY, NON_RESOURCE_READS, READS, ApiRead
from bot.checks.types import is_dns1123_label, is_dns1123_subdomain

ALLOWED_METHODS = frozenset({"GET"})
FORBIDDEN_SEGMENTS = frozenset({"secrets"})
UPGRADE_HEADERS = frozenset({"upgrade", "sec-websocket-key", "sec-websocket-protocol", "sec-websocket-version",
                             "x-stream-protocol-version"})


class Transport(Protocol):
    """The part of ``urllib3.PoolManager`` the Kubernetes REST client uses."""

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send one request."""

    def clear(self) -> None:
        """Close pooled connections."""


def _decoded(path: str) -> str:
    for _ in range(3):  # undo nested percent-encoding such as %2573ecrets
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    return path


def _declared(segments: list[str]) -> ApiRead | str:
    """The declared read a resource path is, or why it is none."""
    if segments[:1] == ["api"] and len(segments) >= 2:
        group, version, rest = "", segments[1], segments[2:]
    elif segments[:1] == ["apis"] and len(segments) >= 3:
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        return "not an API path"
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
        if not is_dns1123_label(namespace):
            return f"invalid namespace {namespace[:60]!r}"
    if not rest or len(rest) > 3:
        return "not a resource path"
    resource, name, sub = rest[0], (rest[1] if len(rest) > 1 else None), (rest[2] if len(rest) > 2 else None)
    if name is not None and not is_dns1123_subdomain(name):
        return f"invalid name {name[:60]!r}"
    for read in READS:
        if (read.group, read.version, read.resource, read.subresource) != (group, version, resource, sub):
            continue
        verb = "get" if name else "list"
        if verb not in read.verbs:
            return f"{verb} {read.describe()} is not a declared read"
        if read.cluster_scoped and namespace is not None:
            return f"{read.describe()} is cluster-scoped"
        if read.namespaces and namespace not in read.namespaces:
            return f"{read.describe()} is read only in {', '.join(read.namespaces)}"
        return read
    what = f"{resource}/{sub}" if sub else resource
    return f"{what} in {group or 'core'}/{version} is not a resource the checks read"


def refusal(method: str, url: str, headers: Mapping[str, Any] | None = None) -> str | None:
    """Why ``method url`` (with ``headers``) must not be sent, or None when it is a declared read."""
    if method.upper() not in ALLOWED_METHODS:
        return f"{method.upper()} refused: cluster checks are read-only (GET only)"
    upgrade = sorted(k for k in (headers or {}) if k.lower() in UPGRADE_HEADERS
                     or (k.lower() == "connection" and "upgrade" in str(headers[k]).lower()))  # type: ignore[index]
    if upgrade:
        return f"upgrade header {upgrade[0]} refused: cluster checks never open streams (exec, attach, port-forward)"
    parts = urlsplit(url)
    path = _decoded(parts.path)
    segments = [s for s in path.split("/") if s]
    if {s.lower() for s in segments} & FORBIDDEN_SEGMENTS:
        return "request under secrets refused: cluster checks never read Secrets"
    if path != parts.path or any(c in path for c in "\\;") or "." in segments or ".." in segments:
        return "encoded or unusual path refused"
    for key, _ in parse_qsl(parts.query, keep_blank_values=True):
        if key not in ALLOWED_QUERY:
            return f"query parameter {key[:40]!r} refused: checks never watch, follow or stream"
    if "/" + "/".join(segments) in NON_RESOURCE_READS:
        return None
    declared = _declared(segments)
    if isinstance(declared, str):
        return f"GET refused: {declared} (allowed reads: bot/checks/reads.py)"
    return None


def _enforce(method: str, url: str, headers: Mapping[str, Any] | None = None) -> None:
    """Raise ReadOnlyViolation, before anything is sent, unless ``method url`` is a declared read."""
    reason = refusal(method, url, headers)
    if reason:
        raise ReadOnlyViolation(f"{reason}: {method.upper()} {urlsplit(url).path[:200]}")


class ReadOnlyPoolManager:
    """Wraps a pool manager and refuses, in-process, anything but a declared read."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send ``method url`` through the wrapped pool manager if it is a declared read.

        Raises:
            ReadOnlyViolation: the request is not a declared read; nothing was sent.
        """
        _enforce(method, url, kwargs.get("headers"))
        return self._inner.request(method, url, **kwargs)

    def urlopen(self, method: str, url: str, **kwargs: Any) -> Any:
        """Same rule as :meth:`request` for callers that use the lower-level entry point.

        Raises:
            ReadOnlyViolation: the request is not a declared read; nothing was sent.
        """
        _enforce(method, url, kwargs.get("headers"))
        return self._inner.urlopen(method, url, **kwargs)  # type: ignore[attr-defined]

    def clear(self) -> None:
        """Close the wrapped pool's connections."""
        self._inner.clear()


@functools.cache
def _guarded_class() -> type:
    from kubernetes.client.api_client import ApiClient

    class GuardedApiClient(ApiClient):  # type: ignore[misc]
        """An ApiClient whose ``call_api`` enforces the allow-list and cannot be replaced."""

        def __setattr__(self, name: str, value: Any) -> None:
            if name == "call_api":
                raise ReadOnlyViolation("replacing the client's call_api (a websocket stream: exec, attach, "
                                        "port-forward) refused: cluster checks never open streams")
            super().__setattr__(name, value)

        def call_api(self, method: str, url: str, header_params: Any = None, body: Any = None,
                     post_params: Any = None, _request_timeout: Any = None) -> Any:
            _enforce(method, url, header_params)
            return super().call_api(method, url, header_params=header_params, body=body, post_params=post_params,
                                    _request_timeout=_request_timeout)

    return GuardedApiClient


def guarded_api_client(configuration: Any, *, transport: Callable[[Any], Any] | None = None) -> Any:
    """A Kubernetes ``ApiClient`` for ``configuration`` with the guard at both of its doors.

    Args:
        configuration: the client's ``Configuration``.
        transport: builds what sends the requests from the client's own pool manager
            (e.g. a deadline-bounded wrapper, or a snapshot that answers from files); the
            guard is put in front of it.
    """
    api_client = _guarded_class()(configuration)
    if transport is not None:
        api_client.rest_client.pool_manager = transport(api_client.rest_client.pool_manager)
    return install_guard(api_client)


def install_guard(api_client: Any) -> Any:
    """Put :class:`ReadOnlyPoolManager` in front of ``api_client``'s transport; return the client."""
    rest = api_client.rest_client
    if not isinstance(rest.pool_manager, ReadOnlyPoolManager):
        rest.pool_manager = ReadOnlyPoolManager(rest.pool_manager)
    return api_client
