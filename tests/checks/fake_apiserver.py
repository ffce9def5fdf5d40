"""A small fake Kubernetes API server on loopback that serves fixture scenarios and records requests.

The real ``kubernetes`` client talks to it over HTTP exactly as to a cluster. Scenarios are
folders under ``fixtures/`` (see ``fixtures/build_fixtures.py``); a scenario is layered over
``healthy/``, list items replacing those with the same namespace and name. Modes:

- ``normal``: answer from the fixtures;
- ``forbidden``: 403 on every resource request (``/version`` and ``/readyz`` still answer, as
  ``system:public-info-viewer`` allows);
- ``hang``: accept the connection and never answer.

Hostile modes, for the robustness tests (every one bounded by the server's stop):

- ``refuse``: nothing listens on the port (the connection is refused);
- ``reset``: read the request, then reset the connection (TCP RST);
- ``trickle``: send the right answer, a few bytes at a time (``trickle_bytes`` every
  ``trickle_interval`` seconds);
- ``trickle-headers``: the same from the status line on;
- ``unauthorized`` / ``throttle``: 401 / 429 (with ``Retry-After``) on every request;
- ``error-10mb``: 500 with a 10 MB body;
- ``error-500``: 500 with a Status whose message is ``status_message``.

``forbidden_resources`` (e.g. ``("events",)``) answers 403 for those resources only, in any mode;
``chunked=True`` sends every body with chunked transfer encoding, as the API server does for lists.

With ``tls=(certfile, keyfile)`` it serves HTTPS with that certificate.

Every request is recorded (method, path, query, headers) before anything else happens, so a
test can prove what reached the server and what did not.
"""

from __future__ import annotations

import copy
import json
import socket
import ssl
import struct
import threading
from dataclasses import dataclass, field
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
              "deployments": "DeploymentList", "statefulsets": "StatefulSetList", "jobs": "JobList"}
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
    headers: dict[str, str] = field(default_factory=dict)
    target: str = ""


def write_kubeconfig(folder: Path, server: str, context: str = "fake", *,
                     user: dict[str, Any] | None = None, cluster: dict[str, Any] | None = None) -> Path:
    """Write a kubeconfig with one context ``context`` for ``server`` (``cluster``: more fields); return its path."""
    path = folder / f"kubeconfig-{context}"
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": context,
        "clusters": [{"name": context, "cluster": {"server": server, **(cluster or {})}}],
        "users": [{"name": context, "user": user or {"token": "fake-token-0123456789"}}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
    }), encoding="utf-8")
    return path


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

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # hostile modes break connections on purpose


TEN_MB = 10 * 1024 * 1024
TEN_MB_BODY = b"{" + b" " * TEN_MB + b"}"
"""One shared 10 MB error page, so the server's own memory stays small next to the client's."""


class FakeApiServer:
    """Serve one scenario on ``127.0.0.1`` on a free port; use as a context manager."""

    def __init__(self, scenario: str = "healthy", *, mode: str = "normal", tls: tuple[str, str] | None = None,
                 trickle_bytes: int = 4, trickle_interval: float = 0.02, status_message: str = "etcdserver: timeout",
                 forbidden_resources: tuple[str, ...] = (), chunked: bool = False) -> None:
        self.scenario = scenario
        self.mode = mode
        self.files = load_scenario(scenario)
        self.requests: list[Recorded] = []
        self.trickle_bytes = trickle_bytes
        self.trickle_interval = trickle_interval
        self.status_message = status_message
        self.forbidden_resources = forbidden_resources
        self.chunked = chunked
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True,
                                                      do_handshake_on_connect=False)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-apiserver", daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host}:{port}"

    def __enter__(self) -> FakeApiServer:
        if self.mode == "refuse":
            self._server.server_close()  # the port stays ours to name, and nothing listens on it
            return self
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.mode != "refuse":
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    def kubeconfig(self, folder: Path, context: str = "fake", *, server: str | None = None,
                   user: dict[str, Any] | None = None, cluster: dict[str, Any] | None = None) -> Path:
        """Write a kubeconfig whose context ``context`` points at this server (or ``server``); return its path."""
        return write_kubeconfig(folder, server or self.url, context, user=user, cluster=cluster)

    def record(self, method: str, target: str, headers: dict[str, str] | None = None) -> Recorded:
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        entry = Recorded(method, parts.path, query, dict(headers or {}), target)
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
        if resource in self.forbidden_resources:
            return self._status(403, "Forbidden", f"cannot list resource {resource!r}")
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

    def hostile(self, req: Recorded) -> tuple[int, str, bytes, dict[str, str]] | None:
        """The answer of a storm mode, or None to answer normally."""
        if self.mode == "unauthorized":
            return (*self._status(401, "Unauthorized", "Unauthorized"), {})
        if self.mode == "throttle":
            return (*self._status(429, "TooManyRequests", "Too many requests, please try again later."),
                    {"Retry-After": "1"})
        if self.mode == "error-10mb":
            return 500, "application/json", TEN_MB_BODY, {}
        if self.mode == "error-500":
            return (*self._status(500, "InternalError", self.status_message), {})
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                req = fake.record(self.command, self.path, dict(self.headers.items()))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if fake.mode == "hang":
                    fake._stop.wait(30)
                    return
                if fake.mode == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                code, content_type, body, extra = fake.hostile(req) or (*fake.answer(req), {})
                if fake.chunked:  # as the API server sends large lists
                    extra = {**extra, "Transfer-Encoding": "chunked"}
                    body = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                                    for part in (body[i:i + 1000] for i in range(0, len(body), 1000))) + b"0\r\n\r\n"
                length_header = "" if fake.chunked else f"Content-Length: {len(body)}\r\n"
                head = (f"HTTP/1.1 {code} {'OK' if code == 200 else 'Error'}\r\nContent-Type: {content_type}\r\n"
                        + length_header + "".join(f"{k}: {v}\r\n" for k, v in extra.items()) + "\r\n").encode()
                try:
                    if fake.mode == "trickle-headers":
                        self._trickle(head + body)
                    elif fake.mode == "trickle":
                        self.wfile.write(head)
                        self._trickle(body)
                    else:
                        self.wfile.write(head)
                        self.wfile.write(body)
                except OSError:
                    self.close_connection = True  # the client gave up: that is the point of these modes

            def _trickle(self, data: bytes) -> None:
                step = fake.trickle_bytes
                for start in range(0, len(data), step):
                    if fake._stop.is_set():
                        break
                    self.wfile.write(data[start:start + step])
                    self.wfile.flush()
                    fake._stop.wait(fake.trickle_interval)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
