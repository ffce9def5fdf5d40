"""What the Slack button and ``k8sfix "text" --check`` call: checks for a KB entry or a match."""

from __future__ import annotations

import pytest

from bot.checks import CheckInputs, run_checks_for_entry, run_checks_for_match
from bot.kb.models import Entry, Text
from bot.matching.types import Match, MatchResult


def entry(topic: str, checks: tuple[str, ...] = ()) -> Entry:
    return Entry(id=topic, kind="error", checks=checks,
                 text={"en": Text(title=topic, symptoms=(), impact="", causes=())})


@pytest.mark.parametrize(("e", "ran"), [
    (entry("kube-proxy-conntrack-missing", ("kube-proxy", "node-health")), ["kube-proxy", "node-health"]),
    (entry("kube-proxy-conntrack-missing"), ["kube-proxy"]),
    (entry("win-lb-port-exhaustion"), []),
])
def test_an_entry_runs_its_checks_or_the_catalogs(e, ran, serve, settings_for):
    # given
    server = serve("conntrack-missing")
    # when
    report = run_checks_for_entry(e, CheckInputs(), settings_for(server))
    # then
    assert [r.check_id for r in report.results] == ran
    assert report.cluster == ("fake" if ran else "")


def test_a_match_runs_the_best_entrys_checks_with_names_from_the_text(serve, settings_for):
    # given
    server = serve("node-disk-pressure")
    text = "Warning FreeDiskSpaceFailed node/node-b Failed to garbage collect required amount of images"
    result = MatchResult(query_lang="en", abstained=False,
                         matches=(Match(entry("node-disk-full", ("node-health",)), 0.9, "high"),))
    # when
    report = run_checks_for_match(result, text, settings_for(server))
    # then
    assert report is not None
    assert report.inputs == CheckInputs(node="node-b")
    (check,) = report.results
    assert (check.check_id, check.status) == ("node-health", "confirmed")


def test_an_abstained_match_runs_nothing(serve, settings_for):
    # given
    server = serve("healthy")
    result = MatchResult(query_lang="en", abstained=True,
                         matches=(Match(entry("node-disk-full", ("node-health",)), 0.2, "low"),))
    # when
    report = run_checks_for_match(result, "something vague", settings_for(server))
    # then
    assert report is None
    assert server.requests == []
