"""One exact-output test per redaction rule and per common secret form, and linear time on hostile text."""

from __future__ import annotations

import time

import pytest
from secret_forms import SECRET_FORMS

from bot.redact import REDACTION_RULES, redact, redact_data


@pytest.mark.parametrize(("form", "text", "expected"), SECRET_FORMS, ids=[f[0] for f in SECRET_FORMS])
def test_secret_form_is_masked(form: str, text: str, expected: str) -> None:
    assert redact(text) == expected


def test_every_rule_has_an_exact_output_case() -> None:
    # given the secret forms above, when each is redacted, then every rule fired for at least one of them
    fired = {i for i, (pattern, _, _) in enumerate(REDACTION_RULES)
             for _, text, _ in SECRET_FORMS if pattern.search(text)}
    assert fired == set(range(len(REDACTION_RULES)))


@pytest.mark.parametrize(
    "text",
    ["dial tcp 10.0.0.1:443: i/o timeout", "conntrack returned error: error looking for path of conntrack",
     "kubectl get secrets is not allowed", "Unauthorized: invalid bearer token", "secretName: web-tls",
     "error: You must be logged in to the server (Unauthorized)", "sort -u list.txt", "x509: certificate has expired",
     "KUBE_TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)",
     'curl -H "Authorization: Bearer $KUBE_TOKEN" https://10.0.0.1:6443/version'],
)
def test_ordinary_log_lines_are_untouched(text: str) -> None:
    assert redact(text) == text


def test_structured_data_is_redacted_value_by_value() -> None:
    data = {"evidence": ['password: "x y"', "ok"], "score": 0.5, "nested": {"t": "token=abc"}}
    assert redact_data(data) == {"evidence": ['password: "[REDACTED]"', "ok"], "score": 0.5,
                                 "nested": {"t": "token=[REDACTED]"}}


HANG_GUARD_SECONDS = 2.0
"""Far above the real cost (benchmarks/robustness_bench.py); catches only super-linear backtracking."""


@pytest.mark.parametrize(
    "hostile",
    ["a." * 40_000, "a:" * 40_000, "x://a:" * 10_000, "-eyJ" * 20_000, "token: \"" * 10_000, "-u a:" * 10_000,
     "--token " * 10_000, "a" * 80_000 + "@", "password" * 10_000, "-----BEGIN " + "A " * 20_000],
    ids=lambda s: repr(s[:8]),
)
def test_redaction_is_linear_on_hostile_text(hostile: str) -> None:
    start = time.perf_counter()
    redact(hostile)
    assert time.perf_counter() - start < HANG_GUARD_SECONDS


def test_characters_that_lengthen_when_lower_cased_do_not_shift_the_mask() -> None:
    # "İ" lower-cases to two characters: positions found in the lower-cased text must still fit the original
    assert redact("İİİ password=hunter2 and token: abc İ") == "İİİ password=[REDACTED] and token: [REDACTED] İ"
