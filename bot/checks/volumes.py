"""volumes: PVCs that stay Pending, StorageClasses, provisioning events, mount and attach failures.

A Pending claim is explained by its StorageClass (none set and no default, a class that does not
exist) and its events (ProvisioningFailed, FailedBinding, waiting for an external provisioner).
FailedMount / FailedAttachVolume / Multi-Attach events count for pods that still wait; a mount
that fails on a missing ConfigMap or Secret belongs to the pod-status check, not here.
"""

from __future__ import annotations

import re
from typing import Any

from bot.checks._objects import event_count, one_line, plural, pod_ready, ref
from bot.checks._reader import ClusterReader
from bot.checks.catalog import CHECKS
from bot.checks.types import CheckInputs, CheckResult

CHECK_ID = "volumes"
DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                             "storageclass.beta.kubernetes.io/is-default-class")
MOUNT_REASONS = frozenset({"FailedMount", "FailedAttachVolume", "FailedMapVolume"})
CLAIM_WARNINGS = frozenset({"ProvisioningFailed", "FailedBinding"})
CONFIG_VOLUME = re.compile(r"(?:configmap|secret)s? \"[^\"]*\" not found", re.I)
MULTI_ATTACH = re.compile(r"Multi-Attach error for volume \"([^\"]+)\"", re.I)
MAX_PER_KIND = 5


def is_default(storage_class: Any) -> bool:
    """True when the StorageClass carries a default-class annotation set to ``true``."""
    annotations = (storage_class.metadata and storage_class.metadata.annotations) or {}
    return any(str(annotations.get(a, "")).lower() == "true" for a in DEFAULT_CLASS_ANNOTATIONS)


def claim_problem(claim: Any, classes: dict[str, Any] | None, consumers: set[str]) -> tuple[str, bool]:
    """Why a Pending claim is not bound, and whether that is a fault (False: it waits by design)."""
    name = f"PVC {ref(claim)}"
    wanted = claim.spec.storage_class_name if claim.spec else None
    if wanted is None:
        if classes is None:
            return f"{name} Pending, no StorageClass set (StorageClasses not read)", True
        defaults = [n for n, sc in classes.items() if is_default(sc)]
        if not defaults:
            return (f"{name} Pending: no StorageClass set and the cluster has no default StorageClass "
                    f"(classes: {', '.join(sorted(classes)) or 'none'})"), True
        return f"{name} Pending, no StorageClass set (the default is {defaults[0]})", True
    if wanted == "":
        return f"{name} Pending: storageClassName \"\" binds only to a matching PersistentVolume, none is free", True
    if classes is not None and wanted not in classes:
        return (f"{name} Pending: StorageClass {wanted} does not exist (classes: "
                f"{', '.join(sorted(classes)) or 'none'})"), True
    storage_class = classes.get(wanted) if classes else None
    mode = storage_class.volume_binding_mode if storage_class is not None else None
    if mode == "WaitForFirstConsumer" and ref(claim) not in consumers:
        return f"{name} Pending: StorageClass {wanted} is WaitForFirstConsumer and no pod uses the claim yet", False
    provisioner = f", provisioner {storage_class.provisioner}" if storage_class is not None else ""
    return f"{name} Pending (StorageClass {wanted}{provisioner})", True


