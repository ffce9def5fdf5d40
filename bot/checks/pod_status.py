"""pod-status: why a pod's containers do not run: waiting reasons, last exits, restarts, probes, config.

For one pod (``--pod``, or a name found in the paste), a namespace, or every namespace. Secrets are
never read: a missing Secret is known only from the pod's events (``secret "x" not found``);
missing ConfigMaps and keys from listing the namespace's ConfigMaps (names and keys, never values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from bot.checks._container_states import (
    IMAGE_PULL_TOPICS,
    PULL_RULES,
    PULL_WAITING,
    START_ERROR,
    START_REASONS,
    Missing,
    config_map_keys,
    config_refs,
    exit_meaning,
    missing_config_maps,
    missing_refs,
    pull_topic,
)
from bot.checks._objects import plural, pod_problem, ref
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "pod-status"
RESTART_THRESHOLD = 3
"""Restarts from which a running container counts as crash looping."""
MAX_CONFIG_NAMESPACES = 10
"""ConfigMap lists per run at most (one per namespace with a failing pod)."""
PROBE_FAILED = re.compile(r"\b(Liveness|Readiness|Startup) probe failed|failed (liveness|startup) probe", re.I)
LIVENESS = re.compile(r"\b(Liveness|Startup) probe failed|failed (liveness|startup) probe", re.I)
PULL_WORDS = re.compile(r"pull|image", re.I)
MAX_CAUSE = 220
IMAGE = re.compile(r"image \"[^\"]{1,200}\"")
SUMMARIES = {
    "image-pull-auth": "pods cannot pull their image: the registry refuses the pull (credentials, private "
                       "repository)",
    "image-pull-not-found": "pods cannot pull their image: the image or tag does not exist",
    "image-pull-registry-tls": "pods cannot pull their image: the registry's TLS certificate is not trusted",
    "image-pull-rate-limit": "pods cannot pull their image: the registry's pull rate limit is reached",
    "container-config-missing": "containers cannot be created: a ConfigMap, Secret or key they use is missing",
    "container-start-error": "containers cannot start their command",
    "init-container-failing": "init containers fail, so the pods never start",
    "oom-killed": "containers are OOMKilled: they use more memory than their limit",
    "probe-failures": "probes fail: the kubelet restarts the containers or keeps them out of the endpoints",
    "crashloop-app-exit": "containers keep exiting on their own (CrashLoopBackOff)",
}


@dataclass(frozen=True)
class Finding:
    """One thing wrong with one container or pod, and the topic it points at (None: no topic)."""

    topic: str | None
    text: str
    unclear: bool = False
    """True when the check sees a failure but cannot tell its cause."""


def _is_flannel(pod: Any) -> bool:
    return (pod.metadata.labels or {}).get("app") == "flannel" or "flannel" in (pod.metadata.name or "")


def _memory_limit(pod: Any, container: str) -> str:
    for c in [*(pod.spec.init_containers or []), *(pod.spec.containers or [])]:
        if c.name == container and c.resources is not None and c.resources.limits:
            limit = c.resources.limits.get("memory")
            return f", memory limit {limit}" if limit else ", no memory limit"
    return ", no memory limit"


def _exit_text(terminated: Any) -> str:
    code = int(terminated.exit_code if terminated.exit_code is not None else -1)
    reason = f" {terminated.reason}" if terminated.reason and terminated.reason not in ("Error",) else ""
    return f"last exit {code}{reason} ({exit_meaning(code)})"


def _crash_topic(terminated: Any, liveness_failing: bool) -> str:
    """The topic of a container that keeps exiting, from its last termination."""
    if terminated is None:
        return "probe-failures" if liveness_failing else "crashloop-app-exit"
    code = terminated.exit_code
    if terminated.reason == "OOMKilled":
        return "oom-killed"
    if terminated.reason in START_REASONS or code in (126, 127, 128) or START_ERROR.search(terminated.message or ""):
        return "container-start-error"
    if liveness_failing:
        return "probe-failures"
    return "crashloop-app-exit"


def pull_cause(message: str, start: int) -> str:
    """``image "X": <the registry's own words>`` out of a runtime's long, repetitive pull error."""
    image = IMAGE.search(message)
    cut = message.rfind('": ', 0, start)
    cause = message[cut + 3:] if cut >= 0 else message
    text = f"{image.group(0)}: {cause}" if image is not None and image.group(0) not in cause else cause
    return text if len(text) <= MAX_CAUSE else text[: MAX_CAUSE - 1] + "…"


def _pull_finding(where: str, reason: str, message: str, pull_messages: list[str]) -> Finding:
    texts = [message, *pull_messages]
    topic = next((t for t in (pull_topic(m) for m in texts) if t), None)
    detail = next((m for m in texts if pull_topic(m) == topic), "") if topic else ""
    shown = detail or message or (pull_messages[0] if pull_messages else "")
    if topic and (m := dict(PULL_RULES)[topic].search(shown)):
        shown = pull_cause(shown, m.start())
    text = f"{where} {reason}" + (f": {shown}" if shown else "")
    if topic is None:
        return Finding(None, text + " (the cause is not in the pod's status or events: kubectl describe pod)",
                       unclear=True)
    return Finding(topic, text)


def container_findings(pod: Any, messages: list[str]) -> list[Finding]:
    """What is wrong with each container of ``pod``, given the messages of its Warning events."""
    status = pod.status
    if status is None:
        return []
    found: list[Finding] = []
    name = ref(pod)
    pulls = [m for m in messages if PULL_WORDS.search(m)]
    liveness = any(LIVENESS.search(m) for m in messages)
    flannel = _is_flannel(pod)
    for init, statuses in ((True, status.init_container_statuses or []), (False, status.container_statuses or [])):
        for cs in statuses:
            where = f"{name}: {'init container' if init else 'container'} {cs.name}"
            state, last = cs.state, cs.last_state
            waiting = state.waiting if state else None
            terminated = state.terminated if state else None
            previous = last.terminated if last else None
            restarts = int(cs.restart_count or 0)
            reason = (waiting.reason if waiting else None) or ""
            message = " ".join(str((waiting.message if waiting else "") or "").split())
            if reason in PULL_WAITING:
                found.append(_pull_finding(where, reason, message, pulls))
            elif reason == "CreateContainerConfigError" or (reason == "CreateContainerError"
                                                            and missing_refs([message])):
                found.append(Finding("container-config-missing", f"{where} {reason}: {message}".rstrip(": ")))
            elif reason in START_REASONS:
                found.append(Finding("container-start-error", f"{where} {reason}: {message}".rstrip(": ")))
            elif init and (reason == "CrashLoopBackOff" or (terminated is not None and terminated.exit_code)):
                last_exit = terminated if terminated is not None and terminated.exit_code else previous
                exit_text = f", {_exit_text(last_exit)}" if last_exit is not None else ""
                text = f"{where} {reason or 'Error'}, {plural(restarts, 'restart')}{exit_text}"
                if flannel:
                    found.append(Finding(None, text + " (flannel's own init container: see the windows-nodes "
                                         "check)"))
                elif last_exit is not None and last_exit.reason == "OOMKilled":
                    found.append(Finding("oom-killed", text + _memory_limit(pod, cs.name)))
                else:
                    found.append(Finding("init-container-failing", text))
            elif not init and (reason == "CrashLoopBackOff" or (terminated is not None and terminated.exit_code)
                               or (restarts >= RESTART_THRESHOLD and previous is not None)):
                last_exit = terminated if terminated is not None and terminated.exit_code else previous
                topic = _crash_topic(last_exit, liveness)
                exit_text = f", {_exit_text(last_exit)}" if last_exit is not None else ""
                state_text = reason or ("Running" if state and state.running else "Terminated")
                text = f"{where} {state_text}, {plural(restarts, 'restart')}{exit_text}"
                if topic == "oom-killed":
                    text += _memory_limit(pod, cs.name)
                if last_exit is not None and last_exit.message and topic == "container-start-error":
                    text += f": {' '.join(last_exit.message.split())}"
                found.append(Finding(topic, text))
            elif not init and previous is not None and previous.reason == "OOMKilled" and restarts:
                found.append(Finding("oom-killed", f"{where} restarted after OOMKilled, "
                                     f"{plural(restarts, 'restart')}, {_exit_text(previous)}"
                                     f"{_memory_limit(pod, cs.name)}"))
    probes = [m for m in messages if PROBE_FAILED.search(m)]
    if probes and not any(f.topic == "probe-failures" for f in found):
        found.append(Finding("probe-failures", f"{name}: {probes[0]}"))
    return found


def _event_messages(events: list[Any]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for event in events:
        obj = event.involved_object
        if obj is None or (obj.kind and obj.kind != "Pod"):
            continue
        message = " ".join(str(event.message or "").split())
        out.setdefault((obj.namespace or "", obj.name or ""), []).append(message)
    return out


def _select(reader: ClusterReader, inputs: CheckInputs) -> tuple[list[Any], str, str | None]:
    """The pods to look at, how to name that scope, and a note when the named pod is gone."""
    namespace = inputs.namespace
    if inputs.pod:
        pods = reader.list_light("pods", namespace, field_selector=f"metadata.name={inputs.pod}")
        if pods:
            return pods, f"pod {ref(pods[0])}", None
        if not namespace:
            return [], f"pod {inputs.pod}", f"pod {inputs.pod} does not exist in any namespace (it may have been " \
                "replaced: run again with -n NAMESPACE to look at its namespace)"
        return reader.list_light("pods", namespace), f"namespace {namespace}", \
            f"pod {inputs.pod} no longer exists in {namespace}; looked at the namespace's pods"
    pods = reader.list_light("pods", namespace)
    return pods, f"namespace {namespace}" if namespace else "all namespaces", None


def _exists_now(item: Missing, existing: dict[str, set[str]]) -> bool:
    """True when an event's missing ConfigMap (or key) has been created since."""
    if item.kind != "ConfigMap" or item.name not in existing:
        return False
    return item.key is None or item.key in existing[item.name]


