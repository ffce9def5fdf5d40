"""Every API read the cluster checks may make: one declaration, three users.

The read-only guard lets through only the paths this declaration describes, the RBAC
manifests in ``deploy/rbac/`` grant exactly what it lists (``tests/checks/test_checks_rbac.py``
compares them, and compares both with the requests the checks really make against the fake
API server), and ``apiserver-access`` probes one list per resource here.

To let a check read another resource, add one :class:`ApiRead` line to :data:`READS`
(and the matching rule to ``deploy/rbac/clusterrole.yaml``); ``ClusterReader.list_of``,
``ClusterReader.list_light`` and ``ClusterReader.get_one`` then read it by its plural name.
Pure data: no Kubernetes client import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verb = Literal["get", "list"]


@dataclass(frozen=True)
class ApiRead:
    """One resource the checks read: where it lives, which verbs, and the client model it decodes to."""

    group: str
    """API group; ``""`` is the core group (``/api/v1``)."""
    version: str
    resource: str
    """Plural resource name as in the URL and in RBAC rules (``pods``, ``daemonsets``)."""
    kind: str
    """Client model of one object (``V1Pod``); a list decodes to ``kind + "List"``; ``str`` for plain text."""
    verbs: tuple[Verb, ...] = ("get", "list")
    cluster_scoped: bool = False
    subresource: str | None = None
    """Only ``log`` is ever allowed: other subresources (exec, attach, portforward, proxy) reach further."""
    namespaces: tuple[str, ...] = ()
    """When set, the read is allowed only in these namespaces (RBAC: a Role in each, not the ClusterRole)."""

    @property
    def rbac_resource(self) -> str:
        """The name an RBAC rule uses: ``pods`` or ``pods/log``."""
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource

    @property
    def prefix(self) -> str:
        """``/api/v1`` or ``/apis/GROUP/VERSION``."""
        return f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The URL path of a list (no ``name``) or of one object, in ``namespace`` or cluster-wide."""
        parts = [self.prefix]
        if namespace and not self.cluster_scoped:
            parts.append(f"namespaces/{namespace}")
        parts.append(self.resource)
        if name:
            parts.append(name)
            if self.subresource:
                parts.append(self.subresource)
        return "/".join(parts)

    def describe(self) -> str:
        """``pods`` or ``daemonsets.apps``, as kubectl and RBAC errors name it."""
        return f"{self.rbac_resource}.{self.group}" if self.group else self.rbac_resource


READS: tuple[ApiRead, ...] = (
    ApiRead("", "v1", "nodes", "V1Node", cluster_scoped=True),
    ApiRead("", "v1", "pods", "V1Pod", verbs=("list",)),
    ApiRead("", "v1", "pods", "str", verbs=("get",), subresource="log", namespaces=("kube-system", "kube-flannel")),
    ApiRead("", "v1", "services", "V1Service"),
    ApiRead("", "v1", "endpoints", "V1Endpoints"),
    ApiRead("", "v1", "events", "CoreV1Event", verbs=("list",)),
    ApiRead("apps", "v1", "daemonsets", "V1DaemonSet"),
    ApiRead("networking.k8s.io", "v1", "networkpolicies", "V1NetworkPolicy", verbs=("list",)),
    ApiRead("apiregistration.k8s.io", "v1", "apiservices", "V1APIService"),
    ApiRead("autoscaling", "v2", "horizontalpodautoscalers", "V2HorizontalPodAutoscaler", verbs=("list",)),
    ApiRead("", "v1", "configmaps", "V1ConfigMap", verbs=("list",)),
    ApiRead("", "v1", "persistentvolumeclaims", "V1PersistentVolumeClaim", verbs=("list",)),
    ApiRead("storage.k8s.io", "v1", "storageclasses", "V1StorageClass", verbs=("list",), cluster_scoped=True),
    ApiRead("storage.k8s.io", "v1", "volumeattachments", "V1VolumeAttachment", verbs=("list",), cluster_scoped=True),
    ApiRead("apps", "v1", "deployments", "V1Deployment", verbs=("list",)),
    ApiRead("apps", "v1", "statefulsets", "V1StatefulSet", verbs=("list",)),
    ApiRead("batch", "v1", "jobs", "V1Job", verbs=("list",)),
)
"""The allow-list. One line per resource (and per subresource); nothing else is ever requested."""

NON_RESOURCE_READS: frozenset[str] = frozenset({"/version", "/readyz"})
"""Non-resource URLs the checks read (``system:public-info-viewer`` allows them without a rule)."""

ALLOWED_QUERY = frozenset({"labelSelector", "fieldSelector", "limit", "continue", "container", "tailLines",
                           "limitBytes", "verbose", "resourceVersion", "timeoutSeconds"})
"""Query parameters a read may carry; ``watch`` and ``follow`` (streams that never end) are not among them."""


def find(resource: str, *, group: str | None = None, subresource: str | None = None) -> ApiRead:
    """The declared read of ``resource`` (plural), optionally in ``group``, with ``subresource``.

    Raises:
        KeyError: the resource is not declared, so no check may read it.
    """
    for read in READS:
        if read.resource == resource and read.subresource == subresource and (group is None or read.group == group):
            return read
    raise KeyError(f"{resource}{'/' + subresource if subresource else ''} is not in bot.checks.reads.READS")
