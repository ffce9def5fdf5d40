"""Open a guarded Kubernetes API client: in-cluster, a kubeconfig context, or a snapshot folder.

Every client built here has the read-only guard installed before it is returned, and
never writes the kubeconfig back (token refreshes stay in memory).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import __version__
from bot.checks._guard import install_guard
from bot.checks.errors import NoCluster
from bot.checks.settings import ChecksSettings

DEFAULT_KUBECONFIG = "~/.kube/config"
NO_CLUSTER_HINT = ("set KUBECONFIG (or K8SFIX_CHECKS_CONTEXTS for the bot), run the bot in a pod with its "
                   "ServiceAccount (deploy/rbac/clusterrole.yaml), or check a dump with --snapshot DIR")


@dataclass(frozen=True)
class Apis:
    """The typed API groups the checks read, built once per connection (importing them is slow)."""

    core: Any
    apps: Any
    networking: Any
    apiregistration: Any
    autoscaling: Any
    version: Any

    @classmethod
    def for_client(cls, api_client: Any) -> Apis:
        """Instantiate every API group on ``api_client``."""
        from kubernetes import client as k8s

        return cls(core=k8s.CoreV1Api(api_client), apps=k8s.AppsV1Api(api_client),
                   networking=k8s.NetworkingV1Api(api_client),
                   apiregistration=k8s.ApiregistrationV1Api(api_client),
                   autoscaling=k8s.AutoscalingV2Api(api_client), version=k8s.VersionApi(api_client))


@dataclass(frozen=True)
class Connection:
    """A guarded API client, its API groups, and the name of what it looks at."""

    cluster: str
    api_client: Any
    server: str
    apis: Apis
    snapshot: bool = False

    def close(self) -> None:
        """Release pooled connections."""
        with contextlib.suppress(Exception):  # closing is best effort
            self.api_client.rest_client.pool_manager.clear()


def kubeconfig_paths(settings: ChecksSettings) -> list[Path]:
    """The kubeconfig files named by the settings that exist."""
    raw = settings.kubeconfig or DEFAULT_KUBECONFIG
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip() and Path(p).expanduser().is_file()]


def connect(settings: ChecksSettings, *, context: str | None = None,
            snapshot_dir: str | Path | None = None) -> Connection:
    """Build a guarded ApiClient for the snapshot, the in-cluster account or a kubeconfig context.

    Raises:
        NoCluster: nothing to connect with, or the context is unknown or not allowed; the
            message says which, ``hint`` what to do.
    """
    from kubernetes import client as k8s

    if snapshot_dir is not None:
        return _snapshot_connection(Path(snapshot_dir))
    if settings.in_cluster and context is None:
        from kubernetes.config import ConfigException, load_incluster_config

        configuration = k8s.Configuration()
        try:
            load_incluster_config(client_configuration=configuration)
        except (ConfigException, OSError) as exc:
            raise NoCluster(f"in-cluster configuration failed: {exc}", NO_CLUSTER_HINT) from None
        return _connection("in-cluster", configuration)
    return _kubeconfig_connection(settings, context)


def _connection(name: str, configuration: Any) -> Connection:
    from kubernetes import client as k8s

    configuration.retries = False  # one attempt: the check's own deadline decides when to give up
    api_client = k8s.ApiClient(configuration)
    api_client.user_agent = f"k8sfix-checks/{__version__}"
    install_guard(api_client)
    return Connection(cluster=name, api_client=api_client, server=str(configuration.host),
                      apis=Apis.for_client(api_client))


def _kubeconfig_connection(settings: ChecksSettings, context: str | None) -> Connection:
    from kubernetes import client as k8s
    from kubernetes.config import ConfigException, list_kube_config_contexts, load_kube_config

    paths = kubeconfig_paths(settings)
    if not paths:
        where = settings.kubeconfig or DEFAULT_KUBECONFIG
        raise NoCluster(f"no kubeconfig found at {where} and not running in a cluster", NO_CLUSTER_HINT)
    config_file = os.pathsep.join(str(p) for p in paths)
    try:
        contexts, active = list_kube_config_contexts(config_file)
    except (ConfigException, OSError, ValueError) as exc:
        raise NoCluster(f"cannot read kubeconfig {config_file}: {exc}", NO_CLUSTER_HINT) from None
    names = [c.get("name", "") for c in contexts or []]
    if context is None:
        context = settings.contexts[0] if settings.contexts else (active or {}).get("name")
    if not context:
        raise NoCluster(f"kubeconfig {config_file} has no current context", "pass --context NAME")
    if not settings.context_allowed(context):
        raise NoCluster(f"context {context!r} is not allowed for cluster checks",
                        f"allowed: {', '.join(settings.contexts)}; add it to K8SFIX_CHECKS_CONTEXTS")
    if context not in names:
        raise NoCluster(f"kubeconfig has no context {context!r}",
                        f"contexts in {config_file}: {', '.join(names) or 'none'}")
    configuration = k8s.Configuration()
    try:
        load_kube_config(config_file=config_file, context=context, client_configuration=configuration,
                         persist_config=False)
    except Exception as exc:  # auth plugins raise anything; report, never crash
        raise NoCluster(f"cannot load context {context!r} from {config_file}: {exc}",
                        "check the context's user credentials (kubectl config view --minify)") from None
    return _connection(context, configuration)


def _snapshot_connection(root: Path) -> Connection:
    from kubernetes import client as k8s

    from bot.checks._snapshot import SnapshotTransport, is_snapshot_dir

    if not is_snapshot_dir(root):
        raise NoCluster(f"{root} is not a cluster dump folder (no nodes.json, no <namespace>/pods.json)",
                        "create one with: kubectl cluster-info dump --all-namespaces --output-directory DIR")
    configuration = k8s.Configuration(host="http://snapshot.invalid")
    api_client = k8s.ApiClient(configuration)
    api_client.rest_client.pool_manager = SnapshotTransport(root)  # type: ignore[assignment]
    install_guard(api_client)
    return Connection(cluster=f"snapshot:{root}", api_client=api_client, server=str(root),
                      apis=Apis.for_client(api_client), snapshot=True)
