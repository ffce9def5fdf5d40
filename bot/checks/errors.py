"""Errors raised while a check talks to a cluster; the runner turns each into a result.

Hierarchy::

    CheckError (bot.errors)
    ├── ReadOnlyViolation       a request that is not a plain GET, or touches Secrets: refused in-process
    └── ClusterAccessError      the cluster could not answer a read
        ├── NoCluster           no kubeconfig / context / in-cluster config to connect with
        ├── Forbidden           401 or 403 on a read (names the missing permission)
        ├── Unreachable         the connection failed (DNS, refused, TLS)
        ├── TimedOut            no answer within the check's time
        ├── NotInSnapshot       the snapshot folder has no file for this read
        └── ApiError            any other HTTP error status
"""

from __future__ import annotations

from bot.errors import CheckError


class ReadOnlyViolation(CheckError):
    """A non-GET request, or one under ``secrets``, was refused before leaving the process."""


class ClusterAccessError(CheckError):
    """A read from the cluster failed; ``hint`` says what to do about it."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.hint = hint
        super().__init__(message)


class NoCluster(ClusterAccessError):
    """No configuration to reach a cluster with."""


class Forbidden(ClusterAccessError):
    """The credentials may not perform this read."""


class Unreachable(ClusterAccessError):
    """The API server could not be connected to."""


class TimedOut(ClusterAccessError):
    """The API server did not answer in time."""


class NotInSnapshot(ClusterAccessError):
    """The snapshot folder lacks the file this read needs."""


class ApiError(ClusterAccessError):
    """Another HTTP error status."""
