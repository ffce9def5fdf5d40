"""Warning events that a later event shows were overcome: a volume that failed to attach, then attached.

``kubectl describe`` keeps an object's old warnings for an hour. A pod that waited a minute for its
volume and then fails to pull its image still lists ``FailedAttachVolume``; the
``SuccessfulAttachVolume`` after it says that problem is over. Such a warning is weak evidence of
what is wrong now.
"""

from __future__ import annotations

import re

from bot.matching.objects import object_of

OVERCOME_BY = {
    "FailedScheduling": "Scheduled",
    "FailedAttachVolume": "SuccessfulAttachVolume",
    "FailedMount": "SuccessfulMountVolume",
    "ProvisioningFailed": "ProvisioningSucceeded",
    "FailedCreate": "SuccessfulCreate",
    "NodeNotReady": "NodeReady",
}
"""A failure's event reason, and the reason of the event that reports it done."""

_EVENT = re.compile(r"(?:^|\s)(?:Warning|Normal)\s+([A-Z][A-Za-z]+)\s")


def overcome(lines: list[str]) -> set[int]:
    """The indices of ``lines`` holding a warning event that a later line's event reports overcome.

    Both events must be about the same object where the lines name one (an events table of many
    pods), so another pod's success proves nothing.
    """
    later: dict[tuple[str, str | None], int] = {}
    events: list[tuple[int, str, str | None]] = []
    for n, line in enumerate(lines):
        found = _EVENT.search(line)
        if found is None:
            continue
        reason, obj = found.group(1), object_of(line)
        events.append((n, reason, obj))
        later[(reason, obj)] = n
    return {n for n, reason, obj in events
            if reason in OVERCOME_BY and later.get((OVERCOME_BY[reason], obj), -1) > n}
