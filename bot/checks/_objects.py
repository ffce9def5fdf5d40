"""Pure helpers over Kubernetes objects and logs; they build the words results are made of."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_LINES_PER_SIGNATURE = 2
EXCERPT = 220


@dataclass(frozen=True)
class Signature:
    """A known log line: a key, what it means, and the pattern that finds it."""

    key: str
    meaning: str
    pattern: re.Pattern[str]


def signature(key: str, meaning: str, regex: str) -> Signature:
    """Build a case-insensitive :class:`Signature`."""
    return Signature(key, meaning, re.compile(regex, re.IGNORECASE))


def scan_log(text: str, signatures: Iterable[Signature]) -> dict[str, list[str]]:
    """Lines of ``text`` that match each signature, by key (at most two lines per key)."""
    found: dict[str, list[str]] = {}
    sigs = tuple(signatures)
    for line in text.splitlines():
        for sig in sigs:
            match = sig.pattern.search(line)
            if match:
                lines = found.setdefault(sig.key, [])
                if len(lines) < MAX_LINES_PER_SIGNATURE:
                    lines.append(excerpt(line.strip(), match.start(), match.end()))
    return found


def excerpt(line: str, start: int, end: int) -> str:
    """``line``, or for a long one the part around ``line[start:end]`` with ``…`` where cut."""
    if len(line) <= EXCERPT:
        return line
    begin = max(0, min(start - 60, len(line) - EXCERPT))
    stop = min(len(line), max(end + 80, begin + EXCERPT))
    return ("…" if begin else "") + line[begin:stop] + ("…" if stop < len(line) else "")


def ref(obj: Any) -> str:
    """``namespace/name`` (or ``name`` for cluster-scoped objects)."""
    meta = obj.metadata
    return f"{meta.namespace}/{meta.name}" if getattr(meta, "namespace", None) else str(meta.name)


def labels(obj: Any) -> dict[str, str]:
    """The object's labels (empty when none)."""
    return dict((obj.metadata and obj.metadata.labels) or {})


def condition(obj: Any, kind: str) -> Any | None:
    """The status condition of type ``kind``, or None."""
    for cond in (obj.status and obj.status.conditions) or []:
        if cond.type == kind:
            return cond
    return None


def pod_ready(pod: Any) -> bool:
    """True when the pod's Ready condition is True."""
    cond = condition(pod, "Ready")
    return bool(cond and cond.status == "True")


def restarts(pod: Any) -> int:
    """Restarts of all the pod's containers and init containers."""
    status = pod.status
    statuses = [*((status and status.container_statuses) or []), *((status and status.init_container_statuses) or [])]
    return sum(int(s.restart_count or 0) for s in statuses)


def pod_state(pod: Any) -> str:
    """The STATUS column ``kubectl get pods`` would show (Running, Init:CrashLoopBackOff, ...)."""
    status = pod.status
    if status is None:
        return "Unknown"
    if pod.metadata and pod.metadata.deletion_timestamp:
        return "Terminating"
    init_statuses = status.init_container_statuses or []
    init_total = len((pod.spec and pod.spec.init_containers) or [])
    for index, cs in enumerate(init_statuses):
        state = cs.state
        if state and state.terminated and state.terminated.exit_code == 0:
            continue
        if state and state.terminated:
            return f"Init:{state.terminated.reason or 'Error'}"
        if state and state.waiting and state.waiting.reason and state.waiting.reason != "PodInitializing":
            return f"Init:{state.waiting.reason}"
        return f"Init:{index}/{init_total}"
    reason = status.phase or "Unknown"
    for cs in status.container_statuses or []:
        state = cs.state
        if state and state.waiting and state.waiting.reason:
            reason = state.waiting.reason
        elif state and state.terminated and state.terminated.reason:
            reason = state.terminated.reason
    if status.reason:
        reason = status.reason
    return str(reason)


HEALTHY_STATES = frozenset({"Running", "Succeeded", "Completed"})


def pod_problem(pod: Any) -> str | None:
    """A short description of what is wrong with ``pod``, or None when it is healthy."""
    state = pod_state(pod)
    if state in ("Succeeded", "Completed"):
        return None
    if state not in HEALTHY_STATES:
        return state
    if not pod_ready(pod):
        return "Running but not Ready"
    return None


def node_ready_status(node: Any) -> str:
    """``Ready``, ``NotReady`` or ``Unknown`` from the node's Ready condition."""
    cond = condition(node, "Ready")
    if cond is None or cond.status == "Unknown":
        return "Unknown"
    return "Ready" if cond.status == "True" else "NotReady"


def node_os(node: Any) -> str:
    """The node's operating system (``linux``, ``windows``), from its status or label."""
    info = node.status and node.status.node_info
    if info and info.operating_system:
        return str(info.operating_system)
    return labels(node).get("kubernetes.io/os", "unknown")


def one_line(text: Any) -> str:
    """``text`` (any object, None as "") with its white space runs folded to single spaces."""
    return " ".join(str(text or "").split())


def event_text(event: Any) -> str:
    """``Reason: message`` of an event, on one line."""
    message = " ".join(str(event.message or "").split())
    return f"{event.reason}: {message}" if event.reason else message


def event_count(event: Any) -> int:
    """How many times the event happened (series included)."""
    series = getattr(event, "series", None)
    return max(int(event.count or 1), int(series.count or 0) if series else 0)


def pods_by_node(pods: Iterable[Any]) -> dict[str, list[Any]]:
    """Pods grouped by ``spec.nodeName`` (unscheduled pods under ``""``)."""
    grouped: dict[str, list[Any]] = {}
    for pod in pods:
        grouped.setdefault((pod.spec and pod.spec.node_name) or "", []).append(pod)
    return grouped


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 pod``, ``2 pods``."""
    return f"{count} {word if count == 1 else (words or word + 's')}"
