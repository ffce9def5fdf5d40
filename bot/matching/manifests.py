"""Facts read from the manifests and kubectl output pasted with a question.

People paste the Service and the Deployment they wrote and ask why it does not work; the
cause is often in plain sight (a selector that matches no pod, a targetPort nobody listens
on), and no word of the question names it. Each fact found is stated as one English
sentence, scored against the KB like a line of the paste, so the KB's own wording decides
which entry it supports: nothing here names an entry.

Only the first :data:`SCAN_CHARS` of a text are read, and each YAML chunk goes through the
shape-checked safe loader; anything that does not parse is simply not a manifest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.errors import UnsafeInputError

SCAN_CHARS = 64_000
MAX_CHUNKS = 24
MAX_CHUNK_CHARS = 16_000
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod"})

_FENCE = re.compile(r"^\s*```[\w-]*\s*$", re.MULTILINE)
_ESCAPED_DASH = re.compile(r"^(\s*)\\-", re.MULTILINE)
"""Markdown escapes a list dash when a paste loses its code fence: ``\\- name: http``."""
_TOP_KEY = re.compile(r"^(apiVersion|kind):")
_TARGET_PORT = re.compile(r"""["']?targetPort["']?\s*[:=]\s*["']?(\d{1,5})\b""")
_POLICY_TABLE_ROW = re.compile(r"^(?:[\w.-]+[ \t]+)?([\w.-]+)[ \t]+<none>[ \t]+\d+[smhd]", re.MULTILINE)
"""A ``kubectl get networkpolicy`` row whose POD-SELECTOR is empty: the policy selects every pod."""
_ENDPOINTS_TABLE = re.compile(r"^[ \t]*NAME[ \t]+ENDPOINTS[ \t]+AGE[ \t]*$", re.MULTILINE)
_DESCRIBED_NO_ENDPOINTS = re.compile(r"^[ \t]*Endpoints:[ \t]+<none>[ \t]*$", re.MULTILINE)
"""The ``Endpoints:`` field of ``kubectl describe service`` when no pod backs the Service."""
_PODS_FAILING = re.compile(r"\b(?:CrashLoopBackOff|ImagePullBackOff|ErrImagePull|CreateContainerConfigError|OOMKilled|"
                           r"Init:[\w:]+|ContainerCreating|Pending)\b")
"""Pods shown in a failing state: a Service without endpoints is then their consequence, not the story."""
_AGE = re.compile(r"(?:\d+[smhdy])+|<unknown>|<invalid>")
NO_ENDPOINTS = "The Service has no endpoints: no ready pod matches its selector."
"""What an empty endpoints table and a described Service with ``Endpoints: <none>`` both state."""
LEADER_ELECTION_ENDPOINTS = frozenset({"kube-scheduler", "kube-controller-manager"})
"""Endpoints objects that older control planes use as leader locks: they never list addresses."""
_CONTAINER_PORT = re.compile(r"""["']?containerPort["']?\s*[:=]\s*["']?(\d{1,5})\b""")


@dataclass(frozen=True)
class Fact:
    """One thing a paste's manifests show."""

    statement: str
    """What it means, in the KB's vocabulary: scored like a line of the paste."""
    detail: str
    """What was read, to show the asker."""


def facts_of(text: str) -> tuple[Fact, ...]:
    """The facts the manifests and kubectl output in ``text`` show, at most one of each kind."""
    head = text[:SCAN_CHARS]
    if ("targetPort" not in head and "kind:" not in head and "POD-SELECTOR" not in head and "ENDPOINTS" not in head
            and "Endpoints:" not in head):
        return ()
    objects = list(_objects(head)) if "kind:" in head else []
    found = [fact for fact in (_selector_mismatch(objects), _port_mismatch(head), _policy_selects_all(head, objects),
                               _endpoints_empty(head))
             if fact]
    return tuple(found)


def _objects(text: str) -> Iterator[dict[str, Any]]:
    """The Kubernetes objects (mappings with a ``kind``) in the YAML chunks of ``text``."""
    from bot.safe_read import load_yaml  # yaml is loaded only for a paste that holds a manifest

    for chunk in _chunks(text):
        try:
            loaded = load_yaml(chunk)
        except (UnsafeInputError, ValueError, TypeError):
            continue
        if isinstance(loaded, dict) and isinstance(loaded.get("kind"), str):
            if loaded["kind"].endswith("List") and isinstance(loaded.get("items"), list):
                yield from (item for item in loaded["items"] if isinstance(item, dict))
            else:
                yield loaded


