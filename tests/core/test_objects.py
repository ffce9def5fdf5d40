"""One object's rule-out does not rule out another object's error in a mixed events dump."""

from __future__ import annotations

from bot.matching import Matcher
from bot.matching.objects import lines_of, object_of, several_objects

IP_FAILED = ("Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "
             '"4be1": plugin type="azure-vnet" failed (add): IPAM Invoker Add failed with error: Failed to allocate '
             "pool: Failed to delegate: Failed to allocate address: No available addresses")
HEADER = "NAMESPACE   LAST SEEN   TYPE      REASON                   OBJECT                 MESSAGE"


def _row(obj: str, reason: str, message: str) -> str:
    return f"batch       3m          Warning   {reason:<24} {obj:<22} {message}"


def test_a_line_is_about_the_first_object_it_names() -> None:
    assert object_of(_row("pod/runner-7", "FailedCreatePodSandBox", IP_FAILED)) == "pod/runner-7"
    assert object_of("Warning  FailedMount  kubelet  MountVolume.SetUp failed") is None
    # a path or a URL is not an object
    assert object_of("open /var/lib/kubelet/pods/node/abc: no such file") is None


def test_a_paste_is_split_only_when_it_names_two_objects() -> None:
    assert not several_objects(["pod/a", None, "pod/a"])
    assert several_objects(["pod/a", None, "node/w1"])
    text = "\n".join([HEADER, _row("pod/a", "BackOff", "x"), _row("pod/b", "FailedMount", "y"), "prose line"])
    assert lines_of(text, "pod/a").splitlines() == [HEADER, _row("pod/a", "BackOff", "x"), "prose line"]


def _ruled_out(matcher: Matcher, text: str, entry_id: str) -> bool:
    match = next(m for m in matcher.match(text, top=8).matches if m.entry.id == entry_id)
    assert match.why is not None
    return any(reason.startswith("ruled out:") for reason in match.why.context)


def test_another_pods_missing_secret_does_not_rule_out_an_ip_allocation_failure(matcher: Matcher) -> None:
    # given an events dump: one pod waits for a missing Secret, others cannot get an IP address
    secret = 'MountVolume.SetUp failed for volume "creds" : secret "export-creds" not found'
    dump = "\n".join([HEADER,
                      _row("pod/runner-1", "FailedCreatePodSandBox", IP_FAILED),
                      _row("pod/export-9", "FailedMount", secret),
                      _row("pod/runner-2", "FailedCreatePodSandBox", IP_FAILED.replace("4be1", "9c0d"))])
    # then the IP allocation failure keeps its score and leads
    assert not _ruled_out(matcher, dump, "pod-ip-allocation-failed")
    assert matcher.match(dump, top=1).matches[0].entry.id == "pod-ip-allocation-failed"
    # and when the same pod shows both, the volume explains the waiting pod: the rule-out holds
    same_pod = "\n".join([HEADER, _row("pod/runner-1", "FailedCreatePodSandBox", IP_FAILED),
                          _row("pod/runner-1", "FailedMount", secret), _row("pod/other-3", "Pulled", "ok")])
    assert _ruled_out(matcher, same_pod, "pod-ip-allocation-failed")
