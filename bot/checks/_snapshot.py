"""A transport that answers the checks' reads from a ``kubectl cluster-info dump`` folder.

It stands where ``urllib3.PoolManager`` stands in the Kubernetes client, so the checks run
unchanged on a dump: ``GET /api/v1/namespaces/kube-system/pods?labelSelector=...`` is answered
from ``DIR/kube-system/pods.json``, filtered by the selectors as the API server would. Layout::

    DIR/nodes.json                       cluster-scoped lists at the top (also apiservices.json)
    DIR/<ns>/pods.json                   namespaced lists (services, endpoints, events, daemonsets,
                                         deployments, replicasets, replication-controllers, ...)
    DIR/<ns>/<pod>/logs.txt              every container's log between START/END marker lines

A read the folder has no file for is answered 404 with reason ``NotInSnapshot``.
"""

from __future__ import annotations

import io
import json
import re
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import urllib3

from bot.checks._selectors import field_predicate, label_predicate
from bot.checks.types import is_dns1123_label, is_dns1123_subdomain

SNAPSHOT_HEADER = "X-K8sfix-Snapshot"
FILE_ALIASES = {"replicationcontrollers": "replication-controllers"}
CLUSTER_SCOPED = frozenset({"nodes", "apiservices", "namespaces", "persistentvolumes", "storageclasses",
                            "clusterroles", "clusterrolebindings", "customresourcedefinitions",
                            "volumeattachments"})
_LOG_MARK = re.compile(r"^==== (START|END) logs for container (\S+) of pod (\S+) ====$")
_RESOURCE = re.compile(r"^[a-z][a-z0-9]*$")


def _status(code: int, reason: str, message: str) -> tuple[int, bytes]:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    return code, json.dumps(body).encode()


def is_snapshot_dir(path: Path) -> bool:
    """True when ``path`` looks like a cluster-info dump: nodes.json or a namespace folder with pods.json."""
    if not path.is_dir():
        return False
    if (path / "nodes.json").is_file():
        return True
    return any((child / "pods.json").is_file() for child in path.iterdir() if child.is_dir())


