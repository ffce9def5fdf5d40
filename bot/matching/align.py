"""Partial-ratio alignments of text units against signatures, worked out only where they can pass the floor.

``fuzz.partial_ratio`` aligns the shorter string (length ``m``) with substrings ``w`` of the
longer one no longer than ``m``, scoring ``200 * LCS(short, w) / (m + len(w))``. A substring's
LCS is at most the LCS ``L`` of the short string with the whole longer one, and at most
``len(w)``, so no alignment scores more than ``200 * L / (m + L)``. One bit-parallel LCS per
pair (far cheaper than the alignment itself) therefore rules out most pairs, and the rest are
aligned exactly as ``process.cdist`` would: the result is the same matrix, value for value.

A long line shares most of a shorter signature's characters in order somewhere, so for a
signature longer than rapidfuzz's fast path (64 characters) the bound is also taken window by
window: rapidfuzz scores full-length windows, and prefixes and suffixes of the longer string
(see ``_blocks_can_reach``), and most look-alike lines fall well short on each.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq


def partial_ratios(queries: Sequence[str], choices: Sequence[str], cutoff: int,
                   wanted: np.ndarray | None = None) -> np.ndarray:
    """``process.cdist(queries, choices, scorer=fuzz.partial_ratio, score_cutoff=cutoff)`` as uint8.

    Scores below ``cutoff`` are 0, as with cdist. Repeated queries (lines masked alike) are
    aligned once. ``wanted`` (a boolean matrix of the same shape) names the pairs the caller
    will use: the others are left 0 without being aligned.
    """
    out = np.zeros((len(queries), len(choices)), dtype=np.uint8)
    if not len(queries) or not len(choices):
        return out
    distinct = list(dict.fromkeys(queries))
    candidates = _candidates(distinct, choices, cutoff, _wanted_of_distinct(queries, distinct, wanted))
    rows = np.zeros((len(distinct), len(choices)), dtype=np.uint8)
    for k, query in enumerate(distinct):
        cols = np.flatnonzero(candidates[k]).tolist()
        if len(cols):
            rows[k, cols] = process.cdist([query], [choices[c] for c in cols], scorer=fuzz.partial_ratio,
                                          processor=None, score_cutoff=cutoff, dtype=np.uint8, workers=1)[0]
    where = {query: k for k, query in enumerate(distinct)}
    out[:] = rows[[where[q] for q in queries]]
    return out


def _wanted_of_distinct(queries: Sequence[str], distinct: list[str], wanted: np.ndarray | None) -> np.ndarray | None:
    """``wanted`` for the distinct queries: a pair is wanted when it is for any copy of the query."""
    if wanted is None or len(distinct) == len(queries):
        return wanted
    where = {query: k for k, query in enumerate(distinct)}
    out = np.zeros((len(distinct), wanted.shape[1]), dtype=bool)
    for query, row in zip(queries, wanted, strict=True):
        out[where[query]] |= row
    return out


def _candidates(queries: Sequence[str], choices: Sequence[str], cutoff: int,
                wanted: np.ndarray | None = None) -> np.ndarray:
    """For every (wanted) pair, whether its partial ratio can reach ``cutoff`` (exact integer test of the bound)."""
    lcs = process.cdist(queries, choices, scorer=LCSseq.similarity, processor=None, dtype=np.int64, workers=1)
    q_len = np.asarray([len(q) for q in queries], dtype=np.int64)[:, None]
    c_len = np.asarray([len(c) for c in choices], dtype=np.int64)[None, :]
    shorter = np.minimum(q_len, c_len)
    common = np.minimum(lcs, shorter)
    keep = (200 * common >= cutoff * (shorter + common)) | (shorter == 0)
    if wanted is not None:
        keep &= wanted
    long_pairs: dict[tuple[str, int], list[tuple[int, int, str]]] = {}
    for k, c in zip(*np.nonzero(keep & (shorter > FAST_NEEDLE)), strict=True):
        query, choice = queries[k], choices[c]
        needle, hay = (query, choice) if len(query) < len(choice) else (choice, query)
        long_pairs.setdefault((hay, _band(len(needle))), []).append((int(k), int(c), needle))
    for (hay, band), pairs in long_pairs.items():
        reach = _coarse_can_reach([needle for _, _, needle in pairs], hay, band, cutoff)
        for (k, c, needle), coarse in zip(pairs, reach, strict=True):
            keep[k, c] = coarse and _blocks_can_reach(needle, hay, cutoff)
    return keep


BAND = 1.5
"""Needles whose lengths are within this factor share one set of coarse blocks of a string."""


def _band(length: int) -> int:
    """The shortest length of the band ``length`` falls in (65, 97, 145, ... for ``BAND`` 1.5)."""
    low = FAST_NEEDLE + 1
    while int(low * BAND) <= length:
        low = int(low * BAND)
    return low


def _coarse_can_reach(needles: list[str], hay: str, band: int, cutoff: int) -> list[bool]:
    """For needles of one band aligned with ``hay``, whether the coarse block bound lets them reach ``cutoff``.

    Blocks ``band // 2`` apart and as long as the longest needle plus that step hold every window
    of any of the needles (windows are never longer than the needle), so a needle whose best block
    LCS ``L`` gives ``200 * L / (m + L)`` below the cutoff cannot reach it. One LCS matrix serves
    all the needles of the band.
    """
    step = max(1, band // 2)
    width = max(len(n) for n in needles) + step
    if len(hay) < width:
        return [True] * len(needles)
    blocks = []
    for start in range(0, len(hay), step):
        blocks.append(hay[start:start + width])
        if start + width >= len(hay):
            break
    best = process.cdist(needles, blocks, scorer=LCSseq.similarity, processor=None, dtype=np.int64,
                         workers=1).max(axis=1).tolist()
    return [200 * common >= cutoff * (len(n) + common) for n, common in zip(needles, best, strict=True)]


FAST_NEEDLE = 64
"""rapidfuzz aligns a string up to this long in one bit-parallel pass; longer ones cost far more."""


def _blocks_can_reach(needle: str, hay: str, cutoff: int) -> bool:
    """Whether an alignment of ``needle`` with ``hay`` can reach ``cutoff``, from LCS bounds.

    (The coarse bound of ``_coarse_can_reach`` comes first.) partial_ratio scores ``needle``
    (length ``m``) against windows of ``hay``: windows of length ``m`` (each inside one block of
    ``m + step`` characters, so the block's LCS over ``m`` bounds
    it), and prefixes and suffixes of ``hay`` shorter than ``m``. The prefix of length ``m - 1``
    bounds every shorter prefix as a whole; when that is not enough, a prefix of length ``k`` in
    ``(k0, k1]`` has an LCS of at most that of the prefix of length ``k1``, and no more than ``k1``,
    over ``m + k0 + 1`` at least. Suffixes alike.
    """
    m = len(needle)
    if len(hay) <= m:
        return True  # equal lengths: partial_ratio also aligns the other way round
    # A string too short for finer blocks is one block: it holds every full-length window.
    blocks = _blocks(hay, m, max(1, m // 8)) or [hay]
    whole_edges = [hay[:m - 1], hay[len(hay) - m + 1:]]
    lcs = _lcs(needle, blocks + whole_edges)
    if 100 * max(lcs[:len(blocks)]) >= cutoff * m:
        return True
    sides = [side for side, common in zip((_prefix, _suffix), lcs[len(blocks):], strict=True)
             if 200 * common >= cutoff * (m + common)]
    if not sides:
        return False
    cuts = sorted({min(m - 1, -(-m * j // EDGE_CUTS)) for j in range(1, EDGE_CUTS + 1)} - {0})
    for side in sides:
        low = 0
        for k, common in zip(cuts, _lcs(needle, [side(hay, k) for k in cuts]), strict=True):
            if 200 * min(k, common) >= cutoff * (m + low + 1):
                return True
            low = k
    return False


def _blocks(hay: str, m: int, step: int) -> list[str] | None:
    """Substrings of ``m + step`` characters every ``step`` characters, holding every window of at most ``m``."""
    if len(hay) < m + step:
        return None
    blocks = []
    for start in range(0, len(hay), step):
        blocks.append(hay[start:start + m + step])
        if start + m + step >= len(hay):
            break
    return blocks


def _lcs(needle: str, texts: list[str]) -> list[int]:
    return process.cdist([needle], texts, scorer=LCSseq.similarity, processor=None, dtype=np.int64,
                         workers=1)[0].tolist()


def _prefix(text: str, k: int) -> str:
    return text[:k]


def _suffix(text: str, k: int) -> str:
    return text[len(text) - k:]


EDGE_CUTS = 16
"""Prefix and suffix lengths at which the LCS is taken: the bound on the windows between two cuts is
loose by at most one cut's share of ``m`` in its denominator."""
