from __future__ import annotations

import pytest

from bot.kb import load_knowledge
from bot.matching import Matcher
from bot.render import render_entry, render_result

KB = load_knowledge()


@pytest.mark.parametrize(("lang", "heading"), [("en", "Cause"), ("pt", "Causa"), ("ru", "Причина"), ("zh", "原因"),
                                                ("zh-Hant", "原因"), ("es", "Cause"), ("de", "Cause")])
def test_entry_renders_in_each_language_with_fallback_to_english(lang: str, heading: str) -> None:
    text = render_entry(KB.entries["pod-ip-allocation-failed"], lang)
    assert f"{heading}" in text
    assert "[pod-ip-allocation-failed]" in text


def test_traditional_chinese_asker_gets_traditional_characters() -> None:
    simplified = render_entry(KB.entries["node-notready"], "zh")
    traditional = render_entry(KB.entries["node-notready"], "zh-Hant")
    assert "节点" in simplified and "節點" in traditional and "节点" not in traditional


def test_commands_are_quoted_exactly() -> None:
    entry = KB.entries["win-hns-wrong-diskette"]
    text = render_entry(entry, "en")
    for command in (*entry.diagnose, *entry.fix):
        assert f"$ {command.run}" in text


def test_result_shows_evidence_and_alternatives(matcher: Matcher) -> None:
    result = matcher.match("I0101 starting\nE0101 x.go:1] hnsCall failed in Win32: The wrong diskette is in the drive.")
    text = render_result(result)
    assert "Evidence: E0101 x.go:1] hnsCall failed in Win32" in text
    assert "Also possible:" in text


def test_abstention_lists_closest_topics(matcher: Matcher) -> None:
    text = render_result(matcher.match("what time is the standup?"))
    assert text.startswith("No confident match.")


def _result(*scored: tuple[str, float, str]) -> object:
    from bot.matching.types import Match, MatchResult

    matches = tuple(Match(entry=KB.entries[i], score=s, confidence=c) for i, s, c in scored)  # type: ignore[arg-type]
    return MatchResult(query_lang="en", matches=matches, abstained=matches[0].confidence == "low")


@pytest.mark.parametrize(("scored", "key", "text"), [
    ((("svc-dns-name-fails", 1.0, "medium"), ("cluster-dns-not-working", 1.0, "medium")), "tie",
     "medium — two topics fit equally: Cluster DNS does not work"),
    ((("svc-dns-name-fails", 0.62, "medium"), ("cluster-dns-not-working", 0.57, "medium")), "close_runner_up",
     "medium — close runner-up: Cluster DNS does not work"),
    ((("svc-dns-name-fails", 0.40, "medium"), ("cluster-dns-not-working", 0.10, "low")), "partial_fit",
     "medium — the text matches only part of this topic (0.40)"),
    ((("svc-dns-name-fails", 0.90, "high"), ("cluster-dns-not-working", 0.30, "low")), "clear_lead",
     "high — clearly ahead of the other topics (0.90)"),
])
def test_confidence_shows_the_band_and_why(scored: tuple, key: str, text: str) -> None:
    from bot.render.confidence import confidence_reason

    result = _result(*scored)
    assert confidence_reason(result).key == key  # type: ignore[arg-type]
    assert text in render_result(result)  # type: ignore[arg-type]


def test_a_sibling_pair_is_named_as_one_of_two() -> None:
    from bot.matching.types import Match, MatchResult
    from bot.render.confidence import confidence_reason

    pair = tuple(Match(entry=KB.entries[i], score=0.7, confidence="medium")
                 for i in ("svc-ip-not-working", "hairpin-self-access"))
    result = MatchResult(query_lang="en", matches=pair, abstained=False, siblings=pair)
    assert confidence_reason(result).key == "siblings"
    assert "one of two related topics, the other is" in render_result(result)
    text = render_result(result)
    assert "Or it is the related topic; it is this one if its cause fits better: " in text
    assert KB.entries["hairpin-self-access"].text_in("en").causes[0].cause in text