def _config_findings(reader: ClusterReader, pods: list[Any], messages: dict[tuple[str, str], list[str]],
                     evidence: list[str]) -> list[Finding]:
    """Missing ConfigMaps/keys (by listing ConfigMaps) and missing Secrets (from events only)."""
    found: list[Finding] = []
    listed: dict[str, dict[str, set[str]] | None] = {}
    skipped: set[str] = set()
    for pod in pods:
        namespace = pod.metadata.namespace or ""
        from_events = missing_refs(messages.get((namespace, pod.metadata.name or ""), []))
        refs = config_refs(pod)
        missing: list[Missing] = list(from_events)
        wants_list = any(r.kind == "ConfigMap" for r in refs) and namespace not in listed
        if wants_list and len(listed) >= MAX_CONFIG_NAMESPACES:
            skipped.add(namespace)
        elif wants_list:
            items, note = reader.try_read(partial(reader.list_light, "configmaps", namespace))
            listed[namespace] = None if items is None else {c.metadata.name: config_map_keys(c) for c in items}
            if note:
                evidence.append(f"ConfigMaps of {namespace} not read: {note}")
        existing = listed.get(namespace)
        if existing is not None:
            missing = [m for m in missing if not _exists_now(m, existing)]
            missing += [m for m in missing_config_maps(refs, existing) if m not in missing]
        for item in missing:
            listed_missing = item.kind == "ConfigMap" and existing is not None
            source = "; ".join((["from the pod's events"] if item in from_events else [])
                               + (["not among the namespace's ConfigMaps"] if listed_missing else []))
            found.append(Finding("container-config-missing", f"{ref(pod)}: {item.describe()} ({source})"))
        secrets = sorted({r.name for r in refs if r.kind == "Secret"} - {m.name for m in missing
                                                                        if m.kind == "Secret"})
        if missing and secrets:
            evidence.append(f"{ref(pod)} also uses Secret(s) {', '.join(secrets[:5])}: their existence is not "
                            "checked (Secrets are never read); no event says they are missing")
    if skipped:
        evidence.append(f"ConfigMaps not compared in {plural(len(skipped), 'more namespace')} "
                        f"({', '.join(sorted(skipped)[:3])}...): run with -n NAMESPACE")
    return found


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Diagnose the containers of the pod, namespace or cluster ``inputs`` name."""
    topics = CHECKS[CHECK_ID].topics
    pods, scope, note = _select(reader, inputs)
    if not pods:
        return CheckResult(CHECK_ID, "inconclusive", note or f"no pods in {scope}", (), topics)
    evidence: list[str] = [note] if note else []
    if inputs.pod and len(pods) == 1 and not note:
        selector = f"involvedObject.name={inputs.pod},type=Warning"
        events, why = reader.try_read(lambda: reader.list_light("events", pods[0].metadata.namespace,
                                                                field_selector=selector))
    else:
        events, why = reader.try_read(lambda: reader.list_light("events", inputs.namespace,
                                                                field_selector="involvedObject.kind=Pod,type=Warning"))
    if why:
        evidence.append(f"pod events not read ({why}): judged from the pods' status alone")
    messages = _event_messages(events or [])
    findings: list[Finding] = []
    failing: list[Any] = []
    others: list[str] = []
    for pod in pods:
        if pod.status is not None and pod.status.phase == "Succeeded":
            continue
        own = container_findings(pod, messages.get((pod.metadata.namespace or "", pod.metadata.name or ""), []))
        findings.extend(own)
        problem = pod_problem(pod)
        if own or problem or (inputs.pod and len(pods) == 1):
            failing.append(pod)
        if problem and not own:
            others.append(f"{ref(pod)}: {problem}")
    config = _config_findings(reader, failing, messages, evidence)
    findings.extend(config)
    explained = {f.text.split(":", 1)[0] for f in config}
    others = [line for line in others if line.split(":", 1)[0] not in explained]
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        evidence.append(f"not a container failure: {shown} (see the scheduling and volumes checks)")
    found = {f.topic for f in findings if f.topic}
    lines = [f.text for f in findings]
    capped = [line for line in evidence if line.startswith("ConfigMaps not compared")]
    lines = capped + lines  # first: it says what the rest does not cover, and long evidence is cut
    evidence = [line for line in evidence if line not in capped]
    if found:
        ordered = tuple(t for t in topics if t in found)
        bad = {f.text.split(":", 1)[0] for f in findings if f.topic}
        where = scope if scope.startswith("pod ") else f"{plural(len(bad), 'pod')} in {scope}"
        summary = f"{SUMMARIES[ordered[0]]} ({where})"
        return CheckResult(CHECK_ID, "confirmed", summary, tuple(lines + evidence), ordered)
    if any(f.unclear for f in findings):
        return CheckResult(CHECK_ID, "inconclusive", f"image pulls fail in {scope}, for a reason the status and "
                           "events do not show", tuple(lines + evidence),
                           tuple(t for t in topics if t in IMAGE_PULL_TOPICS))
    where = scope if scope.startswith("pod ") else f"{plural(len(pods), 'pod')} in {scope}"
    summary = (f"{where}: no container waiting on an error, none restarting "
               f"{RESTART_THRESHOLD} times or more, no failing probe, no missing ConfigMap")
    return CheckResult(CHECK_ID, "not confirmed", summary, tuple(lines + evidence), topics)
