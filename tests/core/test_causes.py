"""The answer shows first the cause the question points at, and keeps the KB's order otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.matching import load_matcher
from bot.matching.features import features
from bot.matching.mask import mask
from bot.render.text import render_result
from bot.slack.diagnosis import Diagnosis

LABELLED = Path(__file__).parent.parent / "data" / "causes" / "causes.yaml"
MATCHER = load_matcher()


def _first_cause(entry_id: str, question: str) -> int:
    order = MATCHER.causes.order(MATCHER.kb.entries[entry_id], features(mask(question), MATCHER.index.lexicon))
    return order[0] if order else 0


def test_the_ranker_finds_the_cause_a_question_points_at() -> None:
    # given questions labelled with the cause they point at (0 where they do not tell)
    items = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    assert len(items) >= 40
    picked = [(item, _first_cause(item["entry"], item["query"])) for item in items]
    # then nine in ten get their cause first, and no question that does not tell loses the KB's order
    right = sum(first == item["cause"] for item, first in picked)
    assert right >= 0.9 * len(items)
    assert [item["query"] for item, first in picked if item["cause"] == 0 and first != 0] == []


def test_the_answer_shows_the_pointed_cause_first_and_numbers_it_one() -> None:
    result = MATCHER.match("nslookup orders fails but nslookup orders.shop.svc.cluster.local works, "
                           "the search line in resolv.conf looks wrong")
    assert result.matches[0].entry.id == "svc-dns-name-fails"
    text = render_result(result, full=False)
    assert "Cause 1: The fully qualified name" in text
    assert "Cause 1: The client pod and the Service are in different namespaces" not in text


def test_a_question_that_does_not_tell_keeps_the_kbs_order() -> None:
    result = MATCHER.match("kubectl get nodes shows NotReady")
    best = result.matches[0]
    assert best.entry.id == "node-notready"
    assert best.causes == ()
    assert f"Cause 1: {best.entry.text_in('en').causes[0].cause}" in render_result(result)


@pytest.mark.parametrize("stored", [None, "1,0", [1, "x"], [-1], [500]])
def test_a_stored_cause_order_that_is_not_a_list_of_indices_is_ignored(stored: object) -> None:
    data = {"kind": "answer", "candidates": [{"id": "svc-dns-name-fails", "causes": stored}]}
    assert Diagnosis.from_dict(data).candidates[0].causes == ()


def test_the_cause_order_survives_the_store_round_trip() -> None:
    result = MATCHER.match("node NotReady, docker ps hangs forever on it, the docker daemon does not answer")
    diagnosis = Diagnosis.from_result(result)
    assert diagnosis.candidates[0].causes[:1] == (2,)
    assert Diagnosis.from_dict(diagnosis.to_dict()).candidates[0].causes == diagnosis.candidates[0].causes


def test_the_slack_view_shows_the_causes_in_the_order_given() -> None:
    from bot.slack.compose import entry_view

    entry = MATCHER.kb.entries["node-notready"]
    causes = entry.text_in("en").causes
    order = (2, *[k for k in range(len(causes)) if k != 2])
    assert entry_view(entry, "en", MATCHER.kb, order)["causes"][0]["cause"] == causes[2].cause
    assert entry_view(entry, "en", MATCHER.kb, (2, 2))["causes"][0]["cause"] == causes[0].cause


def test_entries_that_share_cause_texts_share_their_feature_sets() -> None:
    import dataclasses

    from bot.matching.causes import CauseRanker

    entry = MATCHER.kb.entries["svc-dns-name-fails"]
    copy = dataclasses.replace(entry, id="svc-dns-name-fails-copy")
    ranker = CauseRanker(MATCHER.index.idf, MATCHER.index.lexicon)
    question = features(mask("nslookup orders fails but the fqdn works, resolv.conf search line"),
                        MATCHER.index.lexicon)
    assert ranker.order(copy, question) == ranker.order(entry, question) == MATCHER.causes.order(entry, question)
    assert all(a is b for a, b in zip(ranker._causes_of(entry).bags, ranker._causes_of(copy).bags, strict=True))
