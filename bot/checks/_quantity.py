"""Kubernetes resource quantities (``500m``, ``2``, ``1.5Gi``, ``1e3``) as numbers, and back to text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d{1,3})|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$")
_SUFFIXES = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
             "E": 1e18, "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60}


def parse_quantity(value: Any) -> float:
    """The number a quantity stands for (cores for CPU, bytes for memory).

    Raises:
        ValueError: ``value`` is not a Kubernetes quantity.
    """
    text = str(value).strip()
    m = _QUANTITY.match(text)
    if not m:
        raise ValueError(f"invalid quantity {text[:40]!r}")
    number = float(m.group(1))
    if m.group(2):
        return number * 10.0 ** int(m.group(2)[1:])
    return number * _SUFFIXES[m.group(3) or ""]


def quantity_or_zero(value: Any) -> float:
    """:func:`parse_quantity`, or 0 for a missing or malformed value (objects from a cluster may be odd)."""
    if value is None:
        return 0.0
    try:
        return parse_quantity(value)
    except ValueError:
        return 0.0


def format_quantity(resource: str, amount: float) -> str:
    """``1500m`` / ``2`` for CPU, ``512Mi`` / ``3.5Gi`` for memory-like resources, a plain number else."""
    if resource == "cpu":
        millis = round(amount * 1000)
        return f"{millis // 1000}" if millis % 1000 == 0 else f"{millis}m"
    if resource in ("memory", "ephemeral-storage") or resource.startswith("hugepages-"):
        for suffix, size in (("Ti", 2.0**40), ("Gi", 2.0**30), ("Mi", 2.0**20), ("Ki", 2.0**10)):
            if abs(amount) >= size:
                text = f"{amount / size:.1f}".rstrip("0").rstrip(".")
                return f"{text}{suffix}"
        return f"{amount:.0f}"
    return f"{amount:g}"


def pod_requests(pod: Any) -> dict[str, float]:
    """What the scheduler reserves for a pod, by resource (``pods`` is always 1).

    The larger of the containers' sum and any one init container, plus the pod overhead.
    """
    spec = pod.spec
    totals: dict[str, float] = {}
    for c in (spec and spec.containers) or []:
        for name, value in _requests_of(c):
            totals[name] = totals.get(name, 0.0) + quantity_or_zero(value)
    for c in (spec and spec.init_containers) or []:
        for name, value in _requests_of(c):
            totals[name] = max(totals.get(name, 0.0), quantity_or_zero(value))
    for name, value in ((spec and spec.overhead) or {}).items():
        totals[name] = totals.get(name, 0.0) + quantity_or_zero(value)
    totals["pods"] = 1.0
    return totals


def _requests_of(container: Any) -> Iterable[tuple[str, Any]]:
    resources = container.resources
    if resources is None:
        return ()
    requests = dict(resources.requests or {})
    for name, value in (resources.limits or {}).items():  # a limit without a request is also the request
        requests.setdefault(name, value)
    return requests.items()
