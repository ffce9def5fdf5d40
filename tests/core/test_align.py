"""The pruned alignment is rapidfuzz's cdist of partial_ratio, value for value."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from bot.kb import load_knowledge
from bot.matching.align import partial_ratios
from bot.matching.mask import mask


def cdist(queries: list[str], choices: list[str], cutoff: int) -> np.ndarray:
    return process.cdist(queries, choices, scorer=fuzz.partial_ratio, processor=None, score_cutoff=cutoff,
                         dtype=np.uint8, workers=1)


def test_signatures_against_their_own_lines_and_look_alikes() -> None:
    signatures = sorted({s.lower() for e in load_knowledge().entries.values() for s in e.signatures})
    rng = random.Random(3)
    lines = []
    for s in signatures[:60]:
        words = s.split()
        lines.append(mask(f"E0612 09:44:12.556201 1 kubelet.go:42] {s} for pod web-0").lower())
        lines.append(" ".join(rng.sample(words, len(words))))
        lines.append(s[: max(1, len(s) // 2)])
        lines.append(s + " " + " ".join(rng.choice(signatures).split()[:3]) * 20)
    for cutoff in (0, 50, 75, 90, 100):
        assert np.array_equal(partial_ratios(lines, signatures, cutoff), cdist(lines, signatures, cutoff))


def test_random_strings_over_small_alphabets_match_cdist_exactly() -> None:
    rng = random.Random(11)
    for alphabet in ("ab", "abc ", "abcdefgh -:", "日本語ab"):
        queries = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 150))) for _ in range(40)]
        choices = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 90))) for _ in range(40)]
        queries += queries[:5]
        for cutoff in (60, 75, 90):
            assert np.array_equal(partial_ratios(queries, choices, cutoff), cdist(queries, choices, cutoff))


def _mutated(text: str, rng: random.Random, share: float, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) if rng.random() < share else c for c in text)


def test_long_signatures_inside_long_lines_match_cdist_exactly() -> None:
    """Signatures past rapidfuzz's fast path, mutated into long lines: the block bound decides these."""
    rng = random.Random(17)
    alphabet = "abcdefghij -:/"
    choices = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(65, 400))) for _ in range(12)]
    queries = []
    for choice in choices:
        for share in (0.05, 0.2, 0.35, 0.5):
            pad = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 900)))
            cut = rng.randrange(len(pad) + 1)
            queries.append(pad[:cut] + _mutated(choice, rng, share, alphabet) + pad[cut:])
            # Cut off at either end, so the best window is a prefix or a suffix shorter than the signature.
            part = rng.randrange(len(choice) // 3, len(choice))
            queries.append(_mutated(choice[-part:], rng, share, alphabet) + pad)
            queries.append(pad + _mutated(choice[:part], rng, share, alphabet))
    for cutoff in (50, 60, 75, 90):
        assert np.array_equal(partial_ratios(queries, choices, cutoff), cdist(queries, choices, cutoff))
    assert (cdist(queries, choices, 75) > 0).sum() >= len(choices)


@settings(max_examples=200, deadline=None)
@given(queries=st.lists(st.text(alphabet="abcd e", max_size=120), min_size=1, max_size=6),
       choices=st.lists(st.text(alphabet="abcd e", max_size=80), min_size=1, max_size=6),
       cutoff=st.integers(min_value=0, max_value=100))
def test_any_strings_match_cdist_exactly(queries: list[str], choices: list[str], cutoff: int) -> None:
    assert np.array_equal(partial_ratios(queries, choices, cutoff), cdist(queries, choices, cutoff))


def test_no_queries_or_no_choices_give_an_empty_matrix() -> None:
    assert partial_ratios([], ["abc"], 75).shape == (0, 1)
    assert partial_ratios(["abc"], [], 75).shape == (1, 0)


def test_pairs_not_wanted_are_zero_and_the_others_exact() -> None:
    rng = random.Random(23)
    alphabet = "abcdefgh -:/"
    queries = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 300))) for _ in range(20)]
    choices = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200))) for _ in range(20)]
    queries += queries[:4]  # a pair wanted for one copy of a query is aligned for every copy
    wanted = np.asarray([[rng.random() < 0.4 for _ in choices] for _ in queries])
    for_any_copy = np.asarray([np.any(wanted[[j for j, o in enumerate(queries) if o == q]], axis=0) for q in queries])
    for cutoff in (50, 75, 90):
        got = partial_ratios(queries, choices, cutoff, wanted=wanted)
        assert np.array_equal(got[for_any_copy], cdist(queries, choices, cutoff)[for_any_copy])
        assert not got[~for_any_copy].any()
