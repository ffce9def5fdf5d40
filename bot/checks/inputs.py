"""Find the pod, node, namespace and Service a pasted log line or event talks about.

Rules are data: ``(input, pattern)`` pairs tried in order; the first valid DNS-1123 name
wins for each input. Nothing found is simply left unset; nothing invalid is ever returned.
"""

from __future__ import annotations

import re

from bot.checks.types import CheckInputs, is_dns1123_label, is_dns1123_subdomain

_NAME = r"([a-z0-9][-a-z0-9.]*[a-z0-9]|[a-z0-9])"
_Q = r"[\"'`]?"
_FAILING = (r"(?:ErrImagePull|ImagePullBackOff|ErrImageNeverPull|InvalidImageName|CrashLoopBackOff|"
            r"CreateContainerConfigError|CreateContainerError|RunContainerError|StartError|OOMKilled|Error|Pending|"
            r"ContainerCreating|Init:[A-Za-z0-9:/]+)(?=\s|$)")
"""kubectl STATUS values of a pod that is not running well."""
_DESCRIBE_HEAD = "(?:Namespace|Priority|Priority Class Name|Runtime Class Name|Service Account)"

RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # klog structured: pod="kube-system/coredns-abc" or pod="coredns-abc"
    ("pod", re.compile(rf"\bpods?=\"?(?:{_NAME}/)?{_NAME}\"?")),
    ("pod", re.compile(rf"\bpods?\s*[/ ]\s*{_Q}(?:{_NAME}/)?{_NAME}{_Q}(?=[\s\"'`:,.;)]|$)", re.IGNORECASE)),
    ("pod", re.compile(rf"\bpods?\s+{_Q}(?:{_NAME}/)?{_NAME}{_Q}\s+(?:not found|is|in|on|failed)", re.IGNORECASE)),
    ("pod", re.compile(rf"\bpod sandbox for pod {_Q}(?:{_NAME}/)?{_NAME}")),
    # kubectl get pods [-A] rows in a failing state, describe pod headers, kubelet and scheduler events
    ("pod", re.compile(rf"(?m)^{_NAME}\s+{_NAME}\s+\d+/\d+\s+{_FAILING}")),
    ("pod", re.compile(rf"(?m)^{_NAME}\s+\d+/\d+\s+{_FAILING}")),
    ("pod", re.compile(rf"(?m)^Name:\s+{_NAME}[ \t]*\n(?:{_DESCRIBE_HEAD}:[^\n]*\n){{0,6}}Node:")),
    ("pod", re.compile(rf"\bSuccessfully assigned {_NAME}/{_NAME} to ")),
    ("pod", re.compile(rf"\bin pod {_NAME}_[a-z0-9][-a-z0-9]*\(")),
    ("namespace", re.compile(rf"\bin pod [a-z0-9][-a-z0-9.]*_{_NAME}\(")),
    ("namespace", re.compile(rf"(?m)^Namespace:\s+{_NAME}[ \t]*$")),
    ("node", re.compile(rf"\bnode(?:Name)?\s*[=:/]\s*{_Q}{_NAME}{_Q}", re.IGNORECASE)),
    ("node", re.compile(rf"\bnodes?\s+{_Q}{_NAME}{_Q}(?=\s+(?:status|is|not|has|was)|[\"'`:,;]|\s*$)", re.IGNORECASE)),
    ("node", re.compile(rf"\bon node {_Q}{_NAME}{_Q}", re.IGNORECASE)),
    ("service", re.compile(rf"\bservices?\s+{_Q}{_NAME}{_Q}\s+not found", re.IGNORECASE)),
    ("service", re.compile(rf"\b(?:svc|services?)\s*/\s*{_NAME}", re.IGNORECASE)),
    ("service", re.compile(rf"\bservices?\s+{_Q}{_NAME}{_Q}(?=\s+(?:has|in|is|does|with)\b)", re.IGNORECASE)),
    ("service", re.compile(rf"\bservice[=:]\s*{_Q}(?:{_NAME}/)?{_NAME}{_Q}", re.IGNORECASE)),
    ("service", re.compile(rf"resolve host(?: address)?\s+{_Q}{_NAME}\.?{_Q}", re.IGNORECASE)),
    ("service", re.compile(rf"\bResolving {_NAME} \(", re.IGNORECASE)),
    ("namespace", re.compile(rf"(?:^|\s)(?:-n|--namespace)[= ]\s*{_NAME}")),
    ("namespace", re.compile(rf"\bnamespaces?[=:]\s*{_Q}{_NAME}{_Q}", re.IGNORECASE)),
    ("namespace", re.compile(rf"\bnamespaces?\s+{_Q}{_NAME}{_Q}(?=\s|[\"'`:,;.]|$)", re.IGNORECASE)),
    ("namespace", re.compile(rf"\bin (?:the )?{_Q}{_NAME}{_Q} namespace", re.IGNORECASE)),
)
STOPWORDS = frozenset({"is", "in", "on", "not", "the", "a", "an", "has", "was", "status", "name", "names",
                       "for", "and", "or", "with", "to", "of", "found", "ready", "notready"})
SERVICE_FQDN = re.compile(r"^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.[a-z0-9.-]+)?$")
_VALID = {"pod": is_dns1123_subdomain, "node": is_dns1123_subdomain,
          "service": is_dns1123_label, "namespace": is_dns1123_label}


def _candidates(kind: str, match: re.Match[str]) -> list[tuple[str, str]]:
    """(input, value) pairs one match yields: a ``ns/name`` also gives the namespace."""
    groups = [g for g in match.groups()]
    if len(groups) == 2 and kind in ("pod", "service"):
        namespace, name = groups
        out = [(kind, name)]
        if namespace:
            out.append(("namespace", namespace))
        return out
    return [(kind, groups[-1])]


def inputs_from_text(text: str) -> CheckInputs:
    """The names a pasted log line or event mentions, each a valid DNS-1123 name or unset."""
    found: dict[str, str] = {}
    for kind, pattern in RULES:
        for match in pattern.finditer(text or ""):
            for key, value in _candidates(kind, match):
                value = value.strip(".").lower() if key in ("service", "namespace") else value.strip(".")
                if key == "service" and (fqdn := SERVICE_FQDN.match(value)):
                    value = fqdn.group(1)
                    if is_dns1123_label(fqdn.group(2)):
                        found.setdefault("namespace", fqdn.group(2))
                elif key == "service" and "." in value:
                    value = value.split(".")[0]
                if key in found or value.lower() in STOPWORDS or not _VALID[key](value):
                    continue
                found[key] = value
    return CheckInputs(**found)
