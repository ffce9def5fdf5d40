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
from bot.matching.bags import digest
from bot.matching.features import Lexicon, features

MARGIN = 1.0
"""idf a later cause must share beyond the first one to be shown first (about one telling word)."""
TITLE_SHARE = 0.25
"""What a word of the entry's title counts: it says what the entry is about more than which cause."""


class CauseRanker:
    """Orders causes by the question; cause feature sets are built on first use and kept.

    An entry keeps only its causes' feature sets and its title's; a feature's weight is worked out
    when a question has it. Entries that share cause texts (a KB made from templates) share the sets.
    """

    def __init__(self, idf: Mapping[str, float], lexicon: Lexicon) -> None:
        self._idf = idf
        self._lexicon = lexicon
        self._causes: dict[str, _Causes] = {}
        self._sets: dict[str, frozenset[str]] = {}

    def prepare(self, entries: Iterable[Entry]) -> None:
        """Work out the cause feature sets of ``entries`` now rather than at their first answer."""
        for entry in entries:
            self._causes_of(entry)

    def order(self, entry: Entry, question: Mapping[str, float]) -> tuple[int, ...]:
        """Cause indices best first, or () when the KB's order stands."""
        causes = self._causes_of(entry)
        if len(causes.bags) < 2:
            return ()
        asked = [f for f in question if f[0] != "~"]
        scores = [sum(causes.weight(f, self._idf) for f in asked if f in bag) for bag in causes.bags]
        ranked = sorted(range(len(scores)), key=lambda k: (-scores[k], k))
        if scores[ranked[0]] < scores[0] + MARGIN:
            return ()
        return tuple(ranked)

    def _causes_of(self, entry: Entry) -> _Causes:
        causes = self._causes.get(entry.id)
        if causes is None:
            causes = self._causes[entry.id] = self._read(entry)
        return causes

    def _read(self, entry: Entry) -> _Causes:
        """The feature sets of each cause (its text and fix in every language) and of the title."""
        count = min(len(t.causes) for t in entry.text.values())
        title = self._set("\n\n".join(t.title for t in entry.text.values()))
        bags = tuple(
            self._set("\n\n".join(" ".join((t.causes[k].cause, *t.causes[k].fix)) for t in entry.text.values()))
            for k in range(count)
        )
        return _Causes(bags, title)

    def _set(self, text: str) -> frozenset[str]:
        """The features of ``text``, one set for every entry with this text (kept by digest, not by text)."""
        key = digest(text)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = frozenset(features(text, self._lexicon))
        return found


class _Causes:
    """One entry's cause feature sets and its title's.

    A feature's weight is its idf, less for one several causes share, a quarter for a word of the title.
    """

    __slots__ = ("bags", "spread", "title")

    def __init__(self, bags: tuple[frozenset[str], ...], title: frozenset[str]) -> None:
        self.bags = bags
        self.title = title
        self.spread = math.log(1 + len(bags))

    def weight(self, feature: str, idf: Mapping[str, float]) -> float:
        shared = sum(feature in b for b in self.bags)
        rarity = math.log(1 + len(self.bags) / shared) / self.spread
        return idf.get(feature, 0.0) * rarity * (TITLE_SHARE if feature in self.title else 1.0)
