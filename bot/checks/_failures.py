"""What went wrong talking to the API server, said so an engineer knows what to do next.

:func:`from_api_exception` and :func:`from_transport_error` turn what the Kubernetes client
or urllib3 raised into the most specific :mod:`bot.checks.errors` exception. Every message
says what happened; every ``hint`` the next step. All the texts live here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from bot.checks._snapshot import SNAPSHOT_HEADER
from bot.checks.errors import (
    ApiError,
    ClusterAccessError,
    ConnectionLost,
    ConnectionRefused,
    Forbidden,
    NameNotResolved,
    NotInSnapshot,
    Throttled,
    TimedOut,
    TlsFailure,
    TooSlow,
    Unauthenticated,
    Unreachable,
)

RBAC_HINT = "grant it in the bot's ClusterRole (deploy/rbac/clusterrole.yaml) or your own RBAC"
KUBECONFIG_SERVER = "check the server address in the kubeconfig (kubectl config view --minify)"


def timeout_hint(server: str) -> str:
    """What to do when the API server does not answer."""
    return (f"check the network path to {server} (VPN, authorized IP ranges, private cluster, firewall), "
            "or raise K8SFIX_CHECK_TIMEOUT")


def unreachable_hint() -> str:
    """What to do when the API server cannot be connected to for another reason."""
    return (f"{KUBECONFIG_SERVER}, DNS, VPN and the API server's authorized IP ranges (kubectl cluster-info)")


def no_time_left(what: str, server: str) -> TimedOut:
    """The check's time ran out before ``what`` could be asked."""
    return TimedOut(f"no time left to {what}", timeout_hint(server))


def _host(server: str) -> str:
    return urlsplit(server).hostname or server


def first_line(text: Any) -> str:
    """The first non-blank line of ``text``, at most 200 characters."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0][:200] if lines else ""


def status_message(exc: Any) -> str:
    """The ``message`` of the Status object in an ApiException's body ("" when there is none)."""
    try:
        return first_line(json.loads(exc.body or "{}").get("message", ""))
    except (ValueError, AttributeError, TypeError):
        return ""


def _tls_reason(reason: str) -> str:
    lines = [line.strip() for line in reason.splitlines() if line.strip() and line.strip() != "SSLError"]
    text = lines[0] if lines else reason
    for marker in ("certificate verify failed", "wrong version number", "hostname mismatch", "handshake failure",
                   "certificate has expired", "self-signed certificate", "unable to get local issuer certificate"):
        if marker in text.lower():
            return marker
    return text[:200]


def tls_failure(server: str, reason: str) -> TlsFailure:
    """The TLS handshake with ``server`` failed for ``reason``."""
    return TlsFailure(f"TLS with the API server at {server} failed ({_tls_reason(reason)})",
                      "check that the kubeconfig's certificate-authority(-data) is the cluster's CA, that the "
                      "server address is the name on its certificate, and that an https:// URL points at the "
                      "API server's TLS port")


