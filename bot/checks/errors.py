"""Errors raised while a check talks to a cluster; the runner turns each into a result.

Hierarchy::

    CheckError (bot.errors)
    ├── ReadOnlyViolation       a request that is not a declared read (bot/checks/reads.py): refused in-process
    └── ClusterAccessError      the cluster could not answer a read
        ├── NoCluster           no kubeconfig / context / in-cluster config to connect with
        ├── Forbidden           403 on a read (names the missing permission)
        │   └── Unauthenticated 401: the credentials were rejected
        ├── Unreachable         the connection failed
        │   ├── NameNotResolved the server's host name does not resolve
        │   ├── ConnectionRefused nothing listens at the server's address and port
        │   ├── TlsFailure      the TLS handshake or the certificate check failed
        │   └── ConnectionLost  the connection was reset or closed mid-answer
        ├── TimedOut            no answer within the check's time
        │   └── TooSlow         an answer was arriving, too slowly to finish in time
        ├── NotInSnapshot       the snapshot folder has no file for this read
        └── ApiError            any other HTTP error status, or an answer that cannot be used
            └── Throttled       429: the API server is rate-limiting the checks
"""

from __future__ import annotations

from bot.errors import CheckError


class ReadOnlyViolation(CheckError):
    """A request that is not a declared read was refused before leaving the process."""


class ClusterAccessError(CheckError):
    """A read from the cluster failed; ``hint`` says what to do about it."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.hint = hint
        super().__init__(message)


class NoCluster(ClusterAccessError):
    """No configuration to reach a cluster with."""


class Forbidden(ClusterAccessError):
    """The credentials may not perform this read."""


class Unauthenticated(Forbidden):
    """The API server rejected the credentials (401)."""


class Unreachable(ClusterAccessError):
    """The API server could not be connected to."""


class NameNotResolved(Unreachable):
    """The API server's host name does not resolve."""


class ConnectionRefused(Unreachable):
    """Nothing accepts connections at the API server's address and port."""


class TlsFailure(Unreachable):
    """The TLS handshake with the API server, or the check of its certificate, failed."""


class ConnectionLost(Unreachable):
    """The connection was reset or closed before the answer was complete."""


class TimedOut(ClusterAccessError):
    """The API server did not answer in time."""


class TooSlow(TimedOut):
    """The API server was sending its answer, too slowly to finish within the check's time."""


class NotInSnapshot(ClusterAccessError):
    """The snapshot folder lacks the file this read needs."""


class ApiError(ClusterAccessError):
    """Another HTTP error status."""


class Throttled(ApiError):
    """The API server answered 429 Too Many Requests."""
