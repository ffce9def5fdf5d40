"""The reads of the pod, scheduling, volume and rollout checks: ConfigMaps, PVCs, storage, workloads.

Kept apart from :class:`bot.checks._reader.ClusterReader` so those checks add reads without
touching it: each function goes through :meth:`ClusterReader.call` (the same deadline, errors and
guard). :data:`READS` declares every API path these functions can request, for the RBAC
manifests and the guard's list of allowed paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def _items(result: Any) -> list[Any]:
    return list(result.items or [])


def config_maps(reader: ClusterReader, namespace: str) -> list[Any]:
    """ConfigMaps (V1ConfigMap) of ``namespace``; callers use names and keys, never values."""
    return _items(reader.call(Read("list", "", "configmaps", namespace), reader.core.list_namespaced_config_map,
                              namespace))


def pvcs(reader: ClusterReader, namespace: str | None = None) -> list[Any]:
    """PersistentVolumeClaims of ``namespace`` or of all namespaces."""
    if namespace:
        return _items(reader.call(Read("list", "", "persistentvolumeclaims", namespace),
                                  reader.core.list_namespaced_persistent_volume_claim, namespace))
    return _items(reader.call(Read("list", "", "persistentvolumeclaims"),
                              reader.core.list_persistent_volume_claim_for_all_namespaces))


def storage_classes(reader: ClusterReader) -> list[Any]:
    """Every StorageClass (cluster-scoped)."""
    return _items(reader.call(Read("list", "storage.k8s.io", "storageclasses"), _storage(reader).list_storage_class))


def volume_attachments(reader: ClusterReader) -> list[Any]:
    """Every VolumeAttachment (cluster-scoped): which CSI volume is attached to which node."""
    return _items(reader.call(Read("list", "storage.k8s.io", "volumeattachments"),
                              _storage(reader).list_volume_attachment))


def deployments(reader: ClusterReader, namespace: str | None = None) -> list[Any]:
    """Deployments of ``namespace`` or of all namespaces."""
    if namespace:
        return _items(reader.call(Read("list", "apps", "deployments", namespace),
                                  reader.apps.list_namespaced_deployment, namespace))
    return _items(reader.call(Read("list", "apps", "deployments"), reader.apps.list_deployment_for_all_namespaces))


def jobs(reader: ClusterReader, namespace: str | None = None) -> list[Any]:
    """Jobs of ``namespace`` or of all namespaces."""
    if namespace:
        return _items(reader.call(Read("list", "batch", "jobs", namespace), _batch(reader).list_namespaced_job,
                                  namespace))
    return _items(reader.call(Read("list", "batch", "jobs"), _batch(reader).list_job_for_all_namespaces))


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
