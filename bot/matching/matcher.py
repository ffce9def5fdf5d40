"""Find the KB entries that explain a paste or a description.

A query is read as several units: the whole text (when short enough), its prose
(the asker's own words), and the lines of a paste that carry telling tokens.
Each unit gets a lexical score (idf-weighted coverage of its features by an
entry) and a fuzzy score against the entries' masked signatures. An entry's
score is its best unit plus shares of its next best units and of the whole
text's view; its best lines are the evidence.

The text's setting then narrows the ranking (``context``): a Windows-only entry needs
Windows evidence, and an entry's ``not_when`` patterns rule it out. A fitted model turns
the score, the lead and a few other signals into a probability of being right
(``calibration``); the bands and the abstention are cut from it. Two related entries
that fit about equally are answered together, as siblings, never as one high answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from bot.kb.loader import KnowledgeBase, builtin_dir, load_knowledge
from bot.matching.align import partial_ratios
from bot.matching.background import BACKGROUND_IDF_CAP
from bot.matching.calibration import Calibration, Signals, load_calibration
from bot.matching.causes import CauseRanker
from bot.matching.clean import clean_text
from bot.matching.context import (
    CONTEXT_CHARS,
    PROBLEM_MARKERS,
    ContextRules,
    Fit,
    Scope,
    Setting,
    for_rules,
    reports_a_problem,
    says_nothing_fails,
)
from bot.matching.events import OVERCOME_BY, overcome
from bot.matching.features import features, load_lexicon
from bot.matching.index import SearchIndex, build_index
from bot.matching.lang import detect_language, prose_of
from bot.matching.manifests import facts_of
from bot.matching.mask import mask_lines
from bot.matching.objects import lines_of, may_name_objects, object_of, several_objects
from bot.matching.types import Match, MatchResult, Why

MAX_INPUT_CHARS = 2_000_000
DETECT_PREFIX_CHARS = 8_000
WHOLE_TEXT_CHARS = 3_000
MAX_LINE_UNITS = 30
SHORTLIST = 8
QUOTED_KEYS = 2
"""A signature joins the shortlist when all its key words (at least this many) are in the text."""
MIN_FUZZY_CHARS = 12
FUZZY_UNITS = 16
CONTEXT_FUZZY_CHARS = 1000
"""A whole text or prose longer than this is aligned line by line only: its lines are units of their own,
and aligning every signature against a long text costs in proportion to its length."""
_TOKEN = re.compile(r"[a-z][a-z0-9_.\-]+")
_KEY_TOKEN = re.compile(r"[a-z][a-z0-9_]*")
_ALERT_TOKEN = re.compile(r"\b[A-Z][A-Za-z0-9]{5,}\b")
SIBLING_RATIO = 0.85
"""A related runner-up scoring at least this share of the first answer makes the answer a pair."""
DISTINCTIVE_MISS = 0.3
"""Share an alignment keeps when the signature's distinctive part is not in the text."""
DISTINCTIVE_RATIO = 90
"""partial_ratio the distinctive part must reach against the text."""
FINDING_SCORE = 0.5
"""A single line must score this much for its topic to be reported as a finding of a long paste."""
WHY_WORDS = 6
BREADTH_WORDS = 4
BAG_FILE = "bags-v1.npz"
ALERT_PROBABILITY = 0.99
"""An alert name that points at one entry is a label written by a machine: it settles the answer."""


@dataclass(frozen=True)
class Tuning:
    """How scores are built; set by hand against the project's labelled queries."""

    unknown_feature_idf: float = 0.35
    """Share of the largest idf charged for a query feature the KB has never seen."""
    telling_words: float = 2.0
    """Distinct informative words an entry must share with a unit to count fully: one rare word
    ("looking") can be chance."""
    alert_score: float = 0.8
    """Score floor of the entry an alert name points at (shared between two entries, half each)."""
    alert_name_boost: float = 3.0
    """A known alert name in the query counts this many times a word."""
    foreign_unknown_share: float = 0.5
    """Unknown words cost this share for questions not in English: inflections and languages the KB is
    not written in leave more words unknown without making the question less on-topic."""
    unknown_han_share: float = 0.3
    """Unknown Chinese character pairs cost less: most pairs of a sentence are not words at all."""
    evidence_mass: float = 4.0
    """Matched idf mass below which a unit's coverage is scaled down: common words alone prove little."""
    support: tuple[float, ...] = (0.35, 0.15)
    """Shares of the second and third best units added to an entry's best unit."""
    telling_rarity: float = 0.55
    """A line whose rarest words reach this share of the largest idf counts fully; below, proportionally."""
    generic_line_floor: float = 0.4
    """The least weight a line of only generic words keeps."""
    context_share: float = 0.75
    """Share of the whole-text (or prose) unit's score added for pastes read line by line."""
    fuzzy_floor: int = 75
    """partial_ratio at or below this counts as no alignment; 100 counts fully."""


