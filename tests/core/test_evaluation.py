"""``k8sfix eval`` arithmetic: accepted second answers, precision of high answers, reliability."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.errors import InputError
from bot.evaluation.runner import Outcome, Query, load_queries, reliability, summarise


def _outcome(expect: str, top: tuple[str, ...], confidence: str, probability: float,
             accept: tuple[str, ...] = ()) -> Outcome:
    return Outcome(Query("q", expect, "en", "paste", accept), top, confidence, confidence == "low", probability)


def test_an_accepted_second_topic_counts_as_right() -> None:
    # given a query whose label accepts two topics, answered with the second one
    outcome = _outcome("svc-ip-not-working", ("hairpin-self-access", "svc-ip-not-working"), "high", 0.98,
                       accept=("hairpin-self-access",))
    # then it is right at top-1 and top-3, and a negative never is
    assert outcome.top1 and outcome.top3
    assert not _outcome("none", ("hairpin-self-access",), "high", 0.9).top1


def test_precision_of_high_answers_counts_negatives_answered_high_as_wrong() -> None:
    outcomes = [
        _outcome("a", ("a",), "high", 0.99),
        _outcome("a", ("b",), "high", 0.98),       # wrong topic, high
        _outcome("none", ("c",), "high", 0.97),    # negative, high
        _outcome("a", ("a",), "medium", 0.7),      # not high: not counted
    ]
    overall = summarise(outcomes)["overall"]
    assert overall["high_answers"] == 3
    assert overall["high_precision"] == round(1 / 3, 4)
    assert overall["negatives_high"] == 1.0


def test_reliability_bins_compare_predicted_and_observed() -> None:
    outcomes = [_outcome("a", ("a",), "high", 0.99), _outcome("a", ("b",), "high", 0.98),
                _outcome("a", ("a",), "low", 0.2), _outcome("none", ("b",), "low", 0.1)]
    rows = {row["bin"]: row for row in reliability(outcomes)}
    assert rows["0.97-1.00"] == {"bin": "0.97-1.00", "queries": 2, "predicted": 0.985, "observed": 0.5}
    assert rows["0.00-0.50"]["queries"] == 2 and rows["0.00-0.50"]["observed"] == 0.5
    assert rows["0.80-0.90"] == {"bin": "0.80-0.90", "queries": 0}


def test_accept_must_be_a_list_of_ids(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump([{"query": "x", "expect": "a", "accept": "b"}]), encoding="utf-8")
    with pytest.raises(InputError, match="accept"):
        load_queries(path)
    path.write_text(yaml.safe_dump([{"query": "x", "expect": "a", "accept": ["b"]}]), encoding="utf-8")
    assert load_queries(path)[0].right_answers == {"a", "b"}
