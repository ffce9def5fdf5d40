"""Open a guarded Kubernetes API client: in-cluster, a kubeconfig context, or a snapshot folder.

Every client built here has the read-only guard installed before it is returned, reads each
answer within its request's deadline (:mod:`bot.checks._transport`), and never writes the
kubeconfig back (token refreshes stay in memory). Only the client modules the checks use are
imported (``api_client``, ``configuration``, the kubeconfig loader, the models of what is
read); the generated API classes, megabytes of code, are never imported.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import __version__
from bot.checks._guard import guarded_api_client
from bot.checks.errors import NoCluster
from bot.checks.settings import ChecksSettings
from bot.redact import redact

DEFAULT_KUBECONFIG = "~/.kube/config"
NO_CLUSTER_HINT = ("set KUBECONFIG (or K8SFIX_CHECKS_CONTEXTS for the bot), run the bot in a pod with its "
                   "ServiceAccount (deploy/rbac/clusterrole.yaml), or check a dump with --snapshot DIR")


@dataclass(frozen=True)
class Connection:
    """A guarded API client and the name of what it looks at."""

    cluster: str
    api_client: Any
    server: str
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
    if snapshot_dir is not None:
        return _snapshot_connection(Path(snapshot_dir))
    if settings.in_cluster and context is None:
        from kubernetes.client.configuration import Configuration
        from kubernetes.config.config_exception import ConfigException
        from kubernetes.config.incluster_config import load_incluster_config

        configuration = Configuration()
        try:
            load_incluster_config(client_configuration=configuration)
        except (ConfigException, OSError) as exc:
            raise NoCluster(f"in-cluster configuration failed: {exc}", NO_CLUSTER_HINT) from None
        return _connection("in-cluster", configuration)
    return _kubeconfig_connection(settings, context)


def _connection(name: str, configuration: Any) -> Connection:
    from bot.checks._transport import BoundedTransport

    configuration.retries = False  # one attempt: the check's own deadline decides when to give up
    api_client = guarded_api_client(configuration, transport=BoundedTransport)
    api_client.user_agent = f"k8sfix-checks/{__version__}"
    return Connection(cluster=name, api_client=api_client, server=str(configuration.host))


class _RedactClientLogs(logging.Filter):
    """Redact what the Kubernetes client logs; keep this thread's messages while a kubeconfig loads.

    The kubeconfig loader logs a failing exec credential plugin's output (which may hold a
    token) with ``logging.error`` on the root logger.
    """

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("kubernetes") or "/kubernetes/" in record.pathname.replace("\\", "/"):
            try:
                message = redact(record.getMessage())
            except (TypeError, ValueError):  # arguments that do not fit the format: keep the text only
                message = redact(str(record.msg))
            record.msg, record.args = message, None
            captured = getattr(self.local, "messages", None)
            if captured is not None:
                captured.append(message)
        return True


@functools.cache
def _client_log_filter() -> _RedactClientLogs:
    """Install the redacting filter on the root and ``kubernetes`` loggers (once)."""
    log_filter = _RedactClientLogs()
    logging.getLogger().addFilter(log_filter)
    logging.getLogger("kubernetes").addFilter(log_filter)
    return log_filter


def _kubeconfig_connection(settings: ChecksSettings, context: str | None) -> Connection:
    from kubernetes.client.configuration import Configuration
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import list_kube_config_contexts, load_kube_config

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
    configuration = Configuration()
    log_filter = _client_log_filter()
    log_filter.local.messages = []
    try:
        load_kube_config(config_file=config_file, context=context, client_configuration=configuration,
                         persist_config=False)
    except Exception as exc:  # auth plugins raise anything; report, never crash
        raise NoCluster(f"cannot load context {context!r} from {config_file}: {redact(str(exc))}",
                        "check the context's user credentials (kubectl config view --minify)") from None
    finally:
        logged, log_filter.local.messages = log_filter.local.messages, None
    exec_failed = [m for m in logged if m.startswith("exec:")]
    if exec_failed and not configuration.api_key and not configuration.cert_file:
        raise NoCluster(f"the credential plugin of context {context!r} failed: {exec_failed[0][:300]}",
                        "run the plugin's login yourself (e.g. kubectl get nodes) and check its command "
                        "in the kubeconfig user's exec section")
    return _connection(context, configuration)


def _snapshot_connection(root: Path) -> Connection:
    from kubernetes.client.configuration import Configuration

    from bot.checks._snapshot import SnapshotTransport, is_snapshot_dir

    if not is_snapshot_dir(root):
        raise NoCluster(f"{root} is not a cluster dump folder (no nodes.json, no <namespace>/pods.json)",
                        "create one with: kubectl cluster-info dump --all-namespaces --output-directory DIR")
    configuration = Configuration(host="http://snapshot.invalid")
    api_client = guarded_api_client(configuration, transport=lambda _: SnapshotTransport(root))
    return Connection(cluster=f"snapshot:{root}", api_client=api_client, server=str(root), snapshot=True)
