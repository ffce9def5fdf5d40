"""``scan``: what looks wrong, grouped by the KB topic the matcher asserts, with the checks' verdicts."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.checks import ChecksSettings
from bot.checks.scan import scan
from bot.kb.models import Entry, Text


def entry(topic: str, checks: tuple[str, ...]) -> Entry:
    return Entry(id=topic, kind="error", checks=checks,
                 text={"en": Text(title=f"title of {topic}", symptoms=(), impact="", causes=())})


@dataclass(frozen=True)
class Best:
    entry: Entry


@dataclass(frozen=True)
class Result:
    best: Best | None


class KeywordMatcher:
    """A stand-in for bot.matching's matcher: the first rule whose pattern is in the text wins."""

    RULES = (
        (r"Init:CrashLoopBackOff", entry("flannel-init-crashloop-selinux", ("windows-nodes",))),
        (r"failed to allocate for range", entry("pod-ip-allocation-failed", ("pod-ip-allocation",))),
        (r"NotReady", entry("node-notready", ("node-health",))),
        (r"FreeDiskSpaceFailed", entry("node-disk-full", ())),
    )

    def __init__(self) -> None:
        self.texts: list[str] = []

    def match(self, text: str, top: int = 3) -> Result:
        self.texts.append(text)
        for pattern, e in self.RULES:
            if re.search(pattern, text):
                return Result(Best(e))
        return Result(None)


def summary(report) -> list[tuple]:
    return [(g.topic, g.count, tuple((r.check_id, r.status) for r in g.results)) for g in report.groups]


@pytest.mark.parametrize(("scenario", "groups", "kinds"), [
    ("healthy", [], {}),
    ("windows-flannel", [("flannel-init-crashloop-selinux", 1, (("windows-nodes", "confirmed"),)),
                         ("node-notready", 1, (("node-health", "confirmed"),))], {"pod": 1, "node": 1}),
    ("node-disk-pressure", [("node-disk-full", 1, (("node-health", "confirmed"),)),
                            ("node-notready", 1, (("node-health", "confirmed"),))], {"event": 1, "node": 1}),
    ("ip-exhaustion", [("pod-ip-allocation-failed", 2, (("pod-ip-allocation", "confirmed"),)),
                       (None, 3, ())], {"event": 3, "pod": 2}),
])
def test_findings_are_grouped_by_topic_with_counts_and_verdicts(scenario, groups, kinds, serve, settings_for):
    # given
    server = serve(scenario)
    matcher = KeywordMatcher()
    # when
    report = scan(settings_for(server), matcher)
    # then
    assert summary(report) == groups
    assert {k: sum(1 for f in report.findings if f.kind == k) for k in kinds} == kinds
    assert len(matcher.texts) == len(report.findings)
    assert report.problems == ()
    assert report.cluster == "fake"


def test_normal_events_and_healthy_objects_are_not_findings(serve, settings_for):
    # given: node-disk-pressure also has a Normal NodeNotReady event and a healthy node-a
    server = serve("node-disk-pressure")
    # when
    report = scan(settings_for(server), KeywordMatcher(), run_verdicts=False)
    # then
    assert sorted(f.object for f in report.findings) == ["Node/node-b", "node-b"]
    assert all(g.results == () for g in report.groups)


def test_a_forbidden_cluster_is_reported_not_raised(serve, settings_for):
    # given
    server = serve("healthy", mode="forbidden")
    # when
    report = scan(settings_for(server), KeywordMatcher())
    # then
    assert report.findings == ()
    assert [p.split(":")[0] for p in report.problems] == ["Warning events", "nodes", "pods", "workloads"]
    assert all("forbidden (403)" in p for p in report.problems)


def test_no_kubeconfig_is_reported_not_raised():
    # given / when
    report = scan(ChecksSettings(kubeconfig="/nonexistent"), KeywordMatcher())
    # then
    assert report.findings == ()
    assert "no kubeconfig found" in report.problems[0]


def test_a_snapshot_can_be_scanned(dump):
    # given / when
    report = scan(ChecksSettings(kubeconfig="/nonexistent"), KeywordMatcher(), snapshot_dir=dump("windows-flannel"))
    # then
    assert summary(report)[0] == ("flannel-init-crashloop-selinux", 1, (("windows-nodes", "confirmed"),))


def test_the_real_matcher_names_the_ip_allocation_events(serve, settings_for, matcher):
    # given
    server = serve("ip-exhaustion")
    # when
    report = scan(settings_for(server), matcher)
    # then
    sandbox = [g for g in report.groups if any("failed to allocate for range" in f.text for f in g.findings)]
    assert sandbox and sandbox[0].topic in ("pod-ip-allocation-failed", "win-ipam-range-exhausted")
    assert ("pod-ip-allocation", "confirmed") in [(r.check_id, r.status) for r in sandbox[0].results]
