"""The search index built once from the KB: weighted postings and masked signatures.

Each entry becomes one weighted bag of features drawn from its fields, where a
signature or an alert name counts more than a sentence of fix text. Weights are
BM25-style: saturated term frequency times inverse document frequency, so rare,
telling tokens (``conntrack``, ``hnscall``) dominate common ones (``failed``).
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from bot.kb.models import Entry
from bot.matching.background import BACKGROUND_IDF_CAP, BACKGROUND_WORDS, HAN_BACKGROUND_WORDS
from bot.matching.bags import BAG_VERSION, BagStore, digest
from bot.matching.chinese import to_simplified
from bot.matching.extract import BagExtractor
from bot.matching.features import STOPWORDS, Lexicon, plain_words
from bot.matching.mask import mask

SATURATION = 1.5
_KEY_WORD = re.compile(r"[a-z][a-z0-9_]*")
_NAME_TOKEN = re.compile(r'"[^"\s]{1,200}"|[^\s"]*[/@][^\s"]*')
"""A quoted name, a path, an image reference or a URL: in a signature, an example of a name
("docker.io/team/webapp:1.25.9"), whose words a real message need not share."""


@dataclass(frozen=True)
class Posting:
    """Entries that carry one feature, with the feature's weight in each."""

    entries: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True)
class SearchIndex:
    """Everything the matcher needs at query time, computed once."""

    entries: tuple[Entry, ...]
    spans: dict[str, tuple[int, int]]
    """For each feature, its slice of ``posting_entries`` / ``posting_weights`` (one sorted array each,
    so the index pickles as a few arrays rather than thousands)."""
    posting_entries: np.ndarray
    posting_weights: np.ndarray
    idf: dict[str, float]
    max_idf: float
    signatures: tuple[str, ...]
    """Masked, lower-cased signatures and alert names, for fuzzy line matching."""
    signature_owner: np.ndarray
    """For each signature, the index of its entry."""
    signature_keys: tuple[tuple[str, ...], ...]
    """For each signature, its rarest words: an alignment that misses them ("sh" where the
    signature says "conntrack") is a look-alike, not a match."""
    signature_specificity: np.ndarray
    """For each signature, 0.3..1: how rare its words are; generic prefixes align everywhere and prove little."""
    signature_distinctive: tuple[str, ...]
    """For each signature, its masked, lower-cased distinctive part ("" when the whole signature is)."""
    signature_texts: tuple[str, ...]
    """For each signature, the text as the KB writes it, to show which one matched."""
    signature_rows: dict[int, np.ndarray]
    """For each entry index, the indices of its signatures."""
    key_signatures: dict[str, np.ndarray]
    """For each key word, the signatures it is a key of: a text holding all of a signature's keys
    may quote it, whatever its other words say."""
    vocabulary: frozenset[str]
    """Plain lower-case words of the index, for a cheap first pass over long pastes."""
    alert_entries: dict[str, tuple[int, ...]]
    """Lower-cased alert name -> indices of the entries that list it: an Alertmanager post names its alert."""
    lexicon: Lexicon

    def __len__(self) -> int:
        return len(self.entries)

    def posting(self, feature: str) -> Posting | None:
        """The entries carrying ``feature`` with their weights, or None for an unknown feature."""
        span = self.spans.get(feature)
        if span is None:
            return None
        return Posting(self.posting_entries[span[0]:span[1]], self.posting_weights[span[0]:span[1]])


def entry_fields(entry: Entry) -> list[tuple[str, str]]:
    """The (field kind, text) pairs of an entry that the index learns from."""
    out: list[tuple[str, str]] = [("signature", masked_signature(s)) for s in entry.signatures]
    out += [("alert", a) for a in entry.alerts]
    out += [("tag", t) for t in entry.tags]
    out.append(("id", entry.id.replace("-", " ")))
    for text in entry.text.values():
        out.append(("title", text.title))
        out += [("symptom", s) for s in text.symptoms]
        out.append(("impact", text.impact))
        for cause in text.causes:
            out.append(("cause", cause.cause))
            out += [("fix", step) for step in cause.fix]
    out += [("command", c.run) for c in (*entry.diagnose, *entry.fix)]
    return out


