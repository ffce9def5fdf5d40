"""Why a match got its confidence band, in words an on-call engineer can act on.

A band alone ("medium (1.00)") reads as a contradiction: the score is high, yet
the band is not. The reason names what decided it: a runner-up as good as the
best topic, a related topic that fits about as well (the matcher answers "one of
these two"), a close runner-up, or a fit that covers only part of the text. It is
derived from what a :class:`~bot.matching.types.MatchResult` carries: the scores,
and the sibling pair when the matcher found one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.matching.matcher import SIBLING_RATIO
from bot.matching.types import MatchResult

ReasonKey = Literal["clear_lead", "siblings", "tie", "close_runner_up", "partial_fit", "weak_fit", "no_match"]

TIE_RATIO = 0.99
"""A runner-up scoring at least this share of the best: the two fit equally well."""
CLOSE_RATIO = SIBLING_RATIO
"""A runner-up scoring at least this share of the best is close (the matcher's sibling threshold)."""


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
    if result.siblings and not result.abstained:
        other = result.siblings[1]
        return ConfidenceReason("siblings", other.entry.id, other.entry.text_in(lang).title)
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
    if runner_up is not None and score > 0 and runner_up >= CLOSE_RATIO * score:
        return "tie" if runner_up >= TIE_RATIO * score else "close_runner_up"
    return "partial_fit"
