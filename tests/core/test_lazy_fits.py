"""Fits computed on demand: the same top entries as fitting every entry, with fewer rule groups run."""

from __future__ import annotations

import numpy as np
import pytest

from bot.kb.loader import load_knowledge
from bot.matching.context import ContextRules, Setting
from bot.matching.matcher import _top_indices

TEXTS = (
    "Failed to pull image \"registry.local/app:1\": x509: certificate signed by unknown authority",
    "Unable to connect to the server: x509: certificate has expired or is not yet valid",
    "PS C:\\> kubectl get nodes shows the windows node NotReady, hns network missing",
    "Internal error occurred: failed calling webhook \"validate.kyverno.svc\": context deadline exceeded",
    "I1121 chatty controller line about pod web-1\n" * 200 + "error looking for path of conntrack",
)


@pytest.fixture(scope="module")
def rules() -> ContextRules:
    return ContextRules(list(load_knowledge().entries.values()))


def _every_factor(rules: ContextRules, setting: Setting, text: str, size: int) -> np.ndarray:
    return np.asarray([rules.factor(i, setting, text) for i in range(size)], dtype=np.float32)


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_the_top_scores_equal_the_eagerly_fitted_ones(rules: ContextRules, text: str) -> None:
    # given random raw scores and alert floors (ties included), 200 draws per text
    setting = Setting.of(text)
    size = len(rules._group_of)
    eager = _every_factor(rules, setting, text, size)
    rng = np.random.default_rng(12)
    looked_at = []
    for _ in range(200):
        raw = rng.choice([0.0, 0.2, 0.5, 0.8, 1.0], size=size).astype(np.float32) * rng.random(size)
        raw[rng.random(size) < 0.1] = 0.9  # ties
        alert = np.where(rng.random(size) < 0.05, 0.6, 0.0).astype(np.float32)
        k = int(rng.integers(1, 5))
        # when the top k are taken from the lazily fitted scores
        lazy = rules.factors(setting, text, np.maximum(raw, alert), k)
        lazy_scores = np.maximum(raw * lazy, alert)
        full = np.maximum(raw * eager, alert)
        # then the entries picked carry their exact scores, and those are the k best scores
        # (which of several equal scores is picked is arbitrary, as with the eager scores)
        got = _top_indices(lazy_scores, k)
        assert np.array_equal(lazy_scores[got], full[got])
        assert np.array_equal(full[got], np.sort(full)[::-1][:k])
        looked_at.append(int(np.count_nonzero(lazy != 1.0)))
    # and most draws worked out far fewer factors than the KB has entries with rules
    assert np.median(looked_at) < int(np.count_nonzero(eager != 1.0))
