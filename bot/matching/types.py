"""What a match returns: ranked entries with score, confidence band and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.kb.models import Entry

Confidence = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Match:
    """One candidate entry for a query."""

    entry: Entry
    score: float
    """0..1, comparable across queries; the bands below are cut from it."""
    confidence: Confidence
    evidence: tuple[str, ...] = ()
    """The lines of the input (cleaned, not masked) that carry the error."""


@dataclass(frozen=True)
class MatchResult:
    """The ranked answer to one query."""

    query_lang: str
    """Detected language of the query: en, pt, ru, zh-Hans, zh-Hant, es, ja, de or und."""
    matches: tuple[Match, ...]
    abstained: bool
    """True when no match is confident enough to assert; ``matches`` are then only suggestions."""
    findings: tuple[Match, ...] = field(default=())
    """Distinct confident topics found in different lines of a long paste, best first."""

    @property
    def best(self) -> Match | None:
        """The asserted match, or None when the matcher abstained."""
        if self.abstained or not self.matches:
            return None
        return self.matches[0]

    @property
    def answer_lang(self) -> str:
        """The KB language to answer in: the query's where the KB has it, else English."""
        return answer_language(self.query_lang)


KB_LANG_FOR_QUERY = {"en": "en", "pt": "pt", "ru": "ru", "zh-Hans": "zh", "zh-Hant": "zh", "zh": "zh"}


def answer_language(query_lang: str) -> str:
    """Map a detected or requested language to one the KB is written in (English fallback)."""
    return KB_LANG_FOR_QUERY.get(query_lang, "en")
