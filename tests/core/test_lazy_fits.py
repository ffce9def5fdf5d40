"""Fits computed on demand: the same top entries as fitting every entry, with fewer rule groups run."""

from __future__ import annotations

import numpy as np
import pytest

from bot.kb.loader import load_knowledge
from bot.matching import Matcher
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


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_every_factor_asked_for_equals_the_eager_one(rules: ContextRules, text: str) -> None:
    setting = Setting.of(text)
    eager = rules.factors(setting, text)
    fits = rules.lazy(setting, text)
    fits.apply(np.arange(len(eager)))
    assert fits.exact.all()
    assert np.array_equal(fits.factors, eager)


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_the_top_scores_equal_the_eagerly_fitted_ones(rules: ContextRules, text: str) -> None:
    # given random raw scores and alert floors (ties included), 200 draws per text
    setting = Setting.of(text)
    eager = rules.factors(setting, text)
    rng = np.random.default_rng(12)
    groups_run = []
    for _ in range(200):
        raw = rng.choice([0.0, 0.2, 0.5, 0.8, 1.0], size=len(eager)).astype(np.float32) * rng.random(len(eager))
        raw[rng.random(len(eager)) < 0.1] = 0.9  # ties
        alert = np.where(rng.random(len(eager)) < 0.05, 0.6, 0.0).astype(np.float32)
        k = int(rng.integers(1, 5))
        # when the top k are taken from the lazily fitted scores
        fits = rules.lazy(setting, text)
        lazy_scores = Matcher._fitted_scores(raw, alert, fits, k)
        full = np.maximum(raw * eager, alert)
        # then the entries picked carry their exact scores, and those are the k best scores
        # (which of several equal scores is picked is arbitrary, as with the eager scores)
        got = _top_indices(lazy_scores, k)
        assert np.array_equal(lazy_scores[got], full[got])
        assert np.array_equal(full[got], np.sort(full)[::-1][:k])
        groups_run.append(len(fits._done))
    # and most draws ran fewer rule groups than the KB has
    assert np.median(groups_run) < len(rules._groups)
