"""Property-based: no input crashes the matcher or runs away with its time."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matching import Matcher
from bot.matching.clean import clean_text
from bot.matching.mask import mask

LOG_FRAGMENTS = st.sampled_from([
    "E0502 15:55:13.889842 2241 conntrack.go:42] ", "```", "<https://x.io|x>", "&lt;", "\x1b[31m", "\u200b",
    "hnsCall failed in Win32", "10.0.0.1:443", "fe80::1", "\r\n", "{\"msg\":\"x\"}", "\\n", "*", "_", "~", "節點",
    "под", "ノード", "\x00", "\ufffd", "    ", "\t",
])
TEXT = st.lists(st.one_of(st.text(max_size=200), LOG_FRAGMENTS), max_size=40).map("".join)
GENEROUS_SECONDS = 2.0
"""A guard against pathological backtracking, far above real latency (measured in benchmarks/)."""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_any_text_gets_a_well_formed_result(matcher: Matcher, text: str) -> None:
    start = time.perf_counter()
    result = matcher.match(text)
    assert time.perf_counter() - start < GENEROUS_SECONDS
    assert result.abstained == (result.best is None)
    assert all(0.0 <= m.score <= 1.0 for m in result.matches)
    assert [m.score for m in result.matches] == sorted((m.score for m in result.matches), reverse=True)
    assert all(m.confidence in {"high", "medium", "low"} for m in result.matches)


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_cleaning_is_idempotent_on_plain_lines_and_never_raises(text: str) -> None:
    cleaned = clean_text(text)
    assert "\r" not in cleaned and "\x00" not in cleaned and "\x1b" not in cleaned
    mask(cleaned)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.text(min_size=1, max_size=300), repeat=st.integers(min_value=100, max_value=3000))
def test_repetitive_pastes_stay_fast(matcher: Matcher, line: str, repeat: int) -> None:
    start = time.perf_counter()
    matcher.match("\n".join([line] * repeat))
    assert time.perf_counter() - start < GENEROUS_SECONDS