def build_index(
    entries: list[Entry] | tuple[Entry, ...], lexicon: Lexicon, bags: BagStore | None = None
) -> SearchIndex:
    """Compute postings, idf and the signature table for ``entries``.

    Each entry's bag comes from ``bags`` when its content is unchanged, else it is extracted
    (and added to ``bags``). Postings are cut from one sorted array, so a 10,000-entry KB
    builds without a dict per entry.
    """
    entries = tuple(entries)
    store = bags if bags is not None else BagStore()
    extractor = BagExtractor(lexicon, store)
    id_parts: list[np.ndarray] = []
    code_parts: list[np.ndarray] = []
    bag_keys: list[str] = []
    for entry in entries:
        fields = entry_fields(entry)
        key = digest(BAG_VERSION, lexicon.digest, "\x1e".join(f"{kind}\x1f{text}" for kind, text in fields))
        bag_keys.append(key)
        bag = store.get(key) or store.put_ids(key, *extractor.bag(fields))
        id_parts.append(bag[0])
        code_parts.append(bag[1])
    store.keep_only(bag_keys)
    del extractor
    names = store.names

    n = max(len(entries), 1)
    df = np.zeros(len(names), dtype=np.int64)
    for bag_ids in id_parts:
        df[bag_ids] += 1
    df = df.astype(np.float64)
    idf_values = np.log1p((n - df + 0.5) / (df + 0.5))
    ids = {name: i for i, name in enumerate(names)}
    background_words = BACKGROUND_WORDS | {"#" + to_simplified(w) for w in HAN_BACKGROUND_WORDS}
    background = [ids[w] for w in background_words if w in ids]
    idf_values[background] = np.minimum(idf_values[background], BACKGROUND_IDF_CAP)
    bounds = np.concatenate([[0], np.cumsum(df.astype(np.int64))])
    rows, weights = _postings(id_parts, code_parts, store.weights, idf_values.astype(np.float32), bounds)
    del id_parts, code_parts
    present = np.nonzero(df > 0)[0].tolist()
    spans = {names[f]: (int(bounds[f]), int(bounds[f + 1])) for f in present}
    idf = {names[f]: float(idf_values[f]) for f in present}

    signatures: list[str] = []
    distinctive: list[str] = []
    owners: list[int] = []
    by_entry: dict[int, list[int]] = {}
    for i, entry in enumerate(entries):
        for text in entry.signatures:
            by_entry.setdefault(i, []).append(len(signatures))
            signatures.append(masked_signature(text).lower())
            part = entry.distinctive_part(text)
            distinctive.append(masked_signature(part).lower() if part != text else "")
            owners.append(i)
    owner_array = np.asarray(owners, dtype=np.int32)
    signature_rows = {i: np.asarray(rows_, dtype=np.int32) for i, rows_ in by_entry.items()}
    max_idf = math.log(1 + (n + 0.5) / 0.5)
    specificity = np.asarray([_specificity(sig, idf, max_idf) for sig in signatures], dtype=np.float32)
    _SIGNATURE_WORDS.trim()
    keys = tuple(_key_words(sig, idf) for sig in signatures)
    key_rows: defaultdict[str, list[int]] = defaultdict(list)
    for row, words in enumerate(keys):
        for word in words:
            key_rows[word].append(row)
    vocabulary = frozenset(f for f in idf if f.isascii() and f[0].isalnum())
    return SearchIndex(
        entries=entries,
        spans=spans,
        posting_entries=rows,
        posting_weights=weights,
        idf=idf,
        max_idf=max_idf,
        signatures=tuple(signatures),
        signature_owner=owner_array,
        signature_specificity=specificity,
        signature_distinctive=tuple(distinctive),
        signature_texts=tuple(t for e in entries for t in e.signatures),
        signature_keys=keys,
        signature_rows=signature_rows,
        key_signatures={w: np.asarray(r, dtype=np.int32) for w, r in key_rows.items()},
        vocabulary=vocabulary,
        alert_entries=_alert_entries(entries),
        lexicon=lexicon,
    )


