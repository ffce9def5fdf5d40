"""A warning event that a later event reports overcome is weak evidence of what is wrong now."""

from __future__ import annotations

from bot.matching import Matcher
from bot.matching.events import overcome

ATTACH_FAILED = ("  Warning  FailedAttachVolume      4m    attachdetach-controller  AttachVolume.Attach failed "
                 'for volume "pvc-71c2" : rpc error: code = Internal desc = Could not attach volume "vol-0a1b" to '
                 'node "i-0f9e": attachment of disk "vol-0a1b" failed, expected device to be attached but was '
                 "attaching")
ATTACHED = ("  Normal   SuccessfulAttachVolume  3m    attachdetach-controller  AttachVolume.Attach succeeded for "
            'volume "pvc-71c2"')
PULL_FAILED = ('  Warning  Failed   2m (x4 over 3m)  kubelet  Failed to pull image "ghcr.io/acme/exporter:2.1.0": '
               'rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/exporter:2.1.0": '
               'failed to resolve reference "ghcr.io/acme/exporter:2.1.0": ghcr.io/acme/exporter:2.1.0: not found')


def test_a_failure_is_overcome_only_by_its_own_success_event_after_it() -> None:
    assert overcome([ATTACH_FAILED, ATTACHED, PULL_FAILED]) == {0}
    # a success listed before the failure, or no success at all, overcomes nothing
    assert overcome([ATTACHED, ATTACH_FAILED, PULL_FAILED]) == set()
    assert overcome([ATTACH_FAILED, PULL_FAILED]) == set()


def test_another_objects_success_does_not_overcome_a_failure() -> None:
    failed = "ci  5m  Warning  FailedScheduling  pod/runner-1  0/9 nodes are available: 9 Insufficient cpu."
    assert overcome([failed, "ci  4m  Normal  Scheduled  pod/runner-2  Successfully assigned ci/runner-2"]) == set()
    assert overcome([failed, "ci  4m  Normal  Scheduled  pod/runner-1  Successfully assigned ci/runner-1"]) == {0}


def test_the_current_failure_outweighs_one_that_was_overcome(matcher: Matcher) -> None:
    # given a pod's events: its volume failed to attach, then attached; now its image cannot be pulled
    events = "\n".join(["Events:", "  Type     Reason   Age   From   Message", ATTACH_FAILED, ATTACHED, PULL_FAILED])
    # then the image pull leads; without the success event the attach failure would be as current
    assert matcher.match(events, top=1).matches[0].entry.id == "image-pull-not-found"
    still_failing = "\n".join(["Events:", "  Type     Reason   Age   From   Message", ATTACH_FAILED, PULL_FAILED])
    assert matcher.match(still_failing, top=1).matches[0].entry.id == "volume-mount-failed"
