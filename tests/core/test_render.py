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