class SnapshotTransport:
    """Serves GET requests from a dump folder; never opens a socket."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[Path, Any] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget the parsed files."""
        with self._lock:
            self._cache.clear()

    def request(self, method: str, url: str, **_: Any) -> urllib3.HTTPResponse:
        """Answer one request from the folder."""
        if method.upper() != "GET":
            code, body = _status(405, "MethodNotAllowed", "a snapshot is read-only")
            return self._response(code, body)
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        segments = [unquote(s) for s in parts.path.split("/") if s]
        try:
            code, body, content_type = self._route(segments, query)
        except ValueError as exc:
            code, body = _status(400, "BadRequest", str(exc))
            content_type = "application/json"
        return self._response(code, body, content_type)

    @staticmethod
    def _response(code: int, body: bytes, content_type: str = "application/json") -> urllib3.HTTPResponse:
        headers = {"Content-Type": content_type}
        if code == 404:
            headers[SNAPSHOT_HEADER] = "missing" if b'"NotInSnapshot"' in body else "not-found"
        return urllib3.HTTPResponse(body=io.BytesIO(body), headers=headers, status=code,
                                    reason="OK" if code == 200 else "Error", preload_content=False)

    # -- routing -----------------------------------------------------------------------------

    def _route(self, segments: list[str], query: dict[str, str]) -> tuple[int, bytes, str]:
        if segments in (["version"], ["version", ""]):
            return self._file_or_missing(self.root / "version.json", "version.json")
        if segments and segments[0] in ("readyz", "livez", "healthz"):
            return (*_status(404, "NotInSnapshot", f"a snapshot cannot answer /{segments[0]}"), "application/json")
        if segments[:2] == ["api", "v1"]:
            rest = segments[2:]
        elif len(segments) >= 3 and segments[0] == "apis":
            rest = segments[3:]
        else:
            return (*_status(404, "NotFound", "unknown path"), "application/json")
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, resource, tail = rest[1], rest[2], rest[3:]
            if not is_dns1123_label(namespace):
                raise ValueError(f"invalid namespace {namespace!r}")
        elif rest:
            namespace, resource, tail = None, rest[0], rest[1:]
        else:
            return (*_status(404, "NotFound", "unknown path"), "application/json")
        if not _RESOURCE.match(resource):
            raise ValueError(f"invalid resource {resource!r}")
        if resource == "namespaces" and namespace is None:
            return self._namespaces(tail)
        if not tail:
            return self._list(resource, namespace, query)
        name = tail[0]
        if not is_dns1123_subdomain(name):
            raise ValueError(f"invalid name {name!r}")
        if len(tail) == 2 and resource == "pods" and tail[1] == "log" and namespace:
            return self._log(namespace, name, query)
        if len(tail) > 1:
            return (*_status(404, "NotInSnapshot", f"a snapshot has no {resource}/{tail[1]}"), "application/json")
        return self._get(resource, namespace, name)

    def _namespaces(self, tail: list[str]) -> tuple[int, bytes, str]:
        names = sorted(p.name for p in self.root.iterdir() if p.is_dir() and is_dns1123_label(p.name))
        items = [{"metadata": {"name": n}, "status": {"phase": "Active"}} for n in names]
        if tail:
            found = [i for i in items if i["metadata"]["name"] == tail[0]]
            if not found:
                return (*_status(404, "NotFound", f'namespaces "{tail[0]}" not found'), "application/json")
            return 200, json.dumps(found[0]).encode(), "application/json"
        return 200, json.dumps({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {},
                                "items": items}).encode(), "application/json"

    def _file_or_missing(self, path: Path, label: str) -> tuple[int, bytes, str]:
        if not path.is_file():
            return (*_status(404, "NotInSnapshot", f"the snapshot has no {label}"), "application/json")
        return 200, path.read_bytes(), "application/json"

    def _load(self, path: Path) -> Any:
        with self._lock:
            if path in self._cache:
                return self._cache[path]
        data = json.loads(path.read_text(encoding="utf-8"))
        with self._lock:
            self._cache[path] = data
        return data

    def _files(self, resource: str, namespace: str | None) -> list[Path]:
        filename = f"{FILE_ALIASES.get(resource, resource)}.json"
        if namespace is not None:
            path = self.root / namespace / filename
            return [path] if path.is_file() else []
        if resource in CLUSTER_SCOPED:
            path = self.root / filename
            return [path] if path.is_file() else []
        return sorted(p for p in self.root.glob(f"*/{filename}") if is_dns1123_label(p.parent.name))

    def _items(self, resource: str, namespace: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
        files = self._files(resource, namespace)
        if not files:
            return None
        items: list[dict[str, Any]] = []
        header: dict[str, Any] = {}
        for path in files:
            data = self._load(path)
            header = header or {k: v for k, v in data.items() if k in ("kind", "apiVersion")}
            items.extend(data.get("items") or [])
        return items, header

    def _list(self, resource: str, namespace: str | None, query: dict[str, str]) -> tuple[int, bytes, str]:
        found = self._items(resource, namespace)
        where = f"{namespace}/" if namespace else ""
        if found is None:
            filename = FILE_ALIASES.get(resource, resource)
            return (*_status(404, "NotInSnapshot", f"the snapshot has no {where}{filename}.json"), "application/json")
        items, header = found
        labels = label_predicate(query.get("labelSelector"))
        fields = field_predicate(query.get("fieldSelector"))
        selected = [i for i in items
                    if labels((i.get("metadata") or {}).get("labels") or {}) and fields(i)]
        if query.get("limit", "").isdigit() and int(query["limit"]) > 0:
            selected = selected[: int(query["limit"])]
        body = {**header, "metadata": {}, "items": selected}
        return 200, json.dumps(body).encode(), "application/json"

    def _get(self, resource: str, namespace: str | None, name: str) -> tuple[int, bytes, str]:
        found = self._items(resource, namespace)
        where = f"{namespace}/" if namespace else ""
        if found is None:
            filename = FILE_ALIASES.get(resource, resource)
            return (*_status(404, "NotInSnapshot", f"the snapshot has no {where}{filename}.json"), "application/json")
        for item in found[0]:
            if (item.get("metadata") or {}).get("name") == name:
                return 200, json.dumps(item).encode(), "application/json"
        return (*_status(404, "NotFound", f'{resource} "{name}" not found'), "application/json")

    def _log(self, namespace: str, pod: str, query: dict[str, str]) -> tuple[int, bytes, str]:
        path = self.root / namespace / pod / "logs.txt"
        if not path.is_file():
            return (*_status(404, "NotInSnapshot", f"the snapshot has no {namespace}/{pod}/logs.txt"),
                    "application/json")
        text = container_log(path.read_text(encoding="utf-8", errors="replace"), query.get("container"))
        lines = text.splitlines()
        if query.get("tailLines", "").isdigit():
            lines = lines[-int(query["tailLines"]):] if int(query["tailLines"]) else []
        return 200, "".join(f"{line}\n" for line in lines).encode(), "text/plain"


def container_log(text: str, container: str | None) -> str:
    """The part of a dump's ``logs.txt`` that belongs to ``container`` (all of it when None)."""
    if container is None or "==== START logs for container" not in text:
        return "\n".join(line for line in text.splitlines() if not _LOG_MARK.match(line))
    keep, inside = [], False
    for line in text.splitlines():
        mark = _LOG_MARK.match(line)
        if mark:
            inside = mark.group(1) == "START" and mark.group(2) == container
            continue
        if inside:
            keep.append(line)
    return "\n".join(keep)
