"""Which of an entry's causes the question points at, so the answer shows that one first.

Most entries list several causes (a wrong namespace, a broken resolv.conf, a cluster domain that is
not cluster.local). The question often tells which: "the FQDN resolves but the short name does not"
is the resolv.conf cause. Each cause is scored by the idf of the question's features it shares, over
its text and fix in every language of the entry, so a question in any language meets it. The KB's
order stands unless another cause clearly shares more. Words of the entry's title say what the
entry is about, not which cause, and count a quarter; a word several causes share counts less.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from bot.kb.models import Entry
from bot.matching.features import Lexicon, features

MARGIN = 1.0
"""idf a later cause must share beyond the first one to be shown first (about one telling word)."""
TITLE_SHARE = 0.25
"""What a word of the entry's title counts: it says what the entry is about more than which cause."""


class CauseRanker:
    """Orders causes by the question; cause feature sets are built on first use and kept."""

    def __init__(self, idf: Mapping[str, float], lexicon: Lexicon) -> None:
        self._idf = idf
        self._lexicon = lexicon
        self._weights: dict[str, list[dict[str, float]]] = {}

    def prepare(self, entries: Iterable[Entry]) -> None:
        """Work out the cause weights of ``entries`` now rather than at their first answer."""
        for entry in entries:
            self._weights_of(entry)

    def order(self, entry: Entry, question: Mapping[str, float]) -> tuple[int, ...]:
        """Cause indices best first, or () when the KB's order stands."""
        weights = self._weights_of(entry)
        if len(weights) < 2:
            return ()
        scores = [sum(w.get(f, 0.0) for f in question if f[0] != "~") for w in weights]
        ranked = sorted(range(len(weights)), key=lambda k: (-scores[k], k))
        if scores[ranked[0]] < scores[0] + MARGIN:
            return ()
        return tuple(ranked)

    def _weights_of(self, entry: Entry) -> list[dict[str, float]]:
        weights = self._weights.get(entry.id)
        if weights is None:
            weights = self._weights[entry.id] = self._cause_weights(entry)
        return weights

    def _cause_weights(self, entry: Entry) -> list[dict[str, float]]:
        """For each cause, its features weighted by idf and by how few of the entry's causes share them."""
        count = min(len(t.causes) for t in entry.text.values())
        title = frozenset(features("\n\n".join(t.title for t in entry.text.values()), self._lexicon))
        bags = []
        for k in range(count):
            texts = [" ".join((t.causes[k].cause, *t.causes[k].fix)) for t in entry.text.values()]
            bags.append(frozenset(features("\n\n".join(texts), self._lexicon)))
        shared = {f: sum(f in b for b in bags) for b in bags for f in b}
        spread = math.log(1 + count)

        def weight(f: str) -> float:
            rarity = math.log(1 + count / shared[f]) / spread
            return self._idf.get(f, 0.0) * rarity * (TITLE_SHARE if f in title else 1.0)

        return [{f: weight(f) for f in bag} for bag in bags]
