"""The reads checks may make, each bounded by the check's deadline, errors made specific.

A check gets one :class:`ClusterReader`. Every read is a GET of a resource declared in
:mod:`bot.checks.reads`, made through the guarded client with the time the check has left;
failures become :mod:`bot.checks.errors` exceptions whose ``hint`` says what to do
(:mod:`bot.checks._failures` words them). Reads decode straight into the client's models,
without the generated API classes, so a check costs no second of imports; :meth:`ClusterReader.list_light`
skips even the models and gives light views of the JSON (:mod:`bot.checks._light`), for lists of
thousands of pods.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.checks import _failures
from bot.checks._client import Connection
from bot.checks._light import Obj, items
from bot.checks.errors import (
    ApiError,
    ClusterAccessError,
    Forbidden,
    NotInSnapshot,
    ReadOnlyViolation,
)
from bot.checks.reads import READS, ApiRead, find

T = TypeVar("T")
LOG_TAIL_LINES = 200
LOG_LIMIT_BYTES = 256 * 1024


@dataclass(frozen=True)
class Read:
    """One kind of read: the RBAC verb, API group and resource, and where."""

    verb: str
    group: str
    resource: str
    namespace: str | None = None

    def describe(self) -> str:
        """E.g. ``list pods in kube-system`` or ``get apiservices.apiregistration.k8s.io``."""
        resource = f"{self.resource}.{self.group}" if self.group else self.resource
        where = f" in {self.namespace}" if self.namespace else ""
        return f"{self.verb} {resource}{where}"


def model_names() -> list[str]:
    """The client models the declared reads decode to (lists and single objects)."""
    names = ["VersionInfo"]
    for read in READS:
        if read.kind != "str":
            names.extend((read.kind, f"{read.kind}List"))
    return names


class ClusterReader:
    """Read-only access to one cluster (or snapshot) for one check, until ``deadline``."""

    def __init__(self, connection: Connection, *, deadline: float) -> None:
        self.connection = connection
        self.deadline = deadline
        self._api = connection.api_client
        self._started = time.monotonic()
        self._answered = 0
        """Reads of this check answered so far (a later timeout then means a slow server, not a silent one)."""

    @property
    def snapshot(self) -> bool:
        """True when the reads are answered from a dump folder."""
        return self.connection.snapshot

    def remaining(self) -> float:
        """Seconds left before the check's deadline."""
        return self.deadline - time.monotonic()

    # -- any declared resource -------------------------------------------------------------

    def list_of(self, resource: str, namespace: str | None = None, *, group: str | None = None,
             label_selector: str | None = None, field_selector: str | None = None,
             limit: int | None = None) -> list[Any]:
        """The objects of a declared ``resource`` in ``namespace`` (or everywhere), by selector.

        Raises:
            ClusterAccessError: the read failed; ``hint`` says what to do.
            KeyError: ``resource`` is not declared in :data:`bot.checks.reads.READS`.
        """
        result = self._fetch(find(resource, group=group), "list", namespace, None,
                             _list_query(label_selector, field_selector, limit))
        return list(getattr(result, "items", None) or [])

    def list_light(self, resource: str, namespace: str | None = None, *, group: str | None = None,
                   label_selector: str | None = None, field_selector: str | None = None,
                   limit: int | None = None) -> list[Obj]:
        """Like :meth:`list_of`, but the objects are light views of the JSON (:mod:`bot.checks._light`).

        Decoding into the client's models costs about 0.6 ms per pod (3 s for 5,000 pods, past a
        check's time); the light view reads the same fields by the same names for a fraction of it.

        Raises:
            ClusterAccessError: the read failed (an answer that is not a JSON list: ApiError).
            KeyError: ``resource`` is not declared in :data:`bot.checks.reads.READS`.
        """
        return self._fetch(find(resource, group=group), "list", namespace, None,  # type: ignore[no-any-return]
                           _list_query(label_selector, field_selector, limit), light=True)

    def get_one(self, resource: str, name: str, namespace: str | None = None, *,
                group: str | None = None) -> Any | None:
        """One object of a declared ``resource``, or None when it does not exist.

        Raises:
            ClusterAccessError: the read failed; ``hint`` says what to do.
            KeyError: ``resource`` is not declared in :data:`bot.checks.reads.READS`.
        """
        read = find(resource, group=group)
        return self._fetch(read, "get", namespace, name, [], missing_ok=True)

    def can_list(self, read: ApiRead, namespace: str | None = None) -> bool:
        """True when a minimal list (``limit=1``) of ``read`` is allowed, False on 401/403."""
        try:
            self._fetch(read, "list", namespace, None, [("limit", 1)])
        except Forbidden:
            return False
        return True

    # -- the reads the checks make ---------------------------------------------------------

    def nodes(self, label_selector: str | None = None) -> list[Any]:
        """All nodes (V1Node), optionally by label."""
        return self.list_of("nodes", label_selector=label_selector)

    def node(self, name: str) -> Any | None:
        """One node, or None when it does not exist."""
        return self.get_one("nodes", name)

    def pods(self, namespace: str | None = None, *, label_selector: str | None = None,
             field_selector: str | None = None) -> list[Any]:
        """Pods (V1Pod) of ``namespace`` or of all namespaces, by label and field selector."""
        return self.list_of("pods", namespace, label_selector=label_selector, field_selector=field_selector)

    def pod_log(self, namespace: str, pod: str, container: str, *, tail_lines: int = LOG_TAIL_LINES,
                limit_bytes: int = LOG_LIMIT_BYTES) -> str:
        """The last ``tail_lines`` lines of one container's log (only in the namespaces declared for logs).

        Raises:
            Forbidden: logs of this namespace are not among the declared reads.
        """
        read = find("pods", subresource="log")
        if read.namespaces and namespace not in read.namespaces:
            raise Forbidden(f"logs of pods in {namespace} are not read (only in {', '.join(read.namespaces)})",
                            "add the namespace to the pods/log line of bot/checks/reads.py and to the RBAC")
        text = self._fetch(read, "get", namespace, pod, [("container", container), ("tailLines", tail_lines),
                                                           ("limitBytes", limit_bytes)], accept="text/plain")
        return text if isinstance(text, str) else str(text or "")

    def service(self, namespace: str, name: str) -> Any | None:
        """One Service, or None."""
        return self.get_one("services", name, namespace)

    def services(self, namespace: str) -> list[Any]:
        """Services of ``namespace``."""
        return self.list_of("services", namespace)

    def endpoints(self, namespace: str, name: str) -> Any | None:
        """The Endpoints object of a Service, or None."""
        return self.get_one("endpoints", name, namespace)

    def events(self, namespace: str | None = None, *, field_selector: str | None = None) -> list[Any]:
        """Core events (CoreV1Event) of ``namespace`` or all namespaces, by field selector."""
        return self.list_of("events", namespace, field_selector=field_selector)

    def daemonset(self, namespace: str, name: str) -> Any | None:
        """One DaemonSet, or None."""
        return self.get_one("daemonsets", name, namespace)

    def network_policies(self, namespace: str) -> list[Any]:
        """NetworkPolicies of ``namespace``."""
        return self.list_of("networkpolicies", namespace)

    def api_service(self, name: str) -> Any | None:
        """One APIService (e.g. ``v1beta1.metrics.k8s.io``), or None."""
        return self.get_one("apiservices", name)

    def hpas(self) -> list[Any]:
        """HorizontalPodAutoscalers (autoscaling/v2) of all namespaces."""
        return self.list_of("horizontalpodautoscalers")

    def version(self) -> Any:
        """The API server's ``/version``."""
        return self.call(Read("get", "", "/version"), lambda _request_timeout: self._request(
            "/version/", [], "VersionInfo", _request_timeout))

    def readyz(self) -> tuple[int, str]:
        """Status code and body of ``/readyz?verbose``."""
        def call(_request_timeout: float) -> tuple[int, str]:
            params = self._api.param_serialize(method="GET", resource_path="/readyz",
                                               query_params=[("verbose", "true")],
                                               header_params={"Accept": "text/plain"},
                                               auth_settings=["BearerToken"])
            response = self._api.call_api(*params, _request_timeout=_request_timeout)
            body = response.read() or b""
            status = int(response.status)
            text = body.decode("utf-8", "replace")
            if status == 404 and response.getheader(_failures.SNAPSHOT_HEADER) == "missing":
                raise NotInSnapshot("the snapshot cannot answer /readyz")
            if status in (401, 403, 429):
                from kubernetes.client.exceptions import ApiException

                raise ApiException(status=status, reason=response.reason)
            return status, text

        return self.call(Read("get", "", "/readyz"), call)

    # -- helpers for checks ----------------------------------------------------------------

    def try_read(self, call: Callable[[], T]) -> tuple[T | None, str | None]:
        """Run a read whose data is optional: (value, None), or (None, why it is missing).

        Timeouts and unreachable servers still raise: without the server the check cannot go on.
        """
        try:
            return call(), None
        except (Forbidden, NotInSnapshot, ApiError) as exc:
            return None, str(exc)

    # -- plumbing --------------------------------------------------------------------------

    def _fetch(self, read: ApiRead, verb: str, namespace: str | None, name: str | None,
               query: list[tuple[str, Any]], *, missing_ok: bool = False, accept: str = "application/json",
               light: bool = False) -> Any:
        kind = None if light else read.kind if read.kind == "str" or name else f"{read.kind}List"
        path = read.path(namespace, name)
        described = Read(verb, read.group, read.rbac_resource, namespace if not read.cluster_scoped else None)
        return self.call(described, lambda _request_timeout: self._request(path, query, kind, _request_timeout,
                                                                          accept), _raw_404=missing_ok)

    def _request(self, path: str, query: list[tuple[str, Any]], kind: str | None, timeout: float,
                 accept: str = "application/json") -> Any:
        """GET ``path``; the body decoded to the model ``kind``, or to light objects when ``kind`` is None."""
        params = self._api.param_serialize(method="GET", resource_path=path, query_params=query,
                                           header_params={"Accept": accept}, auth_settings=["BearerToken"])
        response = self._api.call_api(*params, _request_timeout=timeout)
        response.read()
        if kind is None:  # decode nothing; an error status still raises the client's ApiException
            self._api.response_deserialize(response_data=response, response_types_map={})
            return items(response.data)
        return self._api.response_deserialize(response_data=response, response_types_map={"200": kind}).data

    def call(self, read: Read, method: Callable[..., Any], *args: Any, _raw_404: bool = False,
             **kwargs: Any) -> Any:
        """Call ``method`` for ``read`` with the time left; raise specific errors.

        Returns None for a 404 when ``_raw_404`` (an object that does not exist).

        Raises:
            ClusterAccessError: the read failed (forbidden, unreachable, timed out, not in the snapshot).
            ReadOnlyViolation: the request is not a declared read (the guard refused it).
        """
        from kubernetes.client.exceptions import ApiException

        server = self.connection.server
        remaining = self.remaining()
        if remaining <= 0.01:
            if self._answered:
                raise _failures.slow_earlier_reads(read.describe(), server, self._answered,
                                                   self.deadline - self._started)
            raise _failures.no_time_left(read.describe(), server)
        try:
            result = method(*args, _request_timeout=remaining, **kwargs)
            self._answered += 1
            return result
        except (ReadOnlyViolation, ClusterAccessError):
            raise
        except ApiException as exc:
            if int(exc.status or 0) == 404 and _raw_404 and \
                    (exc.headers or {}).get(_failures.SNAPSHOT_HEADER) != "missing":
                return None
            raise _failures.from_api_exception(exc, read.describe(), server) from None
        except ValueError as exc:  # pydantic: an answer the client could not decode
            raise ApiError(f"{read.describe()}: unexpected response ({_failures.first_line(exc)})",
                           "the API server version may be unsupported by this client") from None
        except Exception as exc:
            error = _failures.from_transport_error(exc, read.describe(), server, self.deadline - self._started,
                                                   self._answered)
            if error is None:
                raise
            raise error from None


def _list_query(label_selector: str | None, field_selector: str | None, limit: int | None) -> list[tuple[str, Any]]:
    """The query parameters of a list read, leaving out those not given."""
    return [(k, v) for k, v in (("labelSelector", label_selector), ("fieldSelector", field_selector),
                                ("limit", limit)) if v]
