"""What a match returns: ranked entries with score, confidence band and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from bot.kb.models import Cause, Entry

if TYPE_CHECKING:
    from bot.matching.calibration import Signals

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
    probability: float = 0.0
    """Calibrated estimate that this match is the right answer (for the first match; lower ranks
    get the estimate they would have as first answer without a lead)."""
    why: Why | None = None
    """What made the match: the signature that aligned, the shared words and the setting."""
    signals: Signals | None = field(default=None, compare=False, repr=False)
    """The inputs the calibration turned into ``probability``."""
    causes: tuple[int, ...] = ()
    """The entry's causes in the order to show them, the one the question points at first; () keeps
    the KB's order."""

    def causes_in(self, lang: str) -> tuple[Cause, ...]:
        """The entry's causes in ``lang``, in the order to show them."""
        return self.entry.text_in(lang).causes_in_order(self.causes)


@dataclass(frozen=True)
class Why:
    """The reasons behind one match, for ``--json`` and for maintainers tuning the KB."""

    signature: str = ""
    """The KB signature that aligned best with a line of the text ("" when none did)."""
    words: tuple[str, ...] = ()
    """The query's words (and glossary concepts) that the entry shares, most telling first."""
    context: tuple[str, ...] = ()
    """The platforms the text shows, and why the score was reduced (missing platform, rule-out)."""


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
    siblings: tuple[Match, ...] = field(default=())
    """Two related entries that fit about equally: the answer is "one of these two" rather than
    a confident one on either (and no answer at all when the result abstains); empty otherwise."""

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