@dataclass(frozen=True)
class _Unit:
    text: str
    is_line: bool
    weight: float = 1.0
    """Context lines of a paste (tables, prompts) count less than lines that report a problem."""
    read_from: str = ""
    """For a fact read from the paste's manifests (not a quote of it): what was read."""


_PROBLEM_WORDS = re.compile(
    r"^\s*[EWF]\d{4}\s|\b(?:error|err|errors|fail|failed|failing|failure|fatal|panic|unable|cannot|can't|"
    r"couldn't|could not|refused|denied|forbidden|timeout|timed out|not found|no such|invalid|exceeded|"
    r"unhealthy|notready|crashloopbackoff|backoff|back-off|warning|warn|killed|oomkilled|exhausted|no space|"
    r"unavailable|unreachable|no route|reset|insufficient|evicted|missing|not ready|waiting)\b|"
    r"\bendpoints:?\s+<none>",
    re.IGNORECASE,
)
CONTEXT_LINE_WEIGHT = 0.6
OVERCOME_WEIGHT = 0.4
"""A warning event that a later event reports overcome (see :mod:`bot.matching.events`) counts this much
as a line, and is left out of the whole text's own view."""
FACT_WEIGHT = 1.5
"""A fact read from the paste's manifests names a cause; a log line only shows a symptom."""
_TABLE_HEADER = re.compile(r"^(?:[A-Z][A-Za-z0-9()_/.-]*(?: [A-Z][A-Za-z0-9()_/.-]*)?(?:\s{2,}|$)){3,}$|^[-=\s]+$")
"""A column header of kubectl (NAME  READY  STATUS, Type  Reason  Age) or a rule line: never evidence."""
WARM_CAUSES = 500
"""Entries whose cause weights a server works out at start; the others on their first answer."""
_BARE_KEY = re.compile(r"^-?\s*[\w.\-/]+:\s*(?:[|>][-+]?)?$")
"""A YAML key that opens a block ("selector:", "spec:"): structure, never evidence."""


@dataclass(frozen=True)
class _WordPostings:
    """The postings of a unit's words (not stems, not Han characters) end to end, to tell which an entry shares."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    """Each word's weight in the unit, capped as the lexical scoring caps it."""
    entries: np.ndarray
    values: np.ndarray
    """The entry and the posting weight of every posting."""
    ends: np.ndarray
    """Where each word's postings end."""

    @classmethod
    def of(cls, index: SearchIndex, found: dict[str, float]) -> _WordPostings:
        words = [(f, w, index.spans[f]) for f, w in found.items() if f[0] not in "~#" and f in index.spans]
        starts = [lo for _, _, (lo, _) in words]
        stops = [hi for _, _, (_, hi) in words]
        lengths = np.asarray(stops, dtype=np.int64) - np.asarray(starts, dtype=np.int64)
        entries, values = ((index.posting_entries[:0], index.posting_weights[:0]) if not words else
                           _spans_of((index.posting_entries, index.posting_weights), starts, stops, lengths))
        return cls(tuple(f for f, _, _ in words), tuple(min(w, 1.5) for _, w, _ in words), entries, values,
                   np.cumsum(lengths))

    def shared_with(self, entry: int) -> list[tuple[float, str]]:
        """(weight, word) of each word entry ``entry`` carries, in the unit's order; a posting holds an entry once."""
        hits = np.flatnonzero(self.entries == entry)
        which = np.searchsorted(self.ends, hits, side="right")
        return [(float(self.values[h]) * self.weights[k], self.names[k])
                for h, k in zip(hits.tolist(), which.tolist(), strict=True)]


