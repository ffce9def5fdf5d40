"""The reads checks may make, each bounded by the check's deadline, errors made specific.

A check gets one :class:`ClusterReader`. Every method is a GET through the guarded client;
failures become :mod:`bot.checks.errors` exceptions whose ``hint`` says what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.checks._client import Connection
from bot.checks._snapshot import SNAPSHOT_HEADER
from bot.checks.errors import (
    ApiError,
    ClusterAccessError,
    Forbidden,
    NotInSnapshot,
    ReadOnlyViolation,
    TimedOut,
    Unreachable,
)

T = TypeVar("T")
LOG_TAIL_LINES = 200
LOG_LIMIT_BYTES = 256 * 1024
RBAC_HINT = "grant it in the bot's ClusterRole (deploy/rbac/clusterrole.yaml) or your own RBAC"


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


class ClusterReader:
    """Read-only access to one cluster (or snapshot) for one check, until ``deadline``."""

    def __init__(self, connection: Connection, *, deadline: float) -> None:
        self.connection = connection
        self.deadline = deadline
        self._api = connection.api_client
        apis = connection.apis
        self.core = apis.core
        self.apps = apis.apps
        self.networking = apis.networking
        self.apiregistration = apis.apiregistration
        self.autoscaling = apis.autoscaling
        self.version_api = apis.version

    @property
    def snapshot(self) -> bool:
        """True when the reads are answered from a dump folder."""
        return self.connection.snapshot

    def remaining(self) -> float:
        """Seconds left before the check's deadline."""
        return self.deadline - time.monotonic()

    # -- the reads -------------------------------------------------------------------------

    def nodes(self, label_selector: str | None = None) -> list[Any]:
        """All nodes (V1Node), optionally by label."""
        kw: dict[str, Any] = {"label_selector": label_selector} if label_selector else {}
        return self.call(Read("list", "", "nodes"), self.core.list_node, **kw).items or []

    def node(self, name: str) -> Any | None:
        """One node, or None when it does not exist."""
        return self._get(Read("get", "", "nodes"), self.core.read_node, name)

    def pods(self, namespace: str | None = None, *, label_selector: str | None = None,
             field_selector: str | None = None) -> list[Any]:
        """Pods (V1Pod) of ``namespace`` or of all namespaces, by label and field selector."""
        kw: dict[str, Any] = {k: v for k, v in (("label_selector", label_selector),
                                                ("field_selector", field_selector)) if v}
        if namespace:
            return self.call(Read("list", "", "pods", namespace), self.core.list_namespaced_pod,
                              namespace, **kw).items or []
        return self.call(Read("list", "", "pods"), self.core.list_pod_for_all_namespaces, **kw).items or []

    def pod_log(self, namespace: str, pod: str, container: str, *, tail_lines: int = LOG_TAIL_LINES) -> str:
        """The last ``tail_lines`` lines of one container's log."""
        text = self.call(Read("get", "", "pods/log", namespace), self.core.read_namespaced_pod_log, pod,
                          namespace, container=container, tail_lines=tail_lines, limit_bytes=LOG_LIMIT_BYTES)
        return text if isinstance(text, str) else str(text or "")

    def service(self, namespace: str, name: str) -> Any | None:
        """One Service, or None."""
        return self._get(Read("get", "", "services", namespace), self.core.read_namespaced_service,
                         name, namespace)

    def services(self, namespace: str) -> list[Any]:
        """Services of ``namespace``."""
        return self.call(Read("list", "", "services", namespace), self.core.list_namespaced_service,
                          namespace).items or []

    def endpoints(self, namespace: str, name: str) -> Any | None:
        """The Endpoints object of a Service, or None."""
        return self._get(Read("get", "", "endpoints", namespace), self.core.read_namespaced_endpoints,
                         name, namespace)

    def events(self, namespace: str | None = None, *, field_selector: str | None = None) -> list[Any]:
        """Core events (CoreV1Event) of ``namespace`` or all namespaces, by field selector."""
        kw: dict[str, Any] = {"field_selector": field_selector} if field_selector else {}
        if namespace:
            return self.call(Read("list", "", "events", namespace), self.core.list_namespaced_event,
                              namespace, **kw).items or []
        return self.call(Read("list", "", "events"), self.core.list_event_for_all_namespaces, **kw).items or []

    def daemonset(self, namespace: str, name: str) -> Any | None:
        """One DaemonSet, or None."""
        return self._get(Read("get", "apps", "daemonsets", namespace), self.apps.read_namespaced_daemon_set,
                         name, namespace)

    def network_policies(self, namespace: str) -> list[Any]:
        """NetworkPolicies of ``namespace``."""
        return self.call(Read("list", "networking.k8s.io", "networkpolicies", namespace),
                          self.networking.list_namespaced_network_policy, namespace).items or []

    def api_service(self, name: str) -> Any | None:
        """One APIService (e.g. ``v1beta1.metrics.k8s.io``), or None."""
        return self._get(Read("get", "apiregistration.k8s.io", "apiservices"),
                         self.apiregistration.read_api_service, name)

    def hpas(self) -> list[Any]:
        """HorizontalPodAutoscalers (autoscaling/v2) of all namespaces."""
        return self.call(Read("list", "autoscaling", "horizontalpodautoscalers"),
                          self.autoscaling.list_horizontal_pod_autoscaler_for_all_namespaces).items or []

    def version(self) -> Any:
        """The API server's ``/version``."""
        return self.call(Read("get", "", "/version"), self.version_api.get_code)

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
            if status == 404 and response.getheader(SNAPSHOT_HEADER) == "missing":
                raise NotInSnapshot("the snapshot cannot answer /readyz")
            if status in (401, 403):
                from kubernetes.client.exceptions import ApiException

                raise ApiException(status=status, reason="Forbidden")
            return status, text

        return self.call(Read("get", "", "/readyz"), call)

    def can(self, read: Read, method: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """True when the minimal read ``method(*args, **kwargs)`` is allowed, False on 401/403."""
        try:
            self.call(read, method, *args, **kwargs)
        except Forbidden:
            return False
        return True

    def try_read(self, call: Callable[[], T]) -> tuple[T | None, str | None]:
        """Run a read whose data is optional: (value, None), or (None, why it is missing).

        Timeouts and unreachable servers still raise: without the server the check cannot go on.
        """
        try:
            return call(), None
        except (Forbidden, NotInSnapshot, ApiError) as exc:
            return None, str(exc)

    # -- plumbing --------------------------------------------------------------------------

    def _get(self, read: Read, method: Callable[..., Any], *args: Any) -> Any | None:
        from kubernetes.client.exceptions import ApiException

        try:
            return self.call(read, method, *args, _raw_404=True)
        except ApiException:
            return None

    def call(self, read: Read, method: Callable[..., Any], *args: Any, _raw_404: bool = False,
             **kwargs: Any) -> Any:
        """Call client ``method`` for ``read`` with the time left; raise specific errors.

        Raises:
            ClusterAccessError: the read failed (forbidden, unreachable, timed out, not in the snapshot).
            ReadOnlyViolation: the method is not a read (the guard refused it).
        """
        import urllib3
        from kubernetes.client.exceptions import ApiException

        remaining = self.remaining()
        if remaining <= 0.01:
            raise TimedOut(f"no time left to {read.describe()}", _timeout_hint(self.connection))
        try:
            return method(*args, _request_timeout=remaining, **kwargs)
        except ReadOnlyViolation:
            raise
        except ApiException as exc:
            status = int(exc.status or 0)
            headers = exc.headers or {}
            if status == 404 and headers.get(SNAPSHOT_HEADER) == "missing":
                raise NotInSnapshot(f"{_status_message(exc) or 'not in the snapshot'}",
                                    "dump with --all-namespaces, or add the file to the folder") from None
            if status == 404 and _raw_404:
                raise
            if status in (401, 403):
                who = "authentication failed (401)" if status == 401 else "forbidden (403)"
                raise Forbidden(f"{read.describe()}: {who}",
                                RBAC_HINT if status == 403 else "the credentials were rejected: renew the "
                                "token or check the kubeconfig user") from None
            if status == 0:
                raise Unreachable(f"cannot talk to {self.connection.server}: {_first_line(exc.reason)}",
                                  "check the TLS settings (certificate-authority) of the kubeconfig") from None
            raise ApiError(f"{read.describe()}: HTTP {status} {_status_message(exc) or exc.reason}",
                           "retry; if it persists, look at the API server logs") from None
        except (urllib3.exceptions.TimeoutError, TimeoutError):
            raise TimedOut(f"the API server at {self.connection.server} did not answer {read.describe()} "
                           f"in time", _timeout_hint(self.connection)) from None
        except urllib3.exceptions.MaxRetryError as exc:
            if isinstance(exc.reason, urllib3.exceptions.TimeoutError):
                raise TimedOut(f"the API server at {self.connection.server} did not answer in time",
                               _timeout_hint(self.connection)) from None
            raise Unreachable(f"cannot reach the API server at {self.connection.server}: {exc.reason}",
                              _unreachable_hint()) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise Unreachable(f"cannot reach the API server at {self.connection.server}: "
                              f"{_first_line(str(exc))}", _unreachable_hint()) from None
        except ClusterAccessError:
            raise
        except ValueError as exc:  # pydantic: a response the client could not parse
            raise ApiError(f"{read.describe()}: unexpected response ({_first_line(str(exc))})",
                           "the API server version may be unsupported by this client") from None


def _status_message(exc: Any) -> str:
    import json

    try:
        return str(json.loads(exc.body or "{}").get("message", ""))
    except (ValueError, AttributeError):
        return ""


def _first_line(text: Any) -> str:
    return str(text or "").strip().splitlines()[0][:200] if str(text or "").strip() else ""


def _timeout_hint(connection: Connection) -> str:
    return (f"check the network path to {connection.server} (VPN, authorized IP ranges, private cluster, "
            "firewall), or raise K8SFIX_CHECK_TIMEOUT")


def _unreachable_hint() -> str:
    return ("check the server address in the kubeconfig, DNS, VPN and the API server's authorized IP ranges "
            "(kubectl cluster-info)")
