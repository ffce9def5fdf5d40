"""``scan`` over pod, scheduling, volume and rollout failures: grouped by topic, with the new checks' verdicts.

The first tests use a stand-in matcher (the first rule whose pattern is in the text wins) so they
do not depend on the KB's wording; the grouping and the verdicts are the scan's and the checks' own.
The last one runs the real matcher over the built-in KB: the new findings land under the common
topics whose ``checks:`` name the new checks, and those checks give the verdicts.
"""

from __future__ import annotations

import re

import pytest
from test_checks_scan import Best, Result, entry, summary

from bot.checks.scan import scan


class WorkloadMatcher:
    """Topic rules for the failures of the pod-failures, unschedulable, pvc-pending and rollout-stuck scenarios."""

    RULES = (
        (r"exceeded quota|ProgressDeadlineExceeded|rollout stuck|misscheduled",
         entry("rollout-stuck", ("workload-rollout",))),
        (r"pull access denied|ImagePullBackOff|ErrImagePull|Back-off pulling",
         entry("image-pull-auth", ("pod-status",))),
        (r"OOMKilled|restarting failed container", entry("oom-killed", ())),
        (r"configmap \"|secret \"|CreateContainerConfigError", entry("container-config-missing", ("pod-status",))),
        (r"Insufficient|taint|affinity", entry("scheduling-insufficient-resources", ("scheduling",))),
        (r"unbound immediate|ProvisioningFailed", entry("pvc-pending", ("volumes", "scheduling"))),
        (r"Multi-Attach", entry("volume-mount-failed", ("volumes",))),
        (r"Readiness probe failed|not Ready", entry("probe-failures", ("pod-status", "workload-rollout"))),
        (r"backoff limit", entry("job-backoff-limit", ())),
    )

    def match(self, text: str, top: int = 3) -> Result:
        for pattern, e in self.RULES:
            if re.search(pattern, text):
                return Result(Best(e))
        return Result(None)


@pytest.mark.parametrize(("scenario", "groups"), [
    ("pod-failures", [("image-pull-auth", 4, (("pod-status", "confirmed"),)),
                      ("container-config-missing", 3, (("pod-status", "confirmed"),)),
                      ("oom-killed", 2, (("pod-status", "confirmed"),)),
                      (None, 1, ())]),
    ("unschedulable", [("scheduling-insufficient-resources", 4, (("scheduling", "confirmed"),)), (None, 2, ())]),
    # the old FailedMount of the running web pod is a finding, and pod-status clears it
    ("pvc-pending", [("pvc-pending", 2, (("volumes", "confirmed"), ("scheduling", "confirmed"))),
                     ("container-config-missing", 1, (("pod-status", "not confirmed"),)),
                     ("volume-mount-failed", 1, (("volumes", "confirmed"),)),
                     (None, 2, ())]),
    # the FailedCreate event of shop/api, and the Deployments shop/api and default/frontend past their deadline
    ("rollout-stuck", [("rollout-stuck", 3, (("workload-rollout", "confirmed"),)),
                       ("job-backoff-limit", 1, (("workload-rollout", "confirmed"),))]),
    # the Readiness probe event and the not-ready pod, and the DaemonSet's own status
    ("daemonset-unavailable", [("probe-failures", 2, (("pod-status", "confirmed"), ("workload-rollout", "confirmed"))),
                               ("rollout-stuck", 1, (("workload-rollout", "confirmed"),))]),
    # no event, no unhealthy pod: only the DaemonSet's status says it
    ("daemonset-misscheduled", [("rollout-stuck", 1, (("workload-rollout", "confirmed"),))]),
    ("healthy", []),
])
def test_new_failures_are_grouped_by_topic_with_the_new_checks_verdicts(scenario, groups, serve, settings_for):
    # given
    server = serve(scenario)
    # when
    report = scan(settings_for(server), WorkloadMatcher())
    # then
    assert summary(report) == groups
    assert report.problems == ()


def test_the_verdicts_of_a_scan_look_at_every_namespace(serve, settings_for):
    # given: the pull failure of default/batch-aaaaa is outside the shop namespace the scenario tests use
    server = serve("pod-failures")
    # when
    report = scan(settings_for(server), WorkloadMatcher())
    # then
    (pull,) = [g for g in report.groups if g.topic == "image-pull-auth"]
    (result,) = pull.results
    assert "image-pull-not-found" in result.topics
    assert any(line.startswith("default/batch-aaaaa: container batch ErrImagePull") for line in result.evidence)


