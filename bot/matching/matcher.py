"""Find the KB entries that explain a paste or a description.

A query is read as several units: the whole text (when short enough), its prose
(the asker's own words), and the lines of a paste that carry telling tokens.
Each unit gets a lexical score (idf-weighted coverage of its features by an
entry) and a fuzzy score against the entries' masked signatures. An entry's
score is its best unit plus shares of its next best units and of the whole
text's view; its best lines are the evidence. The bands and the abstention come
from the score and its lead over the runner-up (``Calibration``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from bot.kb.loader import KnowledgeBase, builtin_dir, load_knowledge
from bot.matching.background import BACKGROUND_IDF_CAP
from bot.matching.clean import clean_text
from bot.matching.features import features, load_lexicon
from bot.matching.index import SearchIndex, build_index
from bot.matching.lang import detect_language, prose_of
from bot.matching.mask import mask
from bot.matching.types import Confidence, Match, MatchResult

MAX_INPUT_CHARS = 2_000_000
DETECT_PREFIX_CHARS = 8_000
WHOLE_TEXT_CHARS = 3_000
MAX_LINE_UNITS = 30
SHORTLIST = 12
MIN_FUZZY_CHARS = 12
FUZZY_UNITS = 16
_TOKEN = re.compile(r"[a-z][a-z0-9_.\-]+")
_KEY_TOKEN = re.compile(r"[a-z][a-z0-9_]*")
_ALERT_TOKEN = re.compile(r"\b[A-Z][A-Za-z0-9]{5,}\b")


@dataclass(frozen=True)
class Calibration:
    """Score cut-offs for the confidence bands, set from labelled queries (see benchmarks/)."""

    high: float = 0.50
    medium: float = 0.35
    margin: float = 0.08
    """A high band also needs this lead over the next entry."""
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


_PROBLEM_WORDS = re.compile(
    r"^\s*[EWF]\d{4}\s|\b(?:error|err|errors|fail|failed|failing|failure|fatal|panic|unable|cannot|can't|"
    r"couldn't|could not|refused|denied|forbidden|timeout|timed out|not found|no such|invalid|exceeded|"
    r"unhealthy|notready|crashloopbackoff|backoff|back-off|warning|warn|killed|oomkilled|exhausted|no space|"
    r"unavailable|unreachable|no route|reset|insufficient|evicted|missing|not ready|waiting)\b|"
    r"\bendpoints:?\s+<none>",
    re.IGNORECASE,
)
CONTEXT_LINE_WEIGHT = 0.6
_TABLE_HEADER = re.compile(r"^(?:[A-Z][A-Za-z0-9()_/.-]*(?: [A-Z][A-Za-z0-9()_/.-]*)?(?:\s{2,}|$)){3,}$|^[-=\s]+$")
"""A column header of kubectl (NAME  READY  STATUS, Type  Reason  Age) or a rule line: never evidence."""


class Matcher:
    """Matches text against one loaded knowledge base; safe to share between threads."""

    def __init__(self, kb: KnowledgeBase, index: SearchIndex, calibration: Calibration | None = None) -> None:
        self.kb = kb
        self.index = index
        self.calibration = calibration or Calibration()

    def warm_up(self) -> None:
        """Load what the first query of each script would load (Chinese tables), for long-lived servers."""
        for sample in ("warm up", "节点 NotReady", "節點 NotReady", "ノード", "нода"):
            self.match(sample)

    def match(self, text: str, top: int = 3, lang: str | None = None) -> MatchResult:
        """Rank entries for ``text``; abstain when none is confident."""
        text = text[:MAX_INPUT_CHARS]
        query_lang = lang or detect_language(text[:DETECT_PREFIX_CHARS])
        units, line_count = self._units(text)
        if not units or not len(self.index):
            return MatchResult(query_lang=query_lang, matches=(), abstained=True)

        masked = [mask(u.text) for u in units]
        lexical = self._lexical(masked, foreign=query_lang not in ("en", "und"))
        best_lexical = lexical.max(axis=0)
        shortlist = np.argsort(-best_lexical)[:SHORTLIST]
        fuzzy = self._fuzzy(units, masked, lexical, shortlist)
        multi_line = line_count > 1
        weights = np.asarray([u.weight for u in units], dtype=np.float32)[:, None]
        combined = (np.maximum(lexical, fuzzy) + 0.25 * np.minimum(lexical, fuzzy)) * weights

        entry_scores = np.maximum(self._aggregate(combined, units), self._alert_floor(text))
        ranked = np.argsort(-entry_scores)
        runner_up = float(entry_scores[ranked[1]]) if len(ranked) > 1 else 0.0
        order = [int(i) for i in ranked[: max(top, 1)] if entry_scores[i] > 0]
        matches = []
        for rank, i in enumerate(order):
            score = float(entry_scores[i])
            matches.append(Match(
                entry=self.index.entries[i],
                score=round(min(score, 1.0), 4),
                confidence=self._band(score, score - runner_up if rank == 0 else 0.0),
                evidence=self._evidence(units, combined[:, i]) if multi_line else (),
            ))
        abstained = not matches or matches[0].confidence == "low"
        return MatchResult(
            query_lang=query_lang,
            matches=tuple(matches),
            abstained=abstained,
            findings=self._findings(units, combined),
        )

    # -- units -----------------------------------------------------------------------------------

    def _units(self, text: str) -> tuple[list[_Unit], int]:
        """The units to score, and how many distinct lines the cleaned text has."""
        cleaned = clean_text(text).strip()
        if not cleaned:
            return [], 0
        lines = list(dict.fromkeys(line.strip() for line in cleaned.split("\n") if line.strip()))
        evidence_lines = [line for line in lines if not _TABLE_HEADER.match(line)]
        units: list[_Unit] = []
        if len(cleaned) <= WHOLE_TEXT_CHARS:
            units.append(_Unit(cleaned, is_line=len(lines) == 1))
        prose = clean_text(prose_of(text[:WHOLE_TEXT_CHARS * 4])).strip()
        if prose and prose != cleaned and len(prose) <= WHOLE_TEXT_CHARS:
            units.append(_Unit(prose, is_line=False))
        if len(lines) > 1:
            units += [
                _Unit(line, is_line=True, weight=self._line_weight(line, rarity))
                for line, rarity in self._telling_lines(evidence_lines)
            ]
        if not units:
            units.append(_Unit(cleaned[:WHOLE_TEXT_CHARS], is_line=False))
        return _distinct(units), len(lines)

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

    def _line_weight(self, line: str, rarity: float) -> float:
        base = 1.0 if _PROBLEM_WORDS.search(line) else CONTEXT_LINE_WEIGHT
        return base * min(1.0, max(self.calibration.generic_line_floor, rarity / self.calibration.telling_rarity))

    # -- scores ----------------------------------------------------------------------------------

    def _lexical(self, masked_texts: Sequence[str], foreign: bool = False) -> np.ndarray:
        """For every unit and entry, the idf-weighted share of the unit's features the entry covers.

        The postings of every unit are gathered first and summed in one ``bincount``, so the cost
        is one numpy call per query rather than one per feature.
        """
        n = len(self.index)
        cal = self.calibration
        unknown = cal.unknown_feature_idf * self.index.max_idf * (cal.foreign_unknown_share if foreign else 1.0)
        texts = masked_texts
        norms = np.zeros(len(texts), dtype=np.float32)
        slots: list[np.ndarray] = []
        values: list[np.ndarray] = []
        telling: list[np.ndarray] = []
        for u, text in enumerate(texts):
            offset = u * n
            for feature, weight in features(text, self.index.lexicon).items():
                weight = min(weight, 1.5)
                if feature in self.index.alert_entries:
                    weight *= cal.alert_name_boost
                posting = self.index.posting(feature)
                if posting is None:
                    norms[u] += weight * (unknown * cal.unknown_han_share if feature[0] == "#" else unknown)
                    continue
                idf = self.index.idf[feature]
                norms[u] += weight * idf
                slots.append(posting.entries + offset)
                values.append(posting.weights * weight)
                if weight >= 1.0 and feature[0] != "~" and idf > BACKGROUND_IDF_CAP:
                    telling.append(posting.entries + offset)
        size = len(texts) * n
        if not slots:
            return np.zeros((len(texts), n), dtype=np.float32)
        scores = np.bincount(np.concatenate(slots), np.concatenate(values), minlength=size).reshape(len(texts), n)
        breadth = (np.bincount(np.concatenate(telling), minlength=size) if telling else np.zeros(size))
        mass = np.minimum(1.0, scores / cal.evidence_mass)
        agreement = np.minimum(1.0, breadth.reshape(len(texts), n) / cal.telling_words)
        safe_norms = np.where(norms > 0, norms, 1.0)[:, None]
        return (scores / safe_norms * mass * agreement).astype(np.float32)

    def _fuzzy(self, units: Sequence[_Unit], masked: Sequence[str], lexical: np.ndarray,
               shortlist: np.ndarray) -> np.ndarray:
        """For the most promising units and the shortlisted entries, how well a masked signature aligns.

        Units are taken in order of their best lexical score: a line that shares no telling word
        with any entry rarely aligns with a signature, and each alignment costs a few microseconds.
        """
        out = np.zeros((len(units), len(self.index)), dtype=np.float32)
        rows = [r for i in shortlist for r in self.index.signature_rows.get(int(i), ())]
        promising = np.argsort(-lexical.max(axis=1), kind="stable")[:FUZZY_UNITS]
        queries = [(int(n), masked[n].lower()) for n in promising
                   if len(units[n].text) >= MIN_FUZZY_CHARS and len(masked[n]) <= 4 * WHOLE_TEXT_CHARS]
        if not rows or not queries:
            return out
        choices = [self.index.signatures[r] for r in rows]
        ratios = process.cdist([q for _, q in queries], choices, scorer=fuzz.partial_ratio,
                               processor=None, score_cutoff=self.calibration.fuzzy_floor, dtype=np.uint8,
                               workers=1)
        q_len = np.asarray([len(q) for _, q in queries], dtype=np.float32)[:, None]
        s_len = np.asarray([len(c) for c in choices], dtype=np.float32)[None, :]
        coverage = np.sqrt(np.minimum(1.0, q_len / s_len)) * np.sqrt(np.minimum(1.0, s_len / 30.0))
        floor = self.calibration.fuzzy_floor
        aligned = np.clip((ratios.astype(np.float32) - floor) / (100.0 - floor), 0.0, 1.0)
        scores = aligned * coverage * self.index.signature_specificity[rows][None, :]
        for k, col in zip(*np.nonzero(scores), strict=True):
            keys = self.index.signature_keys[rows[col]]
            if keys:
                words = set(_KEY_TOKEN.findall(queries[k][1]))
                scores[k, col] *= sum(w in words for w in keys) / len(keys)
        owners = self.index.signature_owner[rows]
        for k, (n, _) in enumerate(queries):
            np.maximum.at(out[n], owners, scores[k])
        return out

    def _aggregate(self, combined: np.ndarray, units: Sequence[_Unit]) -> np.ndarray:
        """Best unit plus a share of the next best, plus a share of the whole text's own view.

        An entry that several parts of a paste agree on wins over one that a single generic
        line happens to cover, and the whole text (or the asker's prose) keeps a say.
        """
        ranked = -np.sort(-combined, axis=0)
        support = self.calibration.support
        total = ranked[0].copy()
        for k, share in enumerate(support, start=1):
            if k < ranked.shape[0]:
                total += share * ranked[k]
        context = [n for n, u in enumerate(units) if not u.is_line]
        if context and len(units) > len(context):
            total += self.calibration.context_share * combined[context].max(axis=0)
        return total

    def _alert_floor(self, text: str) -> np.ndarray:
        """An alert name that points at one entry (or two) settles the answer, whatever else the post says."""
        floor = np.zeros(len(self.index), dtype=np.float32)
        if not self.index.alert_entries:
            return floor
        for word in set(_ALERT_TOKEN.findall(text[:WHOLE_TEXT_CHARS * 4])):
            rows = self.index.alert_entries.get(word.lower())
            if rows and len(rows) <= 2:
                floor[list(rows)] = np.maximum(floor[list(rows)], self.calibration.alert_score / len(rows))
        return floor

    def _band(self, score: float, lead: float) -> Confidence:
        c = self.calibration
        if score >= c.high and lead >= c.margin:
            return "high"
        if score >= c.medium:
            return "medium"
        return "low"

    # -- evidence --------------------------------------------------------------------------------

    @staticmethod
    def _evidence(units: Sequence[_Unit], column: np.ndarray) -> tuple[str, ...]:
        line_scores = [(float(column[n]), u.text) for n, u in enumerate(units) if u.is_line]
        if not line_scores:
            return ()
        best = max(s for s, _ in line_scores)
        if best <= 0:
            return ()
        return tuple(t for s, t in sorted(line_scores, key=lambda p: -p[0])[:2] if s >= best * 0.9)

    def _findings(self, units: Sequence[_Unit], combined: np.ndarray) -> tuple[Match, ...]:
        """Distinct topics that individual lines assert with high confidence."""
        best_by_entry: dict[int, tuple[float, str]] = {}
        for n, unit in enumerate(units):
            if not unit.is_line:
                continue
            row = combined[n]
            i = int(np.argmax(row))
            score = float(row[i])
            if score >= self.calibration.high and score > best_by_entry.get(i, (0.0, ""))[0]:
                best_by_entry[i] = (score, unit.text)
        ranked = sorted(best_by_entry.items(), key=lambda kv: -kv[1][0])
        return tuple(
            Match(entry=self.index.entries[i], score=round(min(s, 1.0), 4), confidence="high", evidence=(line,))
            for i, (s, line) in ranked
        )


def _distinct(units: list[_Unit]) -> list[_Unit]:
    """One unit per text, so the same line cannot support its own entry twice; lines keep their evidence role."""
    by_text: dict[str, _Unit] = {}
    for unit in units:
        seen = by_text.get(unit.text)
        if seen is None:
            by_text[unit.text] = unit
        else:
            by_text[unit.text] = _Unit(unit.text, seen.is_line or unit.is_line, max(seen.weight, unit.weight))
    return list(by_text.values())


def load_matcher(
    extra_dirs: Sequence[Path | str] = (), *, include_builtin: bool = True, use_cache: bool = False
) -> Matcher:
    """Load the KB (built-in plus ``extra_dirs``) and build its index.

    ``use_cache`` keeps the built index in the user's cache folder between runs,
    for short-lived processes such as the CLI.
    """

    def build() -> tuple[KnowledgeBase, SearchIndex]:
        kb = load_knowledge(extra_dirs, include_builtin=include_builtin)
        lexicon = load_lexicon(builtin_dir() / "lexicon.yaml")
        return kb, build_index(list(kb.entries.values()), lexicon)

    if use_cache:
        from bot.matching.cache import cached

        folders = ([builtin_dir()] if include_builtin else []) + [Path(p) for p in extra_dirs]
        kb, index = cached(folders, build)
    else:
        kb, index = build()
    return Matcher(kb, index)
