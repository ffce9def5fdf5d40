"""A literal gate answers as its pattern does, on every text; it only skips patterns that cannot match."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kb import load_knowledge
from bot.matching.context import PLATFORM_EVIDENCE, PROBLEM_MARKERS
from bot.matching.literals import _ASCII_TWINS, GATE_MIN_CHARS, Gate, _split_top_level, required_literals

QUERIES = Path(__file__).resolve().parents[1] / "data" / "queries"


def _patterns() -> list[re.Pattern[str]]:
    kb = load_knowledge()
    rules = {r.pattern for e in kb.entries.values() for r in (*e.not_when, *e.needs)}
    return [*PLATFORM_EVIDENCE.values(), *PROBLEM_MARKERS.values(), *(re.compile(p) for p in sorted(rules))]


PATTERNS = _patterns()
GATES = [Gate(p) for p in PATTERNS]
TRICKY = ["WINDOWS node", "\u212aubenet on AKS", "Wİndows worker", "Azure \u017fervercore", "ſtartup probe failed",
          "wındows", "POWERSHELL C:\\k", "ﬀ", "ВИНДОВС", "Ошибка: НЕ найден", "Liveness PROBE Failed", "oomKILLED",
          "pull access DENIED", "Exit Code:  137", ""]


def _long(text: str) -> str:
    """The text past the length from which a gate reads its literals (short texts run the pattern)."""
    return "~" * GATE_MIN_CHARS + "\n" + text


def _texts() -> list[str]:
    texts = [item["query"] for path in sorted(QUERIES.glob("*.yaml"))
             for item in yaml.safe_load(path.read_text(encoding="utf-8"))] + TRICKY
    return texts + [_long(t) for t in texts]


def test_every_gate_agrees_with_its_pattern_on_the_labelled_queries() -> None:
    texts = _texts()
    for gate, pattern in zip(GATES, PATTERNS, strict=True):
        for text in texts:
            assert gate.search(text) == (pattern.search(text) is not None), (pattern.pattern, text[:80])


def test_most_rules_have_literals_so_the_gate_saves_work() -> None:
    with_literals = [g for g in GATES if g.literals]
    assert len(with_literals) >= 0.9 * len(GATES)


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"(?i)(Liveness|Readiness|Startup) probe (failed|errored)", {" probe "}),
    (r"(?i)exceeded quota", {"exceeded quota"}),
    (r"(?i)\bhpa\b|autoscal", {"hpa", "autoscal"}),
    (r"OOMKilled|Exit Code:\s*137", {"OOMKilled", "Exit Code:"}),
    (r"(?i)a+b", {"a"}),
    (r"(?i)x?y*", None),
    (r"(?i)\u212a8s", {"8s"}),
    (r"(?i:abc)def", {"def"}),
])
def test_required_literals_of_simple_patterns(pattern: str, expected: set[str] | None) -> None:
    found = required_literals(re.compile(pattern))
    assert (set(found) if found is not None else None) == expected


WORDS = st.sampled_from(["windows", "WIN32", "probe", " failed", "hns", "Azure", "kubenet", "ps c:\\", "x509: ",
                         "OOMKilled", "\u212a", "İ", "ſ", "ı", "не", "失败", "\n", " ", "metrics", "dns", ":53"])
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_any_text_gets_the_patterns_answer(text: str) -> None:
    for gate, pattern in zip(GATES, PATTERNS, strict=True):
        for variant in (text, _long(text)):
            assert gate.search(variant) == (pattern.search(variant) is not None), pattern.pattern


def test_case_variants_of_every_literal_get_the_patterns_answer() -> None:
    rng = random.Random(5)
    for gate, pattern in zip(GATES, PATTERNS, strict=True):
        for literal in sorted(gate.literals or ()):
            for _ in range(3):
                variant = "".join(c.upper() if rng.random() < 0.5 else c for c in literal)
                text = _long(f"some log line {variant} and more")
                assert gate.search(text) == (pattern.search(text) is not None), (pattern.pattern, text)


def test_a_gate_compiles_and_reads_its_pattern_only_when_used() -> None:
    gate = Gate(r"(?i)exceeded quota")
    assert gate._pattern is None
    assert not gate.search("short text")
    assert gate._pattern is not None
    assert gate.search(_long("Error: EXCEEDED QUOTA: pods"))
    assert gate.literals == frozenset({"exceeded quota"})


def test_an_alternation_splits_at_its_top_level_bars_only() -> None:
    assert _split_top_level(r"(?i)a[|\]]b|c(d|e)|\|x|[]|]y|[^]|]z") == [
        r"(?i)a[|\]]b", "c(d|e)", r"\|x", "[]|]y", "[^]|]z"]
    assert _split_top_level("a(b|c") is None


def test_a_long_alternation_runs_only_the_alternatives_whose_literals_the_text_holds() -> None:
    gate = Gate(r"(?i)\bdns\b|nslookup|resolv\.conf|NXDOMAIN|\bdig\b")
    assert gate.alternatives is not None and len(gate.alternatives) == 5
    assert gate.search(_long("the pod could not RESOLV.CONF anything"))
    assert not gate.search(_long("nxdomai n, digest, dnsmasq"))


PIECES = st.sampled_from([r"\bwin\w*", "hns", r"ps [a-z]:\\", r"[|a]b", r"(?:x|y)z", r"\d{2}\b", "é", "ſt",
                          r"\|", "k8s", r"(?i:Az)ure", "^no", r"fail(?=ed)", r"(?<!\w)ok", "[^a-z]q", "ı"])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(PIECES, min_size=1, max_size=8), text=TEXT,
       flags=st.sampled_from([0, re.IGNORECASE, re.IGNORECASE | re.MULTILINE]))
def test_an_alternation_gets_the_patterns_answer(parts: list[str], text: str, flags: int) -> None:
    pattern = re.compile("|".join(parts), flags)
    gate = Gate(pattern)
    for variant in (text, _long(text), _long(text.upper()), _long(text + "\nno winner ps c:\\ 12 ok")):
        assert gate.search(variant) == (pattern.search(variant) is not None), (pattern.pattern, variant)


def test_the_ascii_twins_are_every_other_character_a_folded_pattern_matches_with_an_ascii_letter() -> None:
    others = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    twins = {m.group(): letter for letter in "abcdefghijklmnopqrstuvwxyz" for m in re.finditer(f"(?i){letter}", others)}
    assert twins == {chr(c): t for c, t in _ASCII_TWINS.items()}
    assert not [c for c in others if c not in twins and any(x.isascii() for x in c.lower())]


def test_a_text_of_another_script_skips_the_pattern_only_when_no_ascii_literal_is_there() -> None:
    gate = Gate(PLATFORM_EVIDENCE["windows"])
    assert not gate.search(_long("节点 NotReady，kubelet 日志里全是超时"))
    assert gate.search(_long("节点 NotReady，POWERſHELL 里看到 hnsCall 失败"))
    assert gate.search(_long("ВИНДОВС нода не готова"))
