"""Robustness: any paste gets an answer or an abstention, quickly, never an exception.

Hypothesis mixes the fragments real pastes and hostile ones are made of: Slack markup,
ANSI colours, binary, invalid UTF-8, deep JSON, megabyte single lines and long runs of
``:`` ``.`` digits and IPv6-like tokens (the inputs that make backtracking regexes
quadratic). Each case is bounded in size, and the suite in count; the time bound only
catches hangs, real figures come from ``benchmarks/robustness_bench.py``.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matching import Matcher
from bot.matching.clean import clean_text
from bot.matching.mask import mask
from bot.redact import redact

HANG_GUARD_SECONDS = 5.0
"""Far above the real worst case (about 0.3 s for a 1 MB paste); catches only runaway backtracking."""

FRAGMENTS = st.sampled_from([
    "<@U024BE7LH>", "<#C024BE7LR|oncall>", "<!here>", "<https://x.io/a|x>", "<mailto:a@b.c>", "<@", "<#", "<!", "<",
    "&lt;", "&gt;", "&amp;", "```", "*bold*", "_it_", "~s~", "> ", "\x1b[31m", "\x1b[0m", "\x1b]0;t\x07", "\u200b",
    "\u202e", "\x00", "\ufffd", "\r\n", "\\n", '\\"', '{"msg":"conntrack returned error"}', "[[[[", "]]]]",
    "E0502 15:55:13.889842 2241 conntrack.go:42] ", "hnsCall failed in Win32", "10.0.0.1:443", "fe80::1",
    "2001:db8::8a2e:370:7334", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "token: ", "password=", "Bearer ",
    "eyJ", "xoxb-", "-----BEGIN PRIVATE KEY-----", "postgres://u:p@h", "--token ", "-u a:", "a-", "a." , "1:", "::",
])
RUN_CHARS = st.sampled_from([":", ".", "1", "a:", "a.", "1.", "1:", "f:", "::", "-", "a-", "<@", "*", "_", " ", "\t",
                             "#", "`", "{", "[", "\\", "=", "@", "/", "a"])


def _run(piece: str) -> st.SearchStrategy[str]:
    return st.integers(min_value=1_000, max_value=60_000).map(lambda n: piece * (n // len(piece)))


RUNS = RUN_CHARS.flatmap(_run)
BINARY = st.binary(max_size=2_000).map(lambda b: b.decode("utf-8", errors="replace"))
INVALID_UTF8 = st.binary(max_size=500).map(lambda b: (b"\xff\xfe" + b + b"\xc3").decode("utf-8", errors="replace"))
DEEP_JSON = st.integers(min_value=500, max_value=5_000).map(lambda d: '{"msg": "x", "a": ' + "[" * d + "]" * d + "}")
PASTE = st.lists(st.one_of(FRAGMENTS, st.text(max_size=100), BINARY, INVALID_UTF8, RUNS, DEEP_JSON),
                 min_size=1, max_size=12).map("".join)


def _answer_or_abstention(matcher: Matcher, text: str) -> None:
    start = time.perf_counter()
    result = matcher.match(text)
    assert time.perf_counter() - start < HANG_GUARD_SECONDS
    assert result.abstained == (result.best is None)
    assert all(m.confidence in {"high", "medium", "low"} for m in result.matches)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=PASTE)
def test_any_mixed_paste_is_answered_or_abstained_quickly(matcher: Matcher, text: str) -> None:
    _answer_or_abstention(matcher, text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=PASTE)
def test_each_cleaning_stage_is_quick_on_any_paste(text: str) -> None:
    for stage in (clean_text, redact, mask):
        start = time.perf_counter()
        stage(text)
        assert time.perf_counter() - start < HANG_GUARD_SECONDS, stage.__name__


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
@given(piece=st.sampled_from(["a:", "1.", "<@", "ffff:", "a-", "x" , "token: ", "\x1b[", "é"]),
       error=st.booleans())
def test_a_megabyte_single_line_is_answered_or_abstained(matcher: Matcher, piece: str, error: bool) -> None:
    line = piece * (1_000_000 // len(piece))
    _answer_or_abstention(matcher, line + (" hnsCall failed in Win32: The wrong diskette is in the drive." if error
                                           else ""))
