"""Pure helpers that read container states, exit codes, image-pull errors and config references.

Rules are data: ordered ``(topic, pattern)`` pairs, the first match wins, so a message that fits
two causes (Docker's "pull access denied ... repository does not exist") lands where the KB puts it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

EXIT_MEANINGS: dict[int, str] = {
    0: "the process finished successfully, but a container that must keep running needs a long-running "
       "command",
    1: "application error: the process failed on its own (read the previous container's logs)",
    2: "misuse of the command or its arguments",
    126: "command not executable (permission denied, or not a binary for this image)",
    127: "command not found in the image",
    128: "the container runtime could not start the process",
    130: "SIGINT: interrupted",
    134: "SIGABRT: the process aborted (assertion, runtime or JVM crash)",
    137: "SIGKILL: killed from outside, by the OOM killer or after the grace period of a stop",
    139: "SIGSEGV: segmentation fault",
    143: "SIGTERM: asked to stop (a failed liveness probe, a rollout or a node drain)",
    255: "exit status out of range, or a generic fatal error",
}
SIGNALS = {1: "SIGHUP", 2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM"}


def exit_meaning(code: int) -> str:
    """What an exit code usually means, e.g. ``137`` -> ``SIGKILL: killed from outside ...``."""
    if code in EXIT_MEANINGS:
        return EXIT_MEANINGS[code]
    if 128 < code < 160:
        signal = code - 128
        return f"killed by signal {signal}" + (f" ({SIGNALS[signal]})" if signal in SIGNALS else "")
    return "application-specific exit code (see the application's documentation and logs)"


PULL_WAITING = frozenset({"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName",
                          "RegistryUnavailable"})
PULL_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("image-pull-rate-limit", re.compile(r"toomanyrequests|429 Too Many Requests|pull rate limit", re.I)),
    ("image-pull-registry-tls", re.compile(
        r"x509:|certificate signed by unknown authority|tls: failed to verify certificate|"
        r"server gave HTTP response to HTTPS client|certificate is not valid for", re.I)),
    ("image-pull-auth", re.compile(
        r"pull access denied|401 Unauthorized|403 Forbidden|no basic auth credentials|authorization failed|"
        r"unauthorized: |requested access to the resource is denied|may require 'docker login'|"
        r"may require authorization|authentication required|insufficient_scope", re.I)),
    ("image-pull-not-found", re.compile(
        r"manifest unknown|: not found\b|no matching manifest for|manifest for \S+ not found|"
        r"repository \S+ not found|name unknown", re.I)),
)
"""Image-pull failure messages by topic, most specific first."""
IMAGE_PULL_TOPICS = tuple(topic for topic, _ in PULL_RULES)


def pull_topic(message: str) -> str | None:
    """The image-pull topic a kubelet pull-failure message points at, or None when it is unclear."""
    for topic, pattern in PULL_RULES:
        if pattern.search(message or ""):
            return topic
    return None


START_ERROR = re.compile(r"exec format error|executable file not found|no such file or directory|"
                         r"permission denied|failed to create containerd task|OCI runtime (?:create|exec) failed|"
                         r"error during container init|starting container process caused", re.I)
START_REASONS = frozenset({"RunContainerError", "StartError", "ContainerCannotRun", "CreateContainerError"})
CONFIG_MISSING = re.compile(
    r"(?P<kind>configmap|secret)s? \"(?P<name>[a-z0-9][-a-z0-9.]*)\" not found|"
    r"couldn't find key (?P<key>\S+) in (?P<kind2>ConfigMap|Secret) (?P<ref>[-a-z0-9.]+/[-a-z0-9.]+)", re.I)
"""The kubelet's words for a missing ConfigMap, Secret or key (events and waiting messages)."""


@dataclass(frozen=True)
class Missing:
    """A ConfigMap or Secret (or one of its keys) the kubelet could not find."""

    kind: str
    """``ConfigMap`` or ``Secret``."""
    name: str
    key: str | None = None

    def describe(self) -> str:
        """E.g. ``Secret "db" not found`` or ``key url not in ConfigMap "app"``."""
        if self.key:
            return f'key {self.key} not in {self.kind} "{self.name}"'
        return f'{self.kind} "{self.name}" not found'


def missing_refs(messages: Iterable[str]) -> list[Missing]:
    """Every missing ConfigMap, Secret or key the messages name, first seen first."""
    found: dict[Missing, None] = {}
    for message in messages:
        for m in CONFIG_MISSING.finditer(message or ""):
            if m.group("name"):
                kind = "ConfigMap" if m.group("kind").lower() == "configmap" else "Secret"
                found.setdefault(Missing(kind, m.group("name")))
            else:
                kind = "ConfigMap" if m.group("kind2").lower() == "configmap" else "Secret"
                found.setdefault(Missing(kind, m.group("ref").split("/", 1)[1], m.group("key")))
    return list(found)


@dataclass(frozen=True)
class ConfigRef:
    """A ConfigMap or Secret a pod refers to: by volume, envFrom or one key."""

    kind: str
    name: str
    key: str | None = None
    optional: bool = False


def _source_refs(source: Any, kind: str) -> list[ConfigRef]:
    if source is None or not source.name:
        return []
    return [ConfigRef(kind, source.name, None, bool(source.optional))]


def config_refs(pod: Any) -> list[ConfigRef]:
    """Every ConfigMap and Secret the pod's volumes and containers (init included) refer to."""
    spec = pod.spec
    refs: list[ConfigRef] = []
    for volume in (spec and spec.volumes) or []:
        if volume.config_map is not None:
            refs += [ConfigRef("ConfigMap", volume.config_map.name, None, bool(volume.config_map.optional))]
        if volume.secret is not None and volume.secret.secret_name:
            refs += [ConfigRef("Secret", volume.secret.secret_name, None, bool(volume.secret.optional))]
        for projected in (volume.projected.sources or []) if volume.projected is not None else []:
            refs += _source_refs(projected.config_map, "ConfigMap") + _source_refs(projected.secret, "Secret")
    for c in [*((spec and spec.init_containers) or []), *((spec and spec.containers) or [])]:
        for env_from in c.env_from or []:
            refs += _source_refs(env_from.config_map_ref, "ConfigMap") + _source_refs(env_from.secret_ref, "Secret")
        for env in c.env or []:
            source = env.value_from
            if source is None:
                continue
            for ref, kind in ((source.config_map_key_ref, "ConfigMap"), (source.secret_key_ref, "Secret")):
                if ref is not None and ref.name:
                    refs.append(ConfigRef(kind, ref.name, ref.key, bool(ref.optional)))
    return list(dict.fromkeys(refs))


def missing_config_maps(refs: Iterable[ConfigRef], existing: dict[str, set[str]]) -> list[Missing]:
    """Required ConfigMap references (and keys) absent from ``existing`` (name -> keys)."""
    out: dict[Missing, None] = {}
    for ref in refs:
        if ref.kind != "ConfigMap" or ref.optional:
            continue
        if ref.name not in existing:
            out.setdefault(Missing("ConfigMap", ref.name))
        elif ref.key and ref.key not in existing[ref.name]:
            out.setdefault(Missing("ConfigMap", ref.name, ref.key))
    return list(out)


def config_map_keys(config_map: Any) -> set[str]:
    """The keys of a ConfigMap (``data`` and ``binaryData``); the values are never looked at."""
    return set((config_map.data or {}).keys()) | set((config_map.binary_data or {}).keys())