def from_api_exception(exc: Any, what: str, server: str) -> ClusterAccessError:
    """The error for an HTTP error status (or the client's status-0 connection failure) on ``what``."""
    status = int(exc.status or 0)
    headers = exc.headers or {}
    message = status_message(exc)
    if status == 404 and headers.get(SNAPSHOT_HEADER) == "missing":
        return NotInSnapshot(message or "not in the snapshot", "dump with --all-namespaces, or add the file to the "
                             "folder")
    if status == 401:
        return Unauthenticated(f"{what}: the API server rejected the credentials (401 Unauthorized)",
                               "renew the token or log in again (your cloud CLI's get-credentials, or the "
                               "exec plugin); check the kubeconfig user (kubectl config view --minify)")
    if status == 403:
        return Forbidden(f"{what}: forbidden (403)", RBAC_HINT)
    if status == 429:
        return Throttled(f"{what}: the API server is throttling requests (429 Too Many Requests)",
                         "it is overloaded, or API Priority and Fairness limits this client; retry in a minute")
    if status == 0:
        reason = str(exc.reason or "")
        if "SSL" in reason or "certificate" in reason.lower():
            return tls_failure(server, reason)
        return Unreachable(f"cannot talk to {server}: {first_line(reason)}", unreachable_hint())
    if status >= 500:
        return ApiError(f"{what}: HTTP {status} {message or exc.reason or 'server error'}",
                        "the API server failed to answer; retry, and if it persists look at its logs "
                        "(kubectl logs -n kube-system -l component=kube-apiserver) and /readyz?verbose")
    return ApiError(f"{what}: HTTP {status} {message or exc.reason}",
                    "retry; if it persists, look at the API server logs")


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it (``__cause__``, ``__context__``, urllib3's ``reason``), at most ten deep."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen) and len(seen) < 10:
        seen.append(current)
        reason = getattr(current, "reason", None)
        current = current.__cause__ or current.__context__ or (reason if isinstance(reason, BaseException) else None)
    return seen


SLOW_HINT = "the API server or the network to it is overloaded; retry later, or raise K8SFIX_CHECK_TIMEOUT"


def slow_earlier_reads(what: str, server: str, answered: int, timeout: float) -> TooSlow:
    """The check's earlier reads were answered, but so slowly that none of its time was left for ``what``."""
    reads = "read" if answered == 1 else f"{answered} reads"
    return TooSlow(f"the API server at {server} was too slow: the check's earlier {reads} took most of its "
                   f"{round(timeout, 1):g} s, and {what} was not answered in what was left", SLOW_HINT)


def from_transport_error(exc: BaseException, what: str, server: str, timeout: float,
                         answered: int = 0) -> ClusterAccessError | None:
    """The error for a failure below HTTP (DNS, connect, TLS, reset, deadline), None if it is none of these.

    ``answered`` counts the check's reads answered before this one: a deadline with nothing
    received after them means a slow server, not a silent one.
    """
    import ssl

    import urllib3

    from bot.checks._transport import Deadline, TooLarge

    errors = urllib3.exceptions
    chain = _chain(exc)
    for item in chain:
        if isinstance(item, Deadline):
            if item.received:
                return TooSlow(f"the API server at {server} was too slow: its answer to {what} was still arriving "
                               f"({item.received} bytes) when the check's {round(timeout, 1):g} s ran out",
                               SLOW_HINT)
            if answered:
                return slow_earlier_reads(what, server, answered, timeout)
            return TimedOut(f"the API server at {server} did not answer {what} within {round(timeout, 1):g} s",
                            timeout_hint(server))
        if isinstance(item, TooLarge):
            return ApiError(f"{what}: {item}", "narrow the check to a namespace or a node (--namespace, --node)")
        if isinstance(item, errors.NameResolutionError):
            return NameNotResolved(f"cannot resolve the API server's host name {_host(server)!r}",
                                   f"{KUBECONFIG_SERVER}; check DNS and the VPN (a private cluster's name "
                                   "resolves only inside its network)")
        if isinstance(item, errors.NewConnectionError):
            if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in str(item).lower():
                return ConnectionRefused(f"the API server at {server} refused the connection (nothing listens "
                                         "at that address and port)",
                                         f"{KUBECONFIG_SERVER}: is the port right, and is the API server running "
                                         "(on a control-plane node: crictl ps | grep kube-apiserver)?")
            return Unreachable(f"cannot connect to the API server at {server}: {first_line(item)}",
                               unreachable_hint())
        if isinstance(item, errors.ConnectTimeoutError):
            return TimedOut(f"connecting to the API server at {server} timed out",
                            "a firewall, the API server's authorized IP ranges or a private endpoint drops the "
                            "connection; " + timeout_hint(server))
        if isinstance(item, errors.ReadTimeoutError | TimeoutError):
            if answered:
                return slow_earlier_reads(what, server, answered, timeout)
            return TimedOut(f"the API server at {server} did not answer {what} within {round(timeout, 1):g} s",
                            timeout_hint(server))
        if isinstance(item, errors.SSLError | ssl.SSLError | ssl.CertificateError):
            return tls_failure(server, str(item))
        if isinstance(item, errors.ProtocolError | ConnectionResetError | ConnectionAbortedError):
            return ConnectionLost(f"the connection to the API server at {server} was closed or reset during "
                                  f"{what}",
                                  "a proxy, load balancer or firewall may be cutting connections, or the API "
                                  "server restarted; retry, and check its health (kubectl get --raw "
                                  "'/readyz?verbose')")
    if isinstance(exc, errors.HTTPError | OSError):
        return Unreachable(f"cannot reach the API server at {server}: {first_line(exc)}", unreachable_hint())
    return None
