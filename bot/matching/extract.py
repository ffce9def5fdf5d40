"""Entry bags for one index build: each entry's fields as weighted feature counts.

Extraction is most of a build, and a large KB repeats much of its text: entries written
from one template share their fix steps, commands and causes, and many symptom sentences.
An extractor reads each repeated field text (and each repeated paragraph's working
clauses) once per build; the result is the same as reading every text afresh.
"""

from __future__ import annotations

from array import array
from collections import defaultdict

from bot.matching.features import Lexicon, WorkingFeatures, features
from bot.matching.memo import RepeatMemo

FIELD_WEIGHTS = {
    "signature": 3.0,
    "alert": 3.0,
    "title": 2.0,
    "symptom": 1.5,
    "tag": 1.0,
    "id": 1.0,
    "command": 0.5,
    "cause": 0.6,
    "fix": 0.4,
    "impact": 0.3,
}
TEXT_BUDGET = 1_000_000
"""Features kept for repeated field texts (about 16 bytes each), freed with the extractor."""
PARAGRAPH_BUDGET = 200_000
"""Paragraphs, and their working features, kept for repeated paragraphs."""

_TextFeatures = tuple[tuple[str, ...], array]


class BagExtractor:
    """Turns entries' fields into bags, reusing the features of field texts met before in this build."""

    def __init__(self, lexicon: Lexicon, text_budget: int = TEXT_BUDGET,
                 paragraph_budget: int = PARAGRAPH_BUDGET) -> None:
        self.lexicon = lexicon
        self._texts: RepeatMemo[_TextFeatures] = RepeatMemo(text_budget)
        self._paragraphs: RepeatMemo[WorkingFeatures] = RepeatMemo(paragraph_budget)

    def bag(self, fields: list[tuple[str, str]]) -> dict[str, float]:
        """The weighted feature counts of one entry's (field kind, text) pairs."""
        by_kind: dict[str, list[str]] = {}
        for kind, text in fields:
            by_kind.setdefault(kind, []).append(text)
        bag: defaultdict[str, float] = defaultdict(float)
        for kind, texts in by_kind.items():
            weight = FIELD_WEIGHTS[kind]
            names, counts = self._features("\n\n".join(texts))
            for feature, count in zip(names, counts, strict=True):
                bag[feature] += weight * count
        return bag

    def _features(self, text: str) -> _TextFeatures:
        """Feature names and counts of one field text, in extraction order."""
        found = self._texts.get(text)
        if found is None:
            extracted = features(text, self.lexicon, self._paragraphs)
            found = (tuple(extracted), array("d", extracted.values()))
            self._texts.offer(text, found, len(found[0]))
        return found
