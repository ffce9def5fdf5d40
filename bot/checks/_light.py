"""A light, read-only view of API objects straight from their JSON, for lists too big to deserialize.

The Kubernetes client turns each object of a list into typed models: about 0.6 ms per pod, 3 s
for 5,000 pods, past a check's time. :class:`Obj` reads the parsed JSON instead with the
client's attribute names (``pod.status.container_statuses`` is ``status.containerStatuses``), so
the checks and the helpers in :mod:`bot.checks._objects` take either kind of object. Missing
fields are None; timestamps stay ISO strings (:func:`timestamp` reads both).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

IRREGULAR = {"pod_ip": "podIP", "pod_ips": "podIPs", "host_ip": "hostIP", "host_ips": "hostIPs",
             "pod_cidr": "podCIDR", "pod_cidrs": "podCIDRs", "cluster_ip": "clusterIP", "cluster_ips": "clusterIPs"}
MAPS = frozenset({"labels", "annotations", "allocatable", "capacity", "limits", "requests", "data", "binaryData",
                  "overhead", "nodeSelector", "matchLabels"})
"""Fields that are plain string maps in the API (the typed client gives them as dicts too)."""


def camel(name: str) -> str:
    """The JSON field of a client attribute: ``container_statuses`` -> ``containerStatuses``."""
    if name in IRREGULAR:
        return IRREGULAR[name]
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wrap(value: Any, key: str = "") -> Any:
    """``value`` as the client would give it: objects as :class:`Obj`, lists element-wise."""
    if isinstance(value, dict):
        return dict(value) if key in MAPS else Obj(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


class Obj:
    """Attribute access over one JSON object of the API, by the client's snake_case names."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        key = camel(name)
        return wrap(self._data.get(key), key)

    def __repr__(self) -> str:
        return f"Obj({self._data!r:.80})"


def items(body: bytes | str) -> list[Obj]:
    """The ``items`` of a list response body.

    Raises:
        ValueError: the body is not a JSON list response (the reader reports it as an unexpected response).
    """
    import json

    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        raise ValueError("the response is not a list of objects")
    return [Obj(item) for item in data.get("items") or [] if isinstance(item, dict)]


def timestamp(value: Any) -> float:
    """Seconds since the epoch of a client datetime or an API timestamp string; 0 when unset or odd."""
    if value is None:
        return 0.0
    if isinstance(value, datetime):
        return value.timestamp()
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0
