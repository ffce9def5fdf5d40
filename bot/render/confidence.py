"""Why a match got its confidence band, in words an on-call engineer can act on.

A band alone ("medium (1.00)") reads as a contradiction: the score is high, yet
the band is not. The reason names what decided it: a runner-up as good as the
best topic, a close runner-up, or a fit that covers only part of the text. It is
derived from what a :class:`~bot.matching.types.MatchResult` carries (scores and
the lead of the best topic over the next); extend :func:`confidence_reason` when
the result carries more (a ``why`` from the matcher, a pair of sibling topics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.matching.types import MatchResult

ReasonKey = Literal["clear_lead", "tie", "close_runner_up", "partial_fit", "weak_fit", "no_match"]

TIE_LEAD = 0.01
"""A lead below this means the two best topics fit equally well."""

HIGH_SCORE = 0.50
"""Score of a full fit; the matcher's ``Calibration.high`` (kept equal by a test)."""

MARGIN = 0.08
"""Lead a high band needs; the matcher's ``Calibration.margin`` (kept equal by a test)."""


@dataclass(frozen=True)
class ConfidenceReason:
    """The reason for a band: a key (stable, for JSON and tests) and the runner-up it names, if any."""

    key: ReasonKey
    runner_up_id: str | None = None
    runner_up_title: str | None = None


def confidence_reason(result: MatchResult, lang: str = "en") -> ConfidenceReason:
    """The reason for the band of the best match of ``result``.

    Args:
        result: A match result with at least two matches when a runner-up exists (ask for ``top >= 2``).
        lang: KB language for the runner-up's title.
    """
    if not result.matches:
        return ConfidenceReason("no_match")
    best = result.matches[0]
    second = result.matches[1] if len(result.matches) > 1 else None
    key = reason_key(best.score, best.confidence, second.score if second is not None else None)
    if key in ("tie", "close_runner_up") and second is not None:
        return ConfidenceReason(key, second.entry.id, second.entry.text_in(lang).title)
    return ConfidenceReason(key)


def reason_key(score: float, confidence: str, runner_up: float | None) -> ReasonKey:
    """The reason for a band from the best score, its band and the runner-up's score (None without one).

    Also used where only scores are at hand (the Slack app's stored candidates).
    """
    if confidence == "high":
        return "clear_lead"
    if confidence == "low":
        return "weak_fit"
    if runner_up is not None and score >= HIGH_SCORE and score - runner_up < MARGIN:
        return "tie" if score - runner_up < TIE_LEAD else "close_runner_up"
    return "partial_fit"
