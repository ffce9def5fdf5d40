"""The values checks take and return: inputs, one result per check, one report per run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.errors import CheckError

Status = Literal["confirmed", "not confirmed", "inconclusive", "failed"]
STATUSES: tuple[Status, ...] = ("confirmed", "not confirmed", "inconclusive", "failed")

DNS1123_LABEL = re.compile(r"^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$")
"""Namespace and Service names: at most 63 lowercase alphanumerics or '-', alphanumeric at both ends."""
DNS1123_SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$")
"""Pod and node names: dot-separated labels, at most 253 characters."""


def is_dns1123_label(value: str) -> bool:
    """True when ``value`` is a valid DNS-1123 label (namespaces, Services)."""
    return bool(DNS1123_LABEL.match(value))


def is_dns1123_subdomain(value: str) -> bool:
    """True when ``value`` is a valid DNS-1123 subdomain (pods, nodes)."""
    return bool(DNS1123_SUBDOMAIN.match(value))


_INPUT_RULES = {
    "namespace": is_dns1123_label,
    "service": is_dns1123_label,
    "pod": is_dns1123_subdomain,
    "node": is_dns1123_subdomain,
}


@dataclass(frozen=True)
class CheckInputs:
    """Names a check may narrow to; each is validated as a Kubernetes resource name.

    Raises:
        CheckError: a name is not a valid DNS-1123 label (namespace, service)
            or subdomain (pod, node).
    """

    namespace: str | None = None
    service: str | None = None
    pod: str | None = None
    node: str | None = None

    def __post_init__(self) -> None:
        for name, valid in _INPUT_RULES.items():
            value = getattr(self, name)
            if value is not None and not valid(value):
                raise CheckError(f"invalid {name} name {value[:80]!r}: expected a DNS-1123 name "
                                 "(lowercase letters, digits, '-', at most 63 characters per label)")

    def to_dict(self) -> dict[str, str]:
        """The inputs that are set."""
        return {k: v for k in ("namespace", "service", "pod", "node") if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check.

    ``confirmed``: the cluster shows the problem; ``not confirmed``: the check looked
    and found it healthy; ``inconclusive``: it could not decide (an input or data is
    missing); ``failed``: it could not run, and ``summary`` says what to do.
    """

    check_id: str
    status: Status
    summary: str
    evidence: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    """KB topics the verdict is about: the ones confirmed, else the ones the check covers."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"check_id": self.check_id, "status": self.status, "summary": self.summary,
                "evidence": list(self.evidence), "topics": list(self.topics)}


@dataclass(frozen=True)
class CheckReport:
    """The results of one run against one cluster (or snapshot)."""

    cluster: str
    """The kubeconfig context, ``in-cluster`` or ``snapshot:DIR`` that was looked at."""
    results: tuple[CheckResult, ...] = ()
    elapsed_seconds: float = 0.0
    inputs: CheckInputs = field(default_factory=CheckInputs)

    @property
    def confirmed(self) -> tuple[CheckResult, ...]:
        """The results that confirm a problem."""
        return tuple(r for r in self.results if r.status == "confirmed")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"cluster": self.cluster, "elapsed_seconds": round(self.elapsed_seconds, 3),
                "inputs": self.inputs.to_dict(), "results": [r.to_dict() for r in self.results]}
