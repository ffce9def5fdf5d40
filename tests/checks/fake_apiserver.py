"""A small fake Kubernetes API server on loopback that serves fixture scenarios and records requests.

The real ``kubernetes`` client talks to it over HTTP exactly as to a cluster. Scenarios are
folders under ``fixtures/`` (see ``fixtures/build_fixtures.py``); a scenario is layered over
``healthy/``, list items replacing those with the same namespace and name. Modes:

- ``normal``: answer from the fixtures;
- ``forbidden``: 403 on every resource request (``/version`` and ``/readyz`` still answer, as
  ``system:public-info-viewer`` allows);
- ``hang``: accept the connection and never answer.

Every request is recorded (method, path, query) before anything else happens, so a test can
prove what reached the server and what did not.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLUSTER_SCOPED = {"nodes", "apiservices", "namespaces", "storageclasses", "volumeattachments"}
LIST_KINDS = {"nodes": "NodeList", "pods": "PodList", "services": "ServiceList", "endpoints": "EndpointsList",
              "events": "EventList", "daemonsets": "DaemonSetList", "networkpolicies": "NetworkPolicyList",
              "apiservices": "APIServiceList", "horizontalpodautoscalers": "HorizontalPodAutoscalerList",
              "configmaps": "ConfigMapList", "persistentvolumeclaims": "PersistentVolumeClaimList",
              "storageclasses": "StorageClassList", "volumeattachments": "VolumeAttachmentList",
              "deployments": "DeploymentList", "jobs": "JobList"}
KNOWN_RESOURCES = set(LIST_KINDS)
NON_RESOURCE = ("/version", "/readyz", "/livez", "/healthz")


def _key(item: dict[str, Any]) -> tuple[str, str]:
    meta = item.get("metadata") or {}
    return meta.get("namespace", ""), meta.get("name", "")


def load_scenario(name: str) -> dict[str, Any]:
    """The files of a scenario, layered over ``healthy``: JSON parsed, logs as text."""
    files: dict[str, Any] = {}
    layers = ["healthy"] if name == "healthy" else ["healthy", name]
    for layer in layers:
        root = FIXTURES / layer
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            if path.suffix == ".json":
                data = json.loads(path.read_text(encoding="utf-8"))
                if rel in files and "items" in data and "items" in files[rel]:
                    merged = {_key(i): i for i in files[rel]["items"]}
                    merged.update({_key(i): i for i in data["items"]})
                    data = {**files[rel], "items": list(merged.values())}
                files[rel] = data
            else:
                files[rel] = path.read_text(encoding="utf-8")
    return files


def write_dump(files: dict[str, Any], folder: Path) -> Path:
    """Write scenario files as a ``kubectl cluster-info dump`` folder; return it."""
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]


def _labels_match(selector: str, labels: dict[str, str]) -> bool:
    for part in filter(None, selector.split(",")):
        if "!=" in part:
            key, value = part.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in part:
            key, value = part.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        else:
            raise ValueError(f"unsupported label selector {selector!r}")
    return True


def _field(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def _fields_match(selector: str, obj: dict[str, Any]) -> bool:
    for part in filter(None, selector.split(",")):
        if "!=" in part:
            key, value = part.split("!=", 1)
            if _field(obj, key.strip()) == value.strip():
                return False
        elif "=" in part:
            key, value = part.replace("==", "=").split("=", 1)
            if _field(obj, key.strip()) != value.strip():
                return False
        else:
            raise ValueError(f"unsupported field selector {selector!r}")
    return True


def _container_log(text: str, container: str | None) -> str:
    out, inside = [], container is None
    for line in text.splitlines():
        if line.startswith("==== START logs for container "):
            inside = container is None or line.split()[5] == container
            continue
        if line.startswith("==== END logs for container "):
            inside = container is None
            continue
        if inside:
            out.append(line)
    return "\n".join(out) + ("\n" if out else "")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops concurrent connects, which then retry after 1 s


class FakeApiServer:
    """Serve one scenario on ``127.0.0.1`` on a free port; use as a context manager."""

    def __init__(self, scenario: str = "healthy", *, mode: str = "normal") -> None:
        self.scenario = scenario
        self.mode = mode
        self.files = load_scenario(scenario)
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-apiserver", daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def kubeconfig(self, folder: Path, context: str = "fake") -> Path:
        """Write a kubeconfig whose context ``context`` points at this server; return its path."""
        path = folder / f"kubeconfig-{context}"
        path.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": context,
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": {"token": "fake-token-0123456789"}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        }), encoding="utf-8")
        return path

    def record(self, method: str, target: str) -> Recorded:
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        entry = Recorded(method, parts.path, query)
        with self._lock:
            self.requests.append(entry)
        return entry

    # -- answers -----------------------------------------------------------------------------

    def answer(self, req: Recorded) -> tuple[int, str, bytes]:
        if req.method != "GET":
            return self._status(405, "MethodNotAllowed", f"{req.method} is not served")
        if req.path.rstrip("/") in NON_RESOURCE:
            if req.path.rstrip("/") == "/version":
                return 200, "application/json", json.dumps(self.files["version.json"]).encode()
            return 200, "text/plain", b"[+]ping ok\n[+]etcd ok\nreadyz check passed\n"
        if self.mode == "forbidden":
            return self._status(403, "Forbidden", f'User "system:serviceaccount:k8sfix:k8sfix" cannot get '
                                f"{req.path}")
        segments = [s for s in req.path.split("/") if s]
        if segments[:2] == ["api", "v1"]:
            rest = segments[2:]
        elif segments[:1] == ["apis"] and len(segments) >= 3:
            rest = segments[3:]
        else:
            return self._status(404, "NotFound", "the server could not find the requested resource")
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        resource, name, sub = rest[0], (rest[1] if len(rest) > 1 else None), (rest[2] if len(rest) > 2 else None)
        if resource not in KNOWN_RESOURCES:
            return self._status(404, "NotFound", f"the server doesn't have a resource type {resource!r}")
        items = self._items(resource, namespace)
        if name is None:
            try:
                selected = [i for i in items
                            if _labels_match(req.query.get("labelSelector", ""),
                                             (i.get("metadata") or {}).get("labels") or {})
                            and _fields_match(req.query.get("fieldSelector", ""), i)]
            except ValueError as exc:
                return self._status(400, "BadRequest", str(exc))
            if req.query.get("limit"):
                selected = selected[: int(req.query["limit"])]
            body = {"kind": LIST_KINDS[resource], "apiVersion": "v1", "metadata": {"resourceVersion": "1000"},
                    "items": selected}
            return 200, "application/json", json.dumps(body).encode()
        found = [i for i in items if (i.get("metadata") or {}).get("name") == name]
        if not found:
            return self._status(404, "NotFound", f'{resource} "{name}" not found')
        if sub == "log" and resource == "pods":
            spec = found[0].get("spec") or {}
            names = [c["name"] for c in [*spec.get("initContainers", []), *spec.get("containers", [])]]
            if req.query.get("container", names[0] if len(names) == 1 else None) not in names:
                return self._status(400, "BadRequest", f"container {req.query.get('container')!r} is not valid "
                                    f"for pod {name}; choose one of: {names}")
            text = self.files.get(f"{namespace}/{name}/logs.txt", "")
            lines = _container_log(text, req.query.get("container")).splitlines()
            if "tailLines" in req.query:
                lines = lines[-int(req.query["tailLines"]):] if int(req.query["tailLines"]) else []
            return 200, "text/plain", "".join(f"{line}\n" for line in lines).encode()
        if sub is not None:
            return self._status(404, "NotFound", f"no subresource {sub}")
        return 200, "application/json", json.dumps(found[0]).encode()

    def _items(self, resource: str, namespace: str | None) -> list[dict[str, Any]]:
        if resource in CLUSTER_SCOPED:
            return copy.deepcopy((self.files.get(f"{resource}.json") or {}).get("items", []))
        items: list[dict[str, Any]] = []
        for rel, content in sorted(self.files.items()):
            parts = rel.split("/")
            if len(parts) == 2 and parts[1] == f"{resource}.json" and namespace in (None, parts[0]):
                for item in content.get("items", []):
                    item = copy.deepcopy(item)
                    item.setdefault("metadata", {}).setdefault("namespace", parts[0])
                    items.append(item)
        return items

    @staticmethod
    def _status(code: int, reason: str, message: str) -> tuple[int, str, bytes]:
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
                "reason": reason, "code": code}
        return code, "application/json", json.dumps(body).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                req = fake.record(self.command, self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if fake.mode == "hang":
                    fake._stop.wait(30)
                    return
                code, content_type, body = fake.answer(req)
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
