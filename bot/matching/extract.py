"""Entry bags for one index build: each entry's fields as weighted feature counts.

Extraction is most of a build, and a large KB repeats much of its text: entries written
from one template share their fix steps, commands and causes, and many symptom sentences.
An extractor reads each repeated field text (and each repeated paragraph's working
clauses) once per build; the result is the same as reading every text afresh.
"""

from __future__ import annotations

import numpy as np

from bot.matching.bags import BagStore
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
"""Features kept for repeated field texts (12 bytes each), freed with the extractor."""
PARAGRAPH_BUDGET = 200_000
"""Paragraphs, and their working features, kept for repeated paragraphs."""

_TextFeatures = tuple[np.ndarray, np.ndarray]


class BagExtractor:
    """Turns entries' fields into bags, reusing the features of field texts met before in this build.

    Bags come as feature ids of ``store`` with their weights, so a repeated text costs a few array
    operations rather than a loop over its features.
    """

    def __init__(self, lexicon: Lexicon, store: BagStore, text_budget: int = TEXT_BUDGET,
                 paragraph_budget: int = PARAGRAPH_BUDGET) -> None:
        self.lexicon = lexicon
        self.store = store
        self._texts: RepeatMemo[_TextFeatures] = RepeatMemo(text_budget)
        self._paragraphs: RepeatMemo[WorkingFeatures] = RepeatMemo(paragraph_budget)

    def bag(self, fields: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """The distinct feature ids of one entry's (field kind, text) pairs, ascending, and their weights.

        Each weight is the sum, field kind by field kind, of the kind's weight times the feature's count:
        ``bincount`` adds in input order, as adding them one by one would.
        """
        by_kind: dict[str, list[str]] = {}
        for kind, text in fields:
            by_kind.setdefault(kind, []).append(text)
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for kind, texts in by_kind.items():
            ids, counts = self._features("\n\n".join(texts))
            id_parts.append(ids)
            weight_parts.append(FIELD_WEIGHTS[kind] * counts)
        if not id_parts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
        distinct, where = np.unique(np.concatenate(id_parts), return_inverse=True)
        return distinct, np.bincount(where.reshape(-1), weights=np.concatenate(weight_parts), minlength=len(distinct))

    def _features(self, text: str) -> _TextFeatures:
        """Feature ids and counts of one field text; ids are given to new names in extraction order."""
        found = self._texts.get(text)
        if found is None:
            extracted = features(text, self.lexicon, self._paragraphs)
            found = (self.store.ids_of(extracted), np.fromiter(extracted.values(), dtype=np.float64,
                                                               count=len(extracted)))
            self._texts.offer(text, found, len(extracted))
        return found