def _chunks(text: str) -> Iterator[str]:
    """Pieces of the text that may each be one YAML object.

    A piece starts at a top-level ``apiVersion:`` or ``kind:`` (prose before it is not YAML) and
    ends at ``---`` or where the next object starts; a ``...`` line is an elision, not an end.
    """
    text = _ESCAPED_DASH.sub(r"\1-", _FENCE.sub("---", text))
    chunk: list[str] = []
    keys: set[str] = set()
    count = 0
    for line in text.splitlines():
        if line.strip() == "...":
            continue
        top = _TOP_KEY.match(line)
        if line.strip() == "---" or (top and top.group(1) in keys):
            if keys:
                yield "\n".join(chunk)[:MAX_CHUNK_CHARS]
                count += 1
                if count >= MAX_CHUNKS:
                    return
            chunk, keys = [], set()
            if line.strip() == "---":
                continue
        if top:
            keys.add(top.group(1))
        if keys:
            chunk.append(line)
    if keys:
        yield "\n".join(chunk)[:MAX_CHUNK_CHARS]


def _mapping(obj: Any, *path: str) -> dict[str, Any]:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj if isinstance(obj, dict) else {}


def _pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    path = ("metadata", "labels") if obj.get("kind") == "Pod" else ("spec", "template", "metadata", "labels")
    return {str(k): str(v) for k, v in _mapping(obj, *path).items()}


def _name(obj: dict[str, Any]) -> str:
    return str(_mapping(obj, "metadata").get("name", ""))


def _labels_text(labels: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _selector_mismatch(objects: list[dict[str, Any]]) -> Fact | None:
    """A Service whose selector matches none of the pasted workloads' pod labels.

    Only when the workload is plausibly the Service's own: the one workload pasted, or one of
    the same name. Two unrelated manifests pasted together prove nothing.
    """
    workloads = [o for o in objects if o.get("kind") in WORKLOAD_KINDS and _pod_labels(o)]
    for service in (o for o in objects if o.get("kind") == "Service"):
        selector = {str(k): str(v) for k, v in _mapping(service, "spec", "selector").items()}
        if not selector or not workloads:
            continue
        if any(selector.items() <= _pod_labels(w).items() for w in workloads):
            continue
        own = [w for w in workloads if _name(w) == _name(service)] or (workloads if len(workloads) == 1 else [])
        if own:
            return Fact(
                statement="The Service selector does not match the labels of the pods: the Service selects no pods "
                          "and has no endpoints.",
                detail=f"Service {_name(service)} selects {_labels_text(selector)}; "
                       f"{own[0]['kind']} {_name(own[0])} labels its pods {_labels_text(_pod_labels(own[0]))}",
            )
    return None


def _port_mismatch(text: str) -> Fact | None:
    """A numeric targetPort that no pasted containerPort equals (in YAML, JSON or jsonpath output)."""
    targets = {int(p) for p in _TARGET_PORT.findall(text)}
    containers = {int(p) for p in _CONTAINER_PORT.findall(text)}
    if not targets or not containers or targets & containers:
        return None
    return Fact(
        statement="The Service targetPort does not match the containerPort: the Service sends traffic to a port "
                  "the container does not listen on.",
        detail=f"targetPort {', '.join(map(str, sorted(targets)))}; "
               f"containerPort {', '.join(map(str, sorted(containers)))}",
    )


def _policy_selects_all(text: str, objects: list[dict[str, Any]]) -> Fact | None:
    """A NetworkPolicy that selects every pod of its namespace, from a manifest or a ``kubectl get`` table."""
    names = [_name(o) for o in objects
             if o.get("kind") == "NetworkPolicy" and not _mapping(o, "spec", "podSelector")
             and isinstance(_mapping(o, "spec").get("podSelector"), dict)]
    if "POD-SELECTOR" in text:
        names += _POLICY_TABLE_ROW.findall(text)
    if not names:
        return None
    return Fact(
        statement="A NetworkPolicy selects all pods of the namespace (default deny): traffic that no policy "
                  "allows is dropped.",
        detail=f"NetworkPolicy {', '.join(dict.fromkeys(names))} selects every pod of its namespace",
    )


def _endpoints_empty(text: str) -> Fact | None:
    """A Service without endpoints: in a ``kubectl get endpoints`` table, or described with ``Endpoints: <none>``.

    ``kubectl get endpoints`` may be alone or in ``get svc,ep``.
    Only the rows right under the table's header are read: the next table (network policies, say)
    has ``<none>`` columns of its own. Nothing is stated when the paste shows pods failing: the
    missing endpoints follow from them.
    """
    header = _ENDPOINTS_TABLE.search(text) if "ENDPOINTS" in text else None
    described = _DESCRIBED_NO_ENDPOINTS.search(text) if "Endpoints:" in text else None
    if (header is None and described is None) or _PODS_FAILING.search(text):
        return None
    if header is None:
        return Fact(
            statement=NO_ENDPOINTS,
            detail="kubectl describe service shows Endpoints: <none>",
        )
    names = []
    for line in text[header.end():].lstrip("\n").split("\n"):
        cells = line.split()
        if len(cells) != 3 or not _AGE.fullmatch(cells[2]):
            break
        name = cells[0].removeprefix("endpoints/")
        if cells[1] == "<none>" and name not in LEADER_ELECTION_ENDPOINTS:
            names.append(name)
    if not names:
        return None
    return Fact(
        statement=NO_ENDPOINTS,
        detail=f"kubectl get endpoints shows <none> for {', '.join(dict.fromkeys(names))}",
    )