POSTING_CHUNK = 1 << 18
"""Postings placed per step: the bags are sorted by feature a chunk at a time, so a large KB never holds
a second copy of all its postings (nor a sort order for all of them)."""


def _postings(id_parts: list[np.ndarray], code_parts: list[np.ndarray], tf_values: np.ndarray, idf: np.ndarray,
              bounds: np.ndarray, chunk: int = POSTING_CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """Entry and BM25 weight of every posting, grouped by feature (``bounds``), entries ascending in each.

    Each entry's bag is its feature ids and the codes of their term frequencies in ``tf_values``.

    The same order as one stable sort of all postings by feature: chunks of entries are taken in
    order, and each chunk's postings of a feature follow the earlier chunks' postings of it.
    """
    total = int(bounds[-1])
    rows = np.empty(total, dtype=np.int32)
    weights = np.empty(total, dtype=np.float32)
    fill = bounds[:-1].copy()
    small = len(idf) <= 1 << 16
    start = 0
    while start < len(id_parts):
        stop, size = start, 0
        while stop < len(id_parts) and (size == 0 or size + len(id_parts[stop]) <= chunk):
            size += len(id_parts[stop])
            stop += 1
        cols = np.concatenate(id_parts[start:stop])
        tfs = tf_values[np.concatenate(code_parts[start:stop])]
        owners = np.repeat(np.arange(start, stop, dtype=np.int32), [len(p) for p in id_parts[start:stop]])
        chunk_weights = idf[cols]
        chunk_weights *= tfs
        chunk_weights /= tfs + np.float32(SATURATION)
        # A stable sort of small keys is a radix sort in numpy: several times faster than on int32.
        order = np.argsort(cols.astype(np.uint16) if small else cols, kind="stable")
        cols = cols[order]
        counts = np.bincount(cols, minlength=len(idf))
        first = np.cumsum(counts) - counts
        places = fill[cols] + (np.arange(len(cols)) - first[cols])
        rows[places] = owners[order]
        weights[places] = chunk_weights[order]
        fill += counts
        start = stop
    return rows, weights


@functools.lru_cache(maxsize=200_000)
def masked_signature(text: str) -> str:
    """A KB signature masked like a query; signatures repeat across rebuilds, so this is memoised."""
    return mask(text)


class _WordMemo:
    """The plain words of each masked signature, kept between builds (they need no glossary), interned."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self.table: dict[str, tuple[str, ...]] = {}

    def words(self, signature: str) -> tuple[str, ...]:
        found = self.table.get(signature)
        if found is None:
            found = self.table[signature] = tuple(map(sys.intern, plain_words(signature)))
        return found

    def trim(self) -> None:
        if len(self.table) > self.limit:
            self.table.clear()


_SIGNATURE_WORDS = _WordMemo()


def _specificity(signature: str, idf: dict[str, float], max_idf: float) -> float:
    """Mean idf of the signature's three rarest words, as a share of the largest idf."""
    rarest = sorted((idf.get(f, max_idf) for f in _SIGNATURE_WORDS.words(signature)), reverse=True)[:3]
    if not rarest:
        return 0.3
    return float(min(1.0, max(0.3, sum(rarest) / len(rarest) / (0.6 * max_idf))))


def _key_words(signature: str, idf: dict[str, float]) -> tuple[str, ...]:
    """The signature's (up to) three rarest indexed words, outside names, paths and references.

    Function words never count; among equally common words the longer one wins ("services" over "error").
    """
    text = _NAME_TOKEN.sub(" ", signature.lower())
    words = {w for w in _KEY_WORD.findall(text) if w in idf and w not in STOPWORDS and len(w) > 2}
    return tuple(sys.intern(w) for w in sorted(words, key=lambda w: (-idf[w], -len(w), w))[:3])


def _alert_entries(entries: tuple[Entry, ...]) -> dict[str, tuple[int, ...]]:
    table: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        for alert in entry.alerts:
            table.setdefault(alert.lower(), []).append(i)
    return {alert: tuple(rows) for alert, rows in table.items()}
