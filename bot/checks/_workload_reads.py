"""The reads of the pod, scheduling, volume and rollout checks: pods, events, ConfigMaps, PVCs, storage, workloads.

Kept apart from :class:`bot.checks._reader.ClusterReader` so those checks add reads without
touching it: each function goes through :meth:`ClusterReader.call` (the same deadline, errors and
guard) with the client's typed API methods, but returns light objects parsed from the JSON body
(:mod:`bot.checks._light`): a cluster-wide pod list stays well inside a check's time.
:data:`READS` declares every API path these functions can request, for the RBAC manifests and
the guard's list of allowed paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.checks._light import Obj, items
from bot.checks._reader import ClusterReader, Read


@dataclass(frozen=True)
class ApiPath:
    """One kind of request: API group and version, resource, and whether it is namespaced."""

    group: str
    version: str
    resource: str
    namespaced: bool
    verb: str = "list"


READS: tuple[ApiPath, ...] = (
    ApiPath("", "v1", "pods", namespaced=True),
    ApiPath("", "v1", "events", namespaced=True),
    ApiPath("", "v1", "nodes", namespaced=False),
    ApiPath("", "v1", "configmaps", namespaced=True),
    ApiPath("", "v1", "persistentvolumeclaims", namespaced=True),
    ApiPath("storage.k8s.io", "v1", "storageclasses", namespaced=False),
    ApiPath("storage.k8s.io", "v1", "volumeattachments", namespaced=False),
    ApiPath("apps", "v1", "deployments", namespaced=True),
    ApiPath("batch", "v1", "jobs", namespaced=True),
)
"""Every request these functions make (all lists: namespaced ones also across all namespaces)."""


def _storage(reader: ClusterReader) -> Any:
    from kubernetes import client as k8s

    return k8s.StorageV1Api(reader.connection.api_client)


def _batch(reader: ClusterReader) -> Any:
    from kubernetes import client as k8s

    return k8s.BatchV1Api(reader.connection.api_client)


def _list(reader: ClusterReader, read: Read, method: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Obj]:
    """``method`` (a typed list call) through the reader, its body parsed into light objects."""
    def fetch(*call_args: Any, _request_timeout: float, **call_kwargs: Any) -> list[Obj]:
        response = method(*call_args, _preload_content=False, _request_timeout=_request_timeout, **call_kwargs)
        return items(response.data)

    return reader.call(read, fetch, *args, **{k: v for k, v in kwargs.items() if v})  # type: ignore[no-any-return]


def pods(reader: ClusterReader, namespace: str | None = None, *, field_selector: str | None = None) -> list[Obj]:
    """Pods of ``namespace`` or of all namespaces, by field selector."""
    if namespace:
        return _list(reader, Read("list", "", "pods", namespace), reader.core.list_namespaced_pod, namespace,
                     field_selector=field_selector)
    return _list(reader, Read("list", "", "pods"), reader.core.list_pod_for_all_namespaces,
                 field_selector=field_selector)


def events(reader: ClusterReader, namespace: str | None = None, *, field_selector: str | None = None) -> list[Obj]:
    """Core events of ``namespace`` or of all namespaces, by field selector."""
    if namespace:
        return _list(reader, Read("list", "", "events", namespace), reader.core.list_namespaced_event, namespace,
                     field_selector=field_selector)
    return _list(reader, Read("list", "", "events"), reader.core.list_event_for_all_namespaces,
                 field_selector=field_selector)


def nodes(reader: ClusterReader) -> list[Obj]:
    """Every node."""
    return _list(reader, Read("list", "", "nodes"), reader.core.list_node)


def config_maps(reader: ClusterReader, namespace: str) -> list[Obj]:
    """ConfigMaps of ``namespace``; callers use names and keys, never values."""
    return _list(reader, Read("list", "", "configmaps", namespace), reader.core.list_namespaced_config_map,
                 namespace)


def pvcs(reader: ClusterReader, namespace: str | None = None) -> list[Obj]:
    """PersistentVolumeClaims of ``namespace`` or of all namespaces."""
    if namespace:
        return _list(reader, Read("list", "", "persistentvolumeclaims", namespace),
                     reader.core.list_namespaced_persistent_volume_claim, namespace)
    return _list(reader, Read("list", "", "persistentvolumeclaims"),
                 reader.core.list_persistent_volume_claim_for_all_namespaces)


def storage_classes(reader: ClusterReader) -> list[Obj]:
    """Every StorageClass (cluster-scoped)."""
    return _list(reader, Read("list", "storage.k8s.io", "storageclasses"), _storage(reader).list_storage_class)


def volume_attachments(reader: ClusterReader) -> list[Obj]:
    """Every VolumeAttachment (cluster-scoped): which CSI volume is attached to which node."""
    return _list(reader, Read("list", "storage.k8s.io", "volumeattachments"), _storage(reader).list_volume_attachment)


def deployments(reader: ClusterReader, namespace: str | None = None) -> list[Obj]:
    """Deployments of ``namespace`` or of all namespaces."""
    if namespace:
        return _list(reader, Read("list", "apps", "deployments", namespace), reader.apps.list_namespaced_deployment,
                     namespace)
    return _list(reader, Read("list", "apps", "deployments"), reader.apps.list_deployment_for_all_namespaces)


def jobs(reader: ClusterReader, namespace: str | None = None) -> list[Obj]:
    """Jobs of ``namespace`` or of all namespaces."""
    if namespace:
        return _list(reader, Read("list", "batch", "jobs", namespace), _batch(reader).list_namespaced_job, namespace)
    return _list(reader, Read("list", "batch", "jobs"), _batch(reader).list_job_for_all_namespaces)


PROBES: tuple[tuple[Read, Any], ...] = (
    (Read("list", "", "configmaps"), lambda r: (r.core.list_config_map_for_all_namespaces, ())),
    (Read("list", "", "persistentvolumeclaims"),
     lambda r: (r.core.list_persistent_volume_claim_for_all_namespaces, ())),
    (Read("list", "storage.k8s.io", "storageclasses"), lambda r: (_storage(r).list_storage_class, ())),
    (Read("list", "storage.k8s.io", "volumeattachments"), lambda r: (_storage(r).list_volume_attachment, ())),
    (Read("list", "apps", "deployments"), lambda r: (r.apps.list_deployment_for_all_namespaces, ())),
    (Read("list", "batch", "jobs"), lambda r: (_batch(r).list_job_for_all_namespaces, ())),
)
"""Permission probes for the apiserver-access check, in the shape of its own ``PROBES``."""
