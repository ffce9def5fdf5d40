"""The per-query shortcuts of the scoring give the scores of the plain per-feature, per-pair definitions."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.matching import Matcher
from bot.matching.background import BACKGROUND_IDF_CAP
from bot.matching.features import features
from bot.matching.mask import mask

QUERIES = [
    item["query"]
    for path in sorted((Path(__file__).parent.parent / "data" / "queries").glob("*.yaml"))
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))
]
_KEY_TOKEN = re.compile(r"[a-z][a-z0-9_]*")


def _texts(matcher: Matcher) -> list[list[str]]:
    """The masked units of labelled queries, and of pastes quoting signatures amid noise."""
    signatures = [s for e in matcher.index.entries for s in e.signatures]
    pastes = [f"I0612 09:44:12.5 1 kubelet.go:42] pod web-{n} synced\n{s}\nhnsCall failed in Win32"
              for n, s in enumerate(signatures[::7])]
    out = []
    for text in QUERIES[::3] + pastes:
        units, _, _ = matcher._units(text)
        out.append([mask(u.text) for u in units])
    return out


def _lexical_by_feature(matcher: Matcher, texts: list[str], foreign: bool) -> np.ndarray:
    """The lexical scores summed feature by feature, each posting added on its own."""
    index, cal, n = matcher.index, matcher.tuning, len(matcher.index)
    unknown = cal.unknown_feature_idf * index.max_idf * (cal.foreign_unknown_share if foreign else 1.0)
    scores = np.zeros((len(texts), n))
    breadth = np.zeros((len(texts), n))
    norms = np.zeros(len(texts), dtype=np.float32)
    for u, text in enumerate(texts):
        for feature, weight in features(text, index.lexicon).items():
            weight = min(weight, 1.5) * (cal.alert_name_boost if feature in index.alert_entries else 1.0)
            posting = index.posting(feature)
            if posting is None:
                norms[u] += weight * (unknown * cal.unknown_han_share if feature[0] == "#" else unknown)
                continue
            norms[u] += weight * index.idf[feature]
            for entry, value in zip(posting.entries, posting.weights * weight, strict=True):
                scores[u, entry] += value
            if weight >= 1.0 and feature[0] != "~" and index.idf[feature] > BACKGROUND_IDF_CAP:
                breadth[u, posting.entries] += 1
    mass = np.minimum(1.0, scores / cal.evidence_mass)
    agreement = np.minimum(1.0, breadth / cal.telling_words)
    return (scores / np.where(norms > 0, norms, 1.0)[:, None] * mass * agreement).astype(np.float32)


@pytest.mark.parametrize("foreign", [False, True])
def test_gathered_lexical_scores_equal_the_feature_by_feature_sum(matcher: Matcher, foreign: bool) -> None:
    for units in _texts(matcher):
        distinct = list(dict.fromkeys(units))
        got = matcher._lexical(distinct, foreign=foreign)
        assert np.array_equal(got, _lexical_by_feature(matcher, distinct, foreign))


def test_key_shares_are_the_share_of_each_signature_s_key_words_a_query_holds(matcher: Matcher) -> None:
    index = matcher.index
    rows = list(range(len(index.signatures)))[::-1]  # any order of rows
    for units in _texts(matcher):
        queries = [u.lower() for u in units]
        got = matcher._key_shares(queries, rows)
        for k, query in enumerate(queries):
            words = set(_KEY_TOKEN.findall(query))
            for col, row in enumerate(rows):
                keys = index.signature_keys[row]
                expected = sum(w in words for w in keys) / len(keys) if keys else 1.0
                assert got[k, col] == np.float32(expected)