@pytest.fixture(scope="module")
def kb_matcher():
    from bot.matching import load_matcher

    return load_matcher()


@pytest.mark.parametrize(("scenario", "topics"), [
    ("pod-failures", {"image-pull-auth": (("pod-status", "confirmed"),),
                      "image-pull-not-found": (("pod-status", "confirmed"),),
                      "container-config-missing": (("pod-status", "confirmed"),),
                      "oom-killed": (("pod-status", "confirmed"),),
                      "crashloop-app-exit": (("pod-status", "confirmed"), ("workload-rollout", "not confirmed"))}),
    ("unschedulable", {"scheduling-insufficient-resources": (("scheduling", "confirmed"),),
                       "scheduling-constraints": (("scheduling", "confirmed"),)}),
    ("pvc-pending", {"pvc-pending": (("scheduling", "confirmed"), ("volumes", "confirmed")),
                     "volume-mount-failed": (("volumes", "confirmed"),),
                     "container-config-missing": (("pod-status", "not confirmed"),)}),
    ("rollout-stuck", {"rollout-stuck": (("workload-rollout", "confirmed"),),
                       "job-backoff-limit": (("workload-rollout", "confirmed"),)}),
    # the crash-looping pod of the stuck StatefulSet is a finding of its own, and both checks confirm it
    ("statefulset-stuck", {"crashloop-app-exit": (("pod-status", "confirmed"), ("workload-rollout", "confirmed")),
                           "rollout-stuck": (("workload-rollout", "confirmed"),)}),
    ("daemonset-unavailable", {"probe-failures": (("pod-status", "confirmed"), ("workload-rollout", "confirmed")),
                               "rollout-stuck": (("workload-rollout", "confirmed"),)}),
    ("daemonset-misscheduled", {"rollout-stuck": (("workload-rollout", "confirmed"),)}),
    ("healthy", {}),
])
def test_the_real_matcher_groups_the_new_findings_under_the_common_topics(scenario, topics, kb_matcher, serve,
                                                                          settings_for):
    # given
    server = serve(scenario)
    # when
    report = scan(settings_for(server), kb_matcher)
    # then: every matched group is one of the topics, with the verdicts of the checks its KB entry names
    grouped = {g.topic: tuple((r.check_id, r.status) for r in g.results) for g in report.groups if g.topic}
    assert grouped == topics
    assert report.problems == ()


@pytest.mark.parametrize(("scenario", "stuck"), [
    ("daemonset-misscheduled", {"DaemonSet/shop/log-agent"}),
    ("rollout-stuck", {"Deployment/default/frontend", "Deployment/shop/api"}),
    ("statefulset-stuck", {"StatefulSet/shop/queue"}),
])
def test_a_stuck_rollout_is_a_finding_even_without_a_warning_event_or_an_unhealthy_pod(scenario, stuck, kb_matcher,
                                                                                     serve, settings_for):
    # given: default/frontend is past its progress deadline with no event and no pod; log-agent has only
    # a misscheduled pod that runs and is ready; queue waits for a crash-looping pod
    server = serve(scenario)
    # when
    report = scan(settings_for(server), kb_matcher, run_verdicts=False)
    # then: each stuck workload is a finding of its own, under rollout-stuck; the partitioned and OnDelete sets are not
    workloads = {f.object: f for f in report.findings if f.kind == "workload"}
    assert set(workloads) == stuck
    (group,) = [g for g in report.groups if g.topic == "rollout-stuck"]
    assert {f.object for f in group.findings if f.kind == "workload"} == stuck
    assert "workloads" in report.read and report.problems == ()


def test_a_dump_without_statefulsets_is_scanned_on_the_workloads_it_has(dump):
    # given: kubectl cluster-info dump writes Deployments and DaemonSets but no StatefulSets
    from bot.checks import ChecksSettings

    folder = dump("daemonset-misscheduled")
    for path in folder.glob("*/statefulsets.json"):
        path.unlink()
    # when
    report = scan(ChecksSettings(kubeconfig="/nonexistent"), WorkloadMatcher(), snapshot_dir=folder,
                  run_verdicts=False)
    # then
    assert report.problems == () and "workloads" in report.read
    assert [f.object for f in report.findings if f.kind == "workload"] == ["DaemonSet/shop/log-agent"]
