"""Where checks connect, how long they may take, and who may run them from Slack."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.errors import ConfigError

DEFAULT_TIMEOUT = 5.0
DEFAULT_BUDGET = 20.0
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True)
class ChecksSettings:
    """How the checks reach a cluster and how far they may go.

    Slack access is closed by default: with no allowed user and no allowed
    channel nobody may run checks from Slack. On the command line the user's
    own kubeconfig is the boundary, so the context allowlist does not apply.
    """

    enabled: bool = True
    kubeconfig: str | None = None
    """Kubeconfig path (or several, ``:``-separated); None means ``~/.kube/config``."""
    in_cluster: bool = False
    """Use the pod's ServiceAccount instead of a kubeconfig."""
    contexts: tuple[str, ...] = ()
    """Kubeconfig contexts the bot may use; empty: any context of its kubeconfig. The first is the default."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one check may take."""
    budget: float = DEFAULT_BUDGET
    """Seconds a whole run may take."""
    allowed_users: frozenset[str] = field(default_factory=frozenset)
    allowed_channels: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ChecksSettings:
        """Read the settings from ``environ`` (default: the process environment).

        Variables: ``K8SFIX_CHECKS_ENABLED`` (default true), ``K8SFIX_CHECKS_CONTEXTS``,
        ``K8SFIX_CHECKS_ALLOWED_USERS`` and ``K8SFIX_CHECKS_ALLOWED_CHANNELS`` (comma-separated),
        ``K8SFIX_CHECK_TIMEOUT`` and ``K8SFIX_CHECK_BUDGET`` (seconds), ``KUBECONFIG``. In a pod
        (``KUBERNETES_SERVICE_HOST`` set) with no ``KUBECONFIG`` the ServiceAccount is used.

        Raises:
            ConfigError: a variable has an invalid value; the message names it.
        """
        env = os.environ if environ is None else environ
        kubeconfig = env.get("KUBECONFIG", "").strip() or None
        return cls(
            enabled=_flag(env, "K8SFIX_CHECKS_ENABLED", default=True),
            kubeconfig=kubeconfig,
            in_cluster=kubeconfig is None and bool(env.get("KUBERNETES_SERVICE_HOST")),
            contexts=tuple(_names(env, "K8SFIX_CHECKS_CONTEXTS")),
            timeout=_seconds(env, "K8SFIX_CHECK_TIMEOUT", DEFAULT_TIMEOUT),
            budget=_seconds(env, "K8SFIX_CHECK_BUDGET", DEFAULT_BUDGET),
            allowed_users=frozenset(_names(env, "K8SFIX_CHECKS_ALLOWED_USERS")),
            allowed_channels=frozenset(_names(env, "K8SFIX_CHECKS_ALLOWED_CHANNELS")),
        )

    def may_run_from_slack(self, user_id: str, channel_id: str) -> bool:
        """True when checks are enabled and the Slack user or the channel is allowlisted."""
        if not self.enabled:
            return False
        return (bool(user_id) and user_id in self.allowed_users) or (
            bool(channel_id) and channel_id in self.allowed_channels)

    def context_allowed(self, context: str) -> bool:
        """True when ``context`` may be used: listed, or no allowlist is configured."""
        return not self.contexts or context in self.contexts


def _names(env: Mapping[str, str], name: str) -> list[str]:
    """Comma-separated names, blanks dropped, order kept, duplicates removed."""
    seen: dict[str, None] = {}
    for part in env.get(name, "").split(","):
        if part.strip():
            seen[part.strip()] = None
    return list(seen)


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={raw!r}: expected true or false")


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a number of seconds") from None
    if not 0 < value <= 600:
        raise ConfigError(f"{name}={raw!r}: expected seconds between 0 and 600")
    return value