class Matcher:
    """Matches text against one loaded knowledge base; safe to share between threads."""

    def __init__(self, kb: KnowledgeBase, index: SearchIndex, tuning: Tuning | None = None,
                 calibration: Calibration | None = None) -> None:
        self.kb = kb
        self.index = index
        self.tuning = tuning or Tuning()
        self.calibration = calibration or load_calibration()
        self.rules = ContextRules(index.entries)
        self.causes = CauseRanker(index.idf, index.lexicon)
        self._key_counts = np.asarray([len(k) for k in index.signature_keys], dtype=np.int32)

    def warm_up(self) -> None:
        """Load what the first query of each script would load (Chinese tables), for long-lived servers.

        Also works out the cause weights (about 3 ms an entry) that a one-off command pays only for its
        answer: for the first :data:`WARM_CAUSES` entries, so a large team KB does not delay the start.
        """
        for sample in ("warm up", "节点 NotReady", "節點 NotReady", "ノード", "нода"):
            self.match(sample)
        self.causes.prepare(self.index.entries[:WARM_CAUSES])

    def match(self, text: str, top: int = 3, lang: str | None = None) -> MatchResult:
        """Rank entries for ``text``; abstain when none is confident."""
        text = text[:MAX_INPUT_CHARS]
        query_lang = lang or detect_language(text[:DETECT_PREFIX_CHARS])
        units, line_count, cleaned = self._units(text, query_lang)
        if not units or not len(self.index):
            return MatchResult(query_lang=query_lang, matches=(), abstained=True)

        memo: dict[str, str] = {}
        masked = [mask_lines(u.text, memo) for u in units]
        foreign = query_lang not in ("en", "und")
        seen: dict[str, dict[str, float]] = {}
        lexical = self._lexical(masked, foreign=foreign, seen=seen)
        best_lexical = lexical.max(axis=0)
        shortlist = self._with_quoted(_top_indices(best_lexical, SHORTLIST), masked)
        fuzzy, aligned = self._fuzzy(units, masked, lexical, shortlist)
        multi_line = line_count > 1
        weights = np.asarray([u.weight for u in units], dtype=np.float32)[:, None]
        combined = (np.maximum(lexical, fuzzy) + 0.25 * np.minimum(lexical, fuzzy)) * weights

        raw = self._aggregate(combined, units)
        ruled = for_rules(cleaned)
        setting = Setting.of(ruled)
        alert = self._alert_floor(text)
        fits: dict[tuple[int, str], Fit] = {}
        scope = _object_scope(units, combined, ruled)
        factors = self.rules.factors(setting, ruled, np.maximum(raw, alert), max(top, 2) + 1, fits, scope)
        entry_scores = np.maximum(raw * factors, alert)
        order = [int(i) for i in _top_indices(entry_scores, max(top, 2)) if entry_scores[i] > 0]
        if not order:
            return MatchResult(query_lang=query_lang, matches=(), abstained=True)

        first, second = order[0], (order[1] if len(order) > 1 else None)
        s1 = float(entry_scores[first])
        s2 = float(entry_scores[second]) if second is not None else 0.0
        sibling = second is not None and s2 >= SIBLING_RATIO * s1 and self._related(first, second)
        problem = reports_a_problem(ruled, query_lang)
        calm = says_nothing_fails(ruled)  # "nothing is broken, just curious": no high answer to post
        agreement = _agreement(combined, [n for n, u in enumerate(units) if u.is_line])
        matches = []
        words: dict[str, _WordPostings] = {}
        for rank, i in enumerate(order[: max(top, 1)]):
            score = float(entry_scores[i])
            fit = self.rules.fit(i, setting, ruled, fits, scope)
            why = self._why(i, units, masked, combined, aligned, setting, fit, seen, words)
            signals = Signals(
                score=score,
                lead=score - s2 if rank == 0 else 0.0,
                runner_up_ratio=s2 / s1 if rank == 0 and s1 > 0 else 1.0,
                fuzzy=float(fuzzy[:, i].max()),
                lexical=float(lexical[:, i].max()),
                breadth=min(1.0, sum(not w.startswith("@") for w in why.words) / BREADTH_WORDS),
                fit=float(factors[i]),
                agreement=agreement(i),
                foreign=foreign,
                multi_line=multi_line,
                alert=bool(alert[i] > 0),
                sibling=bool(sibling) and rank == 0,
                problem=problem or self.index.entries[i].kind == "howto" or reports_a_problem(
                    units[int(np.argmax(combined[:, i]))].text, query_lang),
            )
            probability = self.calibration.probability(signals)
            if alert[i] >= self.tuning.alert_score:
                probability = max(probability, ALERT_PROBABILITY)
            band = self.calibration.band(probability)
            if rank > 0 or sibling or calm:
                band = "medium" if band == "high" else band
            matches.append(Match(
                entry=self.index.entries[i],
                score=round(min(score, 1.0), 4),
                confidence=band,
                evidence=self._evidence(units, combined[:, i]) if multi_line else (),
                probability=round(probability, 4),
                why=why,
                signals=signals,
                causes=self.causes.order(self.index.entries[i], self._features_of(masked[0], seen))
                if rank == 0 else (),
            ))
        abstained = matches[0].confidence == "low"
        return MatchResult(
            query_lang=query_lang,
            matches=tuple(matches),
            abstained=abstained,
            findings=self._findings(units, combined, setting, ruled, fits, scope),
            siblings=tuple(matches[:2]) if sibling and len(matches) > 1 else (),
        )

    def _related(self, a: int, b: int) -> bool:
        ea, eb = self.index.entries[a], self.index.entries[b]
        return eb.id in ea.related or ea.id in eb.related

    def _features_of(self, text: str, seen: dict[str, dict[str, float]]) -> dict[str, float]:
        """The features of a masked unit, from what the lexical scoring already extracted."""
        found = seen.get(text)
        return found if found is not None else features(text, self.index.lexicon)

    def _why(self, i: int, units: Sequence[_Unit], masked: Sequence[str], combined: np.ndarray,
             aligned: dict[int, int], setting: Setting, fit: Fit, seen: dict[str, dict[str, float]],
             words: dict[str, _WordPostings]) -> Why:
        """The signature, words and setting behind entry ``i``'s score.

        ``words`` keeps each unit's word postings for the query's other answers: they mostly share a best unit.
        """
        best_unit = int(np.argmax(combined[:, i]))
        text = masked[best_unit]
        postings = words.get(text)
        if postings is None:
            postings = words[text] = _WordPostings.of(self.index, self._features_of(text, seen))
        shared = postings.shared_with(i)
        shared.sort(key=lambda p: (-p[0], p[1]))
        row = aligned.get(i)
        context = [f"platform: {p}" for p in sorted(setting.platforms)] + fit.reasons
        context += [f"read from the manifests: {u.read_from}" for n, u in enumerate(units)
                    if u.read_from and combined[n, i] > 0 and combined[n, i] >= 0.5 * combined[best_unit, i]]
        return Why(
            signature=self.index.signature_texts[row] if row is not None else "",
            words=tuple(f for _, f in shared[:WHY_WORDS]),
            context=tuple(context),
        )

    # -- units -----------------------------------------------------------------------------------

    def _units(self, text: str, lang: str = "en") -> tuple[list[_Unit], int, str]:
        """The units to score, how many distinct lines the cleaned text has, and the cleaned text."""
        cleaned = clean_text(text).strip()
        if not cleaned:
            return [], 0, ""
        lines = list(dict.fromkeys(line.strip() for line in cleaned.split("\n") if line.strip()))
        evidence_lines = [line for line in lines if not _TABLE_HEADER.match(line) and not _BARE_KEY.match(line)]
        head = cleaned[:CONTEXT_CHARS]
        done = ({lines[n] for n in overcome(_head_lines(lines))}
                if len(lines) > 1 and any(reason in head for reason in OVERCOME_BY) else set())
        units: list[_Unit] = []
        if len(cleaned) <= WHOLE_TEXT_CHARS:
            whole = "\n".join(line for line in cleaned.split("\n") if line.strip() not in done) if done else cleaned
            units.append(_Unit(whole, is_line=len(lines) == 1))
        prose = clean_text(prose_of(text[:WHOLE_TEXT_CHARS * 4])).strip()
        if prose and prose != cleaned and len(prose) <= WHOLE_TEXT_CHARS:
            units.append(_Unit(prose, is_line=False))
        title = _title_of(prose, lines)
        if title:
            units.append(_Unit(title, is_line=False))
        if len(lines) > 1:
            units += [
                _Unit(line, is_line=True,
                      weight=self._line_weight(line, rarity, lang) * (OVERCOME_WEIGHT if line in done else 1.0))
                for line, rarity in self._telling_lines(evidence_lines)
            ]
        units += [_Unit(f.statement, is_line=True, weight=FACT_WEIGHT, read_from=f.detail) for f in facts_of(cleaned)]
        if not units:
            units.append(_Unit(cleaned[:WHOLE_TEXT_CHARS], is_line=False))
        return _distinct(units), len(lines), cleaned

    def _telling_lines(self, lines: list[str]) -> list[tuple[str, float]]:
        """The lines whose known words are rarest (where an error usually is), each with its rarity 0..1.

        Rarity is the mean idf of the line's three rarest known words against the largest idf:
        a line of generic words ("connection timed out") may match many entries and proves little.
        """
        vocab, idf = self.index.vocabulary, self.index.idf
        scored = []
        for line in lines:
            words = set(_TOKEN.findall(line.lower()))
            known = words & vocab if not vocab.isdisjoint(words) else ()
            if known:
                rarest = sorted((idf[w] for w in known), reverse=True)[:3]
                scored.append((sum(idf[w] for w in known), line, sum(rarest) / len(rarest) / self.index.max_idf))
        scored.sort(key=lambda item: -item[0])
        return [(line, rarity) for _, line, rarity in scored[:MAX_LINE_UNITS]]

    def _line_weight(self, line: str, rarity: float, lang: str = "en") -> float:
        """A line that reports a problem, in English or in the asker's language, counts fully."""
        own = PROBLEM_MARKERS.get(lang) if lang != "en" else None
        base = 1.0 if _PROBLEM_WORDS.search(line) or (own is not None and own.search(line)) else CONTEXT_LINE_WEIGHT
        return base * min(1.0, max(self.tuning.generic_line_floor, rarity / self.tuning.telling_rarity))

    # -- scores ----------------------------------------------------------------------------------

    def _lexical(self, masked_texts: Sequence[str], foreign: bool = False,
                 seen: dict[str, dict[str, float]] | None = None) -> np.ndarray:
        """For every unit and entry, the idf-weighted share of the unit's features the entry covers.

        The postings of every unit are gathered first and summed in one ``bincount``, so the cost
        is one numpy call per query rather than one per feature. ``seen`` receives each text's
        features, for the steps after the ranking.
        """
        distinct = list(dict.fromkeys(masked_texts))
        if len(distinct) < len(masked_texts):
            # Lines that mask alike (the same message, other numbers) score alike: each is scored once.
            where = {text: k for k, text in enumerate(distinct)}
            return self._lexical(distinct, foreign, seen)[[where[text] for text in masked_texts]]
        n = len(self.index)
        found_by_unit = []
        for text in masked_texts:
            found = features(text, self.index.lexicon)
            if seen is not None:
                seen[text] = found
            found_by_unit.append(found)
        gathered = self._gather(found_by_unit, foreign)
        size = len(masked_texts) * n
        if gathered is None:
            return np.zeros((len(masked_texts), n), dtype=np.float32)
        slots, values, telling, norms = gathered
        cal = self.tuning
        scores = np.bincount(slots, values, minlength=size).reshape(len(masked_texts), n)
        breadth = np.bincount(telling, minlength=size) if len(telling) else np.zeros(size)
        mass = np.minimum(1.0, scores / cal.evidence_mass)
        agreement = np.minimum(1.0, breadth.reshape(len(masked_texts), n) / cal.telling_words)
        safe_norms = np.where(norms > 0, norms, 1.0)[:, None]
        return (scores / safe_norms * mass * agreement).astype(np.float32)

    def _gather(self, found_by_unit: Sequence[dict[str, float]], foreign: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Every unit's postings as flat slots and weights, the slots of telling features, the units' norms.

        None when no feature is indexed. A slot is ``unit * len(index) + entry``. Features are looked
        up one by one (a dict each); the postings themselves are cut and weighted in a few numpy calls
        for the whole query, not a slice and a product per feature. Each norm is summed in float32 in
        feature order, as a running total would be, so the scores are the same to the last bit.
        """
        n = len(self.index)
        cal = self.tuning
        unknown = cal.unknown_feature_idf * self.index.max_idf * (cal.foreign_unknown_share if foreign else 1.0)
        spans, idfs, alerts = self.index.spans, self.index.idf, self.index.alert_entries
        norms = np.zeros(len(found_by_unit), dtype=np.float32)
        starts: list[int] = []
        stops: list[int] = []
        weights: list[float] = []
        offsets: list[int] = []
        telling: list[bool] = []
        for u, found in enumerate(found_by_unit):
            terms: list[float] = []
            offset = u * n
            for feature, weight in found.items():
                weight = min(weight, 1.5)
                if feature in alerts:
                    weight *= cal.alert_name_boost
                span = spans.get(feature)
                if span is None:
                    terms.append(weight * (unknown * cal.unknown_han_share if feature[0] == "#" else unknown))
                    continue
                idf = idfs[feature]
                terms.append(weight * idf)
                starts.append(span[0])
                stops.append(span[1])
                weights.append(weight)
                offsets.append(offset)
                telling.append(weight >= 1.0 and feature[0] != "~" and idf > BACKGROUND_IDF_CAP)
            if terms:
                norms[u] = np.cumsum(np.asarray(terms, dtype=np.float32), dtype=np.float32)[-1]
        if not starts:
            return None
        lengths = np.asarray(stops, dtype=np.int64) - np.asarray(starts, dtype=np.int64)
        entries, values = _spans_of((self.index.posting_entries, self.index.posting_weights), starts, stops, lengths)
        slots = entries.astype(np.int64)
        slots += np.repeat(np.asarray(offsets, dtype=np.int64), lengths)
        values *= np.repeat(np.asarray(weights, dtype=np.float32), lengths)
        return slots, values, slots[np.repeat(np.asarray(telling, dtype=bool), lengths)], norms

    def _with_quoted(self, shortlist: np.ndarray, masked: Sequence[str]) -> np.ndarray:
        """The shortlist plus the entries with a signature whose key words are all in the text.

        A quoted message ("no endpoints available for service") may come with a manifest whose
        words favour other entries; its owner must still be aligned.
        """
        words = set()
        for text in masked:
            words.update(_KEY_TOKEN.findall(text.lower()))
        rows = [self.index.key_signatures[w] for w in words if w in self.index.key_signatures]
        if not rows:
            return shortlist
        hits = np.bincount(np.concatenate(rows), minlength=len(self._key_counts))
        quoted = np.nonzero((hits == self._key_counts) & (self._key_counts >= QUOTED_KEYS))[0]
        if not len(quoted):
            return shortlist
        quoted = quoted[np.argsort(-self.index.signature_specificity[quoted], kind="stable")]
        extra = [o for o in dict.fromkeys(int(o) for o in self.index.signature_owner[quoted])
                 if o not in set(shortlist.tolist())][:SHORTLIST]
        return np.concatenate([shortlist, np.asarray(extra, dtype=shortlist.dtype)]) if extra else shortlist

    def _fuzzy(self, units: Sequence[_Unit], masked: Sequence[str], lexical: np.ndarray,
               shortlist: np.ndarray) -> tuple[np.ndarray, dict[int, int]]:
        """For the most promising units and the shortlisted entries, how well a masked signature aligns.

        Units are taken in order of their best lexical score: a line that shares no telling word
        with any entry rarely aligns with a signature, and each alignment costs a few microseconds.
        An alignment that misses the signature's distinctive part (a shared generic prefix) counts
        little. Also returns, per entry, the signature that aligned best.
        """
        out = np.zeros((len(units), len(self.index)), dtype=np.float32)
        best: dict[int, tuple[float, int]] = {}
        rows = [r for i in shortlist for r in self.index.signature_rows.get(int(i), ())]
        promising = np.argsort(-lexical.max(axis=1), kind="stable")[:FUZZY_UNITS]
        queries = [(int(n), masked[n].lower()) for n in promising
                   if len(units[n].text) >= MIN_FUZZY_CHARS
                   and len(masked[n]) <= (4 * WHOLE_TEXT_CHARS if units[n].is_line else CONTEXT_FUZZY_CHARS)]
        if not rows or not queries:
            return out, {}
        choices = [self.index.signatures[r] for r in rows]
        shares = self._key_shares([q for _, q in queries], rows)
        ratios = partial_ratios([q for _, q in queries], choices, self.tuning.fuzzy_floor, wanted=shares > 0)
        q_len = np.asarray([len(q) for _, q in queries], dtype=np.float32)[:, None]
        s_len = np.asarray([len(c) for c in choices], dtype=np.float32)[None, :]
        coverage = np.sqrt(np.minimum(1.0, q_len / s_len)) * np.sqrt(np.minimum(1.0, s_len / 30.0))
        floor = self.tuning.fuzzy_floor
        aligned = np.clip((ratios.astype(np.float32) - floor) / (100.0 - floor), 0.0, 1.0)
        scores = aligned * coverage * self.index.signature_specificity[rows][None, :]
        scores *= shares
        owners = self.index.signature_owner[rows]
        for k, col in zip(*np.nonzero(scores), strict=True):
            row = rows[col]
            part = self.index.signature_distinctive[row]
            if part and fuzz.partial_ratio(part, queries[k][1]) < DISTINCTIVE_RATIO:
                scores[k, col] *= DISTINCTIVE_MISS
            owner = int(owners[col])
            if scores[k, col] > best.get(owner, (0.0, -1))[0]:
                best[owner] = (float(scores[k, col]), row)
        for k, (n, _) in enumerate(queries):
            np.maximum.at(out[n], owners, scores[k])
        return out, {owner: row for owner, (_, row) in best.items()}

    def _key_shares(self, queries: Sequence[str], rows: Sequence[int]) -> np.ndarray:
        """For each query and signature row, the share of the signature's key words the query holds.

        1 for a signature without key words. A pair whose share is 0 scores 0 however well it
        aligns, so it is never aligned.
        """
        wanted = np.asarray(rows, dtype=np.int64)
        order = np.argsort(wanted, kind="stable")
        ordered = wanted[order]
        hits = np.zeros((len(queries), len(rows)), dtype=np.int64)
        keys = self.index.key_signatures
        for k, query in enumerate(queries):
            found = [keys[w] for w in set(_KEY_TOKEN.findall(query)) if w in keys]
            if not found:
                continue
            keyed = np.concatenate(found)
            at = np.minimum(np.searchsorted(ordered, keyed), len(ordered) - 1)
            among = ordered[at] == keyed
            hits[k] = np.bincount(order[at[among]], minlength=len(rows))
        counts = self._key_counts[rows]
        shares = np.where(counts > 0, hits / np.maximum(counts, 1), 1.0)
        return shares.astype(np.float32)

    def _aggregate(self, combined: np.ndarray, units: Sequence[_Unit]) -> np.ndarray:
        """Best unit plus a share of the next best, plus a share of the whole text's own view.

        An entry that several parts of a paste agree on wins over one that a single generic
        line happens to cover, and the whole text (or the asker's prose) keeps a say.
        """
        support = self.tuning.support
        context = [n for n, u in enumerate(units) if not u.is_line]
        lines = [n for n, u in enumerate(units) if u.is_line]
        if context and lines:
            own = combined[context].max(axis=0)
            rows = np.vstack([own[None, :], combined[lines]])
        else:
            own, rows = None, combined
        depth = min(len(support) + 1, rows.shape[0])
        best = rows if rows.shape[0] <= depth else np.partition(rows, -depth, axis=0)[-depth:]
        ranked = -np.sort(-best, axis=0)
        total = ranked[0].copy()
        for k, share in enumerate(support, start=1):
            if k < ranked.shape[0]:
                total += share * ranked[k]
        if own is not None:
            total += self.tuning.context_share * own
        return total

    def _alert_floor(self, text: str) -> np.ndarray:
        """An alert name that points at one entry (or two) settles the answer, whatever else the post says."""
        floor = np.zeros(len(self.index), dtype=np.float32)
        if not self.index.alert_entries:
            return floor
        for word in set(_ALERT_TOKEN.findall(text[:WHOLE_TEXT_CHARS * 4])):
            rows = self.index.alert_entries.get(word.lower())
            if rows and len(rows) <= 2:
                floor[list(rows)] = np.maximum(floor[list(rows)], self.tuning.alert_score / len(rows))
        return floor

    # -- evidence --------------------------------------------------------------------------------

    @staticmethod
    def _evidence(units: Sequence[_Unit], column: np.ndarray) -> tuple[str, ...]:
        """The paste's lines that support an entry most, after what its manifests showed for it."""
        line_scores = [(float(column[n]), u.text) for n, u in enumerate(units) if u.is_line and not u.read_from]
        read = [f"read from the manifests: {u.read_from}" for n, u in enumerate(units)
                if u.read_from and column[n] > 0 and column[n] >= 0.5 * float(column.max())]
        best = max((s for s, _ in line_scores), default=0.0)
        if best <= 0:
            return tuple(read)
        return tuple(read) + tuple(t for s, t in sorted(line_scores, key=lambda p: -p[0])[:2] if s >= best * 0.9)

    def _findings(self, units: Sequence[_Unit], combined: np.ndarray, setting: Setting,
                  cleaned: str, fits: dict[tuple[int, str], Fit], scope: Scope | None) -> tuple[Match, ...]:
        """Distinct topics that individual lines assert with high confidence, in the text's setting."""
        best_by_entry: dict[int, tuple[float, str]] = {}
        factor: dict[int, float] = {}
        for n, unit in enumerate(units):
            if not unit.is_line:
                continue
            row = combined[n]
            top = [int(j) for j in _top_indices(row, 3)]
            for j in top:
                if j not in factor:
                    factor[j] = self.rules.factor(j, setting, cleaned, fits, scope)
            i = max(top, key=lambda j: float(row[j]) * factor[j])
            score = float(row[i]) * factor[i]
            if score >= FINDING_SCORE and score > best_by_entry.get(i, (0.0, ""))[0]:
                best_by_entry[i] = (score, unit.text)
        ranked = sorted(best_by_entry.items(), key=lambda kv: -kv[1][0])
        return tuple(
            Match(entry=self.index.entries[i], score=round(min(s, 1.0), 4), confidence="high", evidence=(line,))
            for i, (s, line) in ranked
        )


def _head_lines(lines: list[str]) -> list[str]:
    """The first lines, up to :data:`CONTEXT_CHARS` in all: events are read where rule-outs are."""
    total = 0
    for n, line in enumerate(lines):
        total += len(line) + 1
        if total > CONTEXT_CHARS:
            return lines[:n]
    return lines


def _object_scope(units: Sequence[_Unit], combined: np.ndarray, cleaned: str) -> Scope | None:
    """Where each entry's rule-outs are read when the paste's lines name several objects.

    An entry's rule-outs are read in the lines of the object its best line names (and the lines
    naming none) within the first :data:`CONTEXT_CHARS`, where rule-outs are always read; None, the
    whole text for every entry, when the lines name fewer than two objects.
    """
    if not may_name_objects(cleaned[:CONTEXT_CHARS]):
        return None
    lines = [n for n, u in enumerate(units) if u.is_line]
    keys = [object_of(units[n].text) for n in lines]
    if not several_objects(keys):
        return None
    texts: dict[str, str] = {}

    def scope(i: int) -> tuple[str, str]:
        key = keys[int(np.argmax(combined[lines, i]))]
        if key is None:
            return "", cleaned
        if key not in texts:
            texts[key] = lines_of(cleaned[:CONTEXT_CHARS], key)
        return key, texts[key]

    return scope


VIEW_SPAN = 16
"""Mean span length from which spans are cut as slices (views) rather than gathered by index."""


def _spans_of(arrays: tuple[np.ndarray, ...], starts: list[int], stops: list[int],
              lengths: np.ndarray) -> list[np.ndarray]:
    """For each array, the spans ``starts[k]:stops[k]`` end to end (new arrays).

    Long spans (a large KB's common words) copy fastest as slices; many short ones are cheaper
    gathered in one indexing step than cut one slice at a time.
    """
    total = int(lengths.sum())
    if total >= VIEW_SPAN * len(starts):
        return [np.concatenate([a[lo:hi] for lo, hi in zip(starts, stops, strict=True)]) for a in arrays]
    ends = np.cumsum(lengths)
    shift = np.asarray(starts, dtype=np.int64) - (ends - lengths)
    places = np.arange(total, dtype=np.int64) + np.repeat(shift, lengths)
    return [a[places] for a in arrays]


def _top_indices(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values, largest first, without sorting the whole array."""
    if len(values) > k:
        part = np.argpartition(-values, k - 1)[:k]
        return part[np.argsort(-values[part], kind="stable")]
    return np.argsort(-values, kind="stable")


def _title_of(prose: str, lines: list[str]) -> str:
    """The first sentence of an issue-style post (a question, then a log): what the asker says is wrong."""
    if len(lines) < 3 or not prose:
        return ""
    first = prose.split("\n", 1)[0].strip()
    return first if 12 <= len(first) <= 200 else ""


def _agreement(combined: np.ndarray, line_rows: list[int]) -> Callable[[int], float]:
    """For an entry, the share of a paste's line units whose best entry it is (0 when there are no lines)."""
    rows = combined[line_rows] if line_rows else np.zeros((0, combined.shape[1]), dtype=combined.dtype)
    live = rows.max(axis=1) > 0 if len(rows) else np.zeros(0, dtype=bool)
    winners = rows.argmax(axis=1)[live] if live.any() else np.zeros(0, dtype=np.int64)
    return lambda i: float(np.mean(winners == i)) if len(winners) else 0.0


def _distinct(units: list[_Unit]) -> list[_Unit]:
    """One unit per text, so the same line cannot support its own entry twice; lines keep their evidence role."""
    by_text: dict[str, _Unit] = {}
    for unit in units:
        seen = by_text.get(unit.text)
        if seen is None:
            by_text[unit.text] = unit
        else:
            by_text[unit.text] = _Unit(unit.text, seen.is_line or unit.is_line, max(seen.weight, unit.weight),
                                       seen.read_from or unit.read_from)
    return list(by_text.values())


def load_matcher(
    extra_dirs: Sequence[Path | str] = (), *, include_builtin: bool = True, use_cache: bool = False,
    calibration: Calibration | None = None,
) -> Matcher:
    """Load the KB (built-in plus ``extra_dirs``) and build its index.

    ``use_cache`` keeps the built index in the user's cache folder between runs, and
    each entry's features apart from it, so an edited KB re-extracts only the edited
    entries: for the CLI, and for servers that restart.
    """

    def build() -> tuple[KnowledgeBase, SearchIndex]:
        kb = load_knowledge(extra_dirs, include_builtin=include_builtin)
        lexicon = load_lexicon(builtin_dir() / "lexicon.yaml")
        if not use_cache:
            return kb, build_index(list(kb.entries.values()), lexicon)
        from bot.matching.bags import BagStore
        from bot.matching.cache import cache_dir

        bag_file = cache_dir() / BAG_FILE
        bags = BagStore.load(bag_file)
        index = build_index(list(kb.entries.values()), lexicon, bags)
        if bags.misses:
            bags.save(bag_file)
        return kb, index

    if use_cache:
        from bot.matching.cache import cached

        folders = ([builtin_dir()] if include_builtin else []) + [Path(p) for p in extra_dirs]
        kb, index = cached(folders, build)
    else:
        kb, index = build()
    return Matcher(kb, index, calibration=calibration)
