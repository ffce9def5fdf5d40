from __future__ import annotations

import html
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.clean import (
    _BOLD,
    _FENCE,
    _ITALIC,
    _QUOTE_PREFIX,
    _SLACK_LINK,
    _SLACK_REF,
    _STRIKE,
    MAX_LINE_CHARS,
    _slack_ref,
    clean_text,
    unslack,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("```\nconntrack returned error\n```", "conntrack returned error"),
        ("see <https://example.com/runbook|the runbook> now", "see the runbook now"),
        ("see <https://example.com/x>", "see https://example.com/x"),
        ("<@U024BE7LH> help <#C024BE7LR|oncall> <!here>", " help #oncall"),
        ("dial tcp 10.0.0.1:443: timeout &lt;nil&gt; &amp; more", "dial tcp 10.0.0.1:443: timeout <nil> & more"),
        ("*bold error* and _italic words_ and ~gone~", "bold error and italic words and gone"),
        ("\x1b[31mE0502\x1b[0m conntrack", "E0502 conntrack"),
        ("hns\u200bCall\u00a0failed", "hnsCall failed"),
        ("line one\r\nline two\r\n", "line one\nline two"),
        ("Ｅｒｒｏｒ：　ｆｕｌｌｗｉｄｔｈ", "Error: fullwidth"),
        ("&gt; quoted line", "quoted line"),
    ],
)
def test_clean_removes_transport_noise(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_keeps_pointer_types_and_identifiers() -> None:
    # *v1.Endpoints and snake_case names are not Slack emphasis.
    line = "Failed to list *v1.Endpoints: max_user_watches of fs_inotify"
    assert clean_text(line) == line


def test_json_log_record_becomes_its_message() -> None:
    raw = '{"level":"error","ts":1715000000,"msg":"failed to allocate for range 0: no IP addresses available"}'
    assert clean_text(raw) == "failed to allocate for range 0: no IP addresses available"


def test_json_escaped_newlines_split_into_lines() -> None:
    raw = r'"stack": "first line\nsecond \"quoted\" line\nthird"'
    assert clean_text(raw).split("\n") == ['"stack": "first line', 'second "quoted" line', 'third"']


def test_windows_path_with_backslash_n_is_not_split() -> None:
    assert clean_text(r"C:\k\nssm.exe install kubelet") == r"C:\k\nssm.exe install kubelet"


def test_binary_junk_becomes_spaces_not_an_error() -> None:
    assert clean_text("ok\x00\x01\x02\ufffd\ufffdend") == "ok end"


def test_very_long_line_is_cut() -> None:
    assert len(clean_text("x" * (MAX_LINE_CHARS * 3))) == MAX_LINE_CHARS


HANG_GUARD_SECONDS = 2.0
"""Far above the real cost (benchmarks/robustness_bench.py); catches only super-linear backtracking."""


@pytest.mark.parametrize(
    "hostile",
    ["<@" * 16_000, "<#" * 16_000, "<!" * 16_000, "<http://" * 8_000, "\n" * 50_000 + "x", " \n" * 30_000,
     "<mailto:" * 8_000, "*a " * 20_000, "_a " * 20_000],
    ids=lambda s: repr(s[:8]),
)
def test_cleaning_is_linear_on_hostile_markup(hostile: str) -> None:
    start = time.perf_counter()
    clean_text(hostile)
    assert time.perf_counter() - start < HANG_GUARD_SECONDS


def test_deeply_nested_json_line_is_kept_as_text() -> None:
    # given a JSON record nested 100,000 arrays deep (the parser's recursion limit is far lower)
    raw = '{"msg": "boom", "a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    # when it is cleaned, then it is a (cut) text line, not a RecursionError
    assert clean_text(raw).startswith('{"msg": "boom", "a": [[[')


def test_slack_markup_still_unwraps_after_the_linear_rewrite() -> None:
    raw = "<!date^1392734382^{date_pretty} at {time}|Posted 2014> <@U1|bob> <#C1> <https://x.io/a?b=c|docs>"
    assert clean_text(raw) == " @bob #C1 docs"


_LOOK_BEHIND_FIRST = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), _BOLD),
    (re.compile(r"(?<![\w])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w])"), _ITALIC),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"), _STRIKE),
)
MARKUP = st.lists(st.sampled_from(["*", "_", "~", " ", "a", "é", "\n", "_x_", "*b*", "~s~", "<", ">", "&gt;", "```",
                                   "<https://x.io|x>", "<@U1|ann>", "9", "-"]), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=MARKUP)
def test_emphasis_patterns_that_open_with_their_mark_match_as_the_look_behind_first_ones(text: str) -> None:
    for reference, pattern in _LOOK_BEHIND_FIRST:
        assert pattern.sub(r"\1", text) == reference.sub(r"\1", text)


@settings(max_examples=400, deadline=None)
@given(text=MARKUP)
def test_unslack_skipping_rules_without_their_character_runs_as_every_rule(text: str) -> None:
    every = _SLACK_REF.sub(_slack_ref, _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text))
    every = _FENCE.sub("", html.unescape(_QUOTE_PREFIX.sub("", every)))
    for _, pattern in _LOOK_BEHIND_FIRST:
        every = pattern.sub(r"\1", every)
    assert unslack(text) == every