def run(reader: ClusterReader, inputs: CheckInputs) -> CheckResult:
    """Look at the claims, classes, volume events and attachments of ``inputs.namespace`` (or all)."""
    topics = CHECKS[CHECK_ID].topics
    namespace = inputs.namespace
    scope = f"namespace {namespace}" if namespace else "the cluster"
    claims = reader.list_light("persistentvolumeclaims", namespace)
    evidence: list[str] = []
    found: set[str] = set()
    class_list, note = reader.try_read(lambda: reader.list_light("storageclasses"))
    classes = None if class_list is None else {sc.metadata.name: sc for sc in class_list}
    if note:
        evidence.append(f"StorageClasses not read: {note}")
    events, note = reader.try_read(lambda: reader.list_light("events", namespace, field_selector="type=Warning"))
    if note:
        evidence.append(f"Warning events not read: {note}")
    pods: list[Any] | None = None
    if inputs.pod:
        pods = reader.list_light("pods", namespace, field_selector=f"metadata.name={inputs.pod}")
        used = {f"{p.metadata.namespace}/{v.persistent_volume_claim.claim_name}" for p in pods
                for v in (p.spec.volumes or []) if v.persistent_volume_claim is not None}
        claims = [c for c in claims if ref(c) in used]
        scope = f"pod {inputs.pod}"
    pending = [c for c in claims if c.status is not None and c.status.phase in ("Pending", "Lost")]
    mount_events = [e for e in events or [] if e.reason in MOUNT_REASONS and e.involved_object is not None
                    and (not inputs.pod or e.involved_object.name == inputs.pod)]
    if pods is None and (mount_events or pending):
        pods = reader.list_light("pods", namespace)
    consumers = {f"{p.metadata.namespace}/{v.persistent_volume_claim.claim_name}" for p in pods or []
                 for v in (p.spec.volumes or []) if v.persistent_volume_claim is not None}
    claim_events: dict[str, list[str]] = {}
    if pending:
        pvc_events, note = reader.try_read(lambda: reader.list_light("events",
            namespace, field_selector="involvedObject.kind=PersistentVolumeClaim"))
        for event in pvc_events or []:
            obj = event.involved_object
            claim_events.setdefault(f"{obj.namespace}/{obj.name}", []).append(
                f"{event.reason} (x{event_count(event)}): {one_line(event.message)}")
    unbound = 0
    for claim in pending[:MAX_PER_KIND * 4]:
        if claim.status.phase == "Lost":
            unbound += 1
            found.add("pvc-pending")
            evidence.append(f"PVC {ref(claim)} Lost: its PersistentVolume {claim.spec.volume_name} is gone")
            continue
        text, fault = claim_problem(claim, classes, consumers)
        said = claim_events.get(ref(claim), [])
        if any(line.split(" ", 1)[0] in CLAIM_WARNINGS for line in said):
            fault = True
        if fault:
            unbound += 1
            found.add("pvc-pending")
        evidence.append(text + (f"; {said[-1]}" if said else ""))
    waiting = {ref(p) for p in pods or [] if p.status is None or p.status.phase == "Pending" or not pod_ready(p)}
    elsewhere = 0
    for event in mount_events:
        obj = event.involved_object
        key = f"{obj.namespace}/{obj.name}"
        if key not in waiting:
            continue
        message = one_line(event.message)
        if CONFIG_VOLUME.search(message):
            elsewhere += 1
            continue
        found.add("volume-mount-failed")
        evidence.append(f"pod {key} {event.reason} (x{event_count(event)}): {message}")
    if elsewhere:
        evidence.append(f"{plural(elsewhere, 'mount failure')} on a missing ConfigMap or Secret (the pod-status "
                        "check covers those)")
    attachments, note = reader.try_read(lambda: reader.list_light("volumeattachments"))
    if note:
        evidence.append(f"VolumeAttachments not read: {note}")
    own_volumes = {c.spec.volume_name for c in claims if c.spec is not None and c.spec.volume_name}
    for attachment in attachments or []:
        source = attachment.spec.source
        volume = source.persistent_volume_name if source is not None else None
        if namespace and volume not in own_volumes:
            continue
        status = attachment.status
        error = (status.attach_error or status.detach_error) if status is not None else None
        if error is not None:
            found.add("volume-mount-failed")
            evidence.append(f"VolumeAttachment {attachment.metadata.name}: volume {volume} on node "
                            f"{attachment.spec.node_name}: {one_line(error.message)}")
    for volume in {m.group(1) for e in mount_events for m in [MULTI_ATTACH.search(e.message or "")] if m}:
        nodes = [a.spec.node_name for a in attachments or [] if a.spec.source is not None
                 and a.spec.source.persistent_volume_name == volume and a.status is not None and a.status.attached]
        if nodes:
            evidence.append(f"volume {volume} is attached to {', '.join(nodes)}: a ReadWriteOnce volume cannot "
                            "follow the pod to another node until it is detached there")
    defaults = sorted(n for n, sc in (classes or {}).items() if is_default(sc))
    if classes is not None and len(defaults) > 1:
        evidence.append(f"{len(defaults)} default StorageClasses ({', '.join(defaults)}): new claims get the newest")
    if found:
        ordered = tuple(t for t in topics if t in found)
        parts = {"pvc-pending": f"{plural(unbound, 'PersistentVolumeClaim')} not bound",
                 "volume-mount-failed": "volumes cannot be attached or mounted"}
        return CheckResult(CHECK_ID, "confirmed", f"{' and '.join(parts[t] for t in ordered)} in {scope}",
                           tuple(evidence), ordered)
    bound = sum(1 for c in claims if c.status is not None and c.status.phase == "Bound")
    default = f"default StorageClass {defaults[0]}" if defaults else \
        "no default StorageClass" if classes is not None else "StorageClasses not read"
    return CheckResult(CHECK_ID, "not confirmed", f"{plural(bound, 'PersistentVolumeClaim')} Bound in {scope}, "
                       f"{default}, no mount or attach failures", tuple(evidence), topics)
