"""Which object a line of a paste is about, so one object's rule-out does not rule out another's error.

A ``kubectl get events -A`` dump mixes a dozen pods: one waits for a missing Secret while another
cannot get an IP address. A rule-out such as "a pod waiting for a missing Secret is not an IP
allocation failure" holds for one pod, not for the paste. Lines that name their object
(``pod/web-1``, ``node/worker-2``) are grouped by it; an entry's rule-outs are then read in the
lines of the object its best line names, and in the lines that name none.
"""

from __future__ import annotations

import re

KINDS = ("pod", "node", "deployment", "replicaset", "statefulset", "daemonset", "job", "cronjob",
         "persistentvolumeclaim", "service", "endpoints", "ingress", "horizontalpodautoscaler")
"""The kinds kubectl names objects by (``pod/web-1``), lower-case as kubectl prints them."""
_OBJECT = re.compile(rf"(?<![\w/.-])({'|'.join(KINDS)})/([a-z0-9][a-z0-9.-]{{0,252}})(?![\w/])")


def may_name_objects(text: str) -> bool:
    """A cheap test before any line is read: does ``text`` hold ``kind/`` for some kind at all?"""
    return "/" in text and any(f"{kind}/" in text for kind in KINDS)


def object_of(line: str) -> str | None:
    """The ``kind/name`` a line is about (the first one it names); None when it names none."""
    found = _OBJECT.search(line) if "/" in line else None
    return f"{found.group(1)}/{found.group(2)}" if found else None


def several_objects(lines: list[str | None]) -> bool:
    """Whether the lines name at least two different objects: only then is a paste split by object."""
    return len({key for key in lines if key is not None}) >= 2


def lines_of(text: str, key: str) -> str:
    """``text`` without the lines that name an object other than ``key``."""
    return "\n".join(line for line in text.splitlines() if object_of(line) in (None, key))
