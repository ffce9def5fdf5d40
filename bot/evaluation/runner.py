"""Run a labelled query file through the matcher and summarise how it did.

The file is a YAML list of ``{query, expect, lang, kind, accept}``; ``expect: none``
marks a query that should get no confident answer, and ``accept`` lists other
topics that are a defensible answer too. KB maintainers run this to
regression-test their own entries.

Besides accuracy, the summary reports what an on-call channel feels: the
precision of high-confidence answers (what triage posts on its own) and a
reliability table, the matcher's predicted probability of being right against
how often it was.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import InputError, UnsafeInputError
from bot.matching.matcher import Matcher
from bot.safe_read import load_yaml, read_text

NONE = "none"
MAX_QUERY_FILE_BYTES = 20_000_000
"""A query file is user input: read through :mod:`bot.safe_read`, capped at this size."""


@dataclass(frozen=True)
class Query:
    """One labelled query."""

    text: str
    expect: str
    lang: str
    kind: str
    accept: tuple[str, ...] = ()

    @property
    def right_answers(self) -> frozenset[str]:
        """Every topic that counts as a right answer (none for a negative)."""
        if self.expect == NONE:
            return frozenset()
        return frozenset((self.expect, *self.accept))


@dataclass(frozen=True)
class Outcome:
    """What the matcher said for one query."""

    query: Query
    top: tuple[str, ...]
    confidence: str
    """high, medium or low for the best match; none when nothing matched at all."""
    abstained: bool
    probability: float = 0.0
    """The matcher's estimate that its first answer is right."""
    origin: str = ""
    """Where the first answer's entry comes from: ``document`` or ``common`` (see ``Entry.origin``)."""

    @property
    def negative(self) -> bool:
        """The query expects no answer."""
        return self.query.expect == NONE

    @property
    def top1(self) -> bool:
        """The expected entry ranked first."""
        return bool(self.top) and self.top[0] in self.query.right_answers

    @property
    def top3(self) -> bool:
        """The expected entry ranked in the first three."""
        return not self.query.right_answers.isdisjoint(self.top[:3])

    @property
    def answered_right(self) -> bool:
        """Ranked first and asserted (no abstention)."""
        return self.top1 and not self.abstained


def load_queries(path: Path) -> list[Query]:
    """Read a query file; raise InputError naming the file and item on bad content."""
    try:
        data = load_yaml(read_text(path, max_bytes=MAX_QUERY_FILE_BYTES))
    except UnsafeInputError as exc:
        raise InputError(f"query file {path}: {exc}") from None
    if not isinstance(data, list):
        raise InputError(f"query file {path} must be a YAML list of {{query, expect}} items")
    queries = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("query"), str) or not item.get("expect"):
            raise InputError(f"{path}: item {i} needs a 'query' string and an 'expect' id (or none)")
        for key in ("expect", "lang", "kind"):
            if key in item and not isinstance(item[key], str):
                raise InputError(f"{path}: item {i}: {key} must be a string, got {type(item[key]).__name__}")
        accept = item.get("accept") or []
        if not isinstance(accept, list) or not all(isinstance(a, str) for a in accept):
            raise InputError(f"{path}: item {i}: 'accept' must be a list of entry ids")
        queries.append(Query(item["query"], str(item["expect"]), str(item.get("lang", "en")),
                             str(item.get("kind", "describe")), tuple(accept)))
    return queries


def evaluate(matcher: Matcher, queries: list[Query]) -> list[Outcome]:
    """Match every query, in order."""
    outcomes = []
    for q in queries:
        result = matcher.match(q.text, top=3)
        top = tuple(m.entry.id for m in result.matches)
        confidence = result.matches[0].confidence if result.matches else NONE
        probability = result.matches[0].probability if result.matches else 0.0
        origin = result.matches[0].entry.origin if result.matches else ""
        outcomes.append(Outcome(q, top, confidence, result.abstained, probability, origin))
    return outcomes


def _rates(outcomes: list[Outcome]) -> dict[str, Any]:
    positives = [o for o in outcomes if not o.negative]
    negatives = [o for o in outcomes if o.negative]
    out: dict[str, Any] = {"queries": len(outcomes), "positives": len(positives), "negatives": len(negatives)}
    if positives:
        out["top1"] = round(sum(o.top1 for o in positives) / len(positives), 4)
        out["top3"] = round(sum(o.top3 for o in positives) / len(positives), 4)
        out["answered_right"] = round(sum(o.answered_right for o in positives) / len(positives), 4)
    if negatives:
        out["negatives_abstained"] = round(sum(o.abstained for o in negatives) / len(negatives), 4)
        out["negatives_high"] = round(sum(o.confidence == "high" for o in negatives) / len(negatives), 4)
        # A file labelled before the KB grew may call "none" what a newer entry now covers: say which kind answered.
        out["negatives_high_by_origin"] = {
            origin: sum(o.confidence == "high" and o.origin == origin for o in negatives)
            for origin in ("document", "common")
        }
    high = [o for o in outcomes if o.confidence == "high"]
    out["high_answers"] = len(high)
    if high:
        out["high_precision"] = round(sum(o.top1 for o in high) / len(high), 4)
    return out


RELIABILITY_BINS: tuple[float, ...] = (0.0, 0.5, 0.8, 0.9, 0.97, 1.0001)


def reliability(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Predicted probability of a right first answer against how often it was right, per bin.

    A negative's first answer is never right. A well calibrated matcher has ``observed``
    close to ``predicted`` in every bin with enough queries.
    """
    rows = []
    for lo, hi in itertools.pairwise(RELIABILITY_BINS):
        members = [o for o in outcomes if o.top and lo <= o.probability < hi]
        row: dict[str, Any] = {"bin": f"{lo:.2f}-{min(hi, 1.0):.2f}", "queries": len(members)}
        if members:
            row["predicted"] = round(sum(o.probability for o in members) / len(members), 4)
            row["observed"] = round(sum(o.top1 for o in members) / len(members), 4)
        rows.append(row)
    return rows


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    """Overall, per-language and per-kind rates, plus the misses."""
    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_lang[o.query.lang].append(o)
        by_kind[o.query.kind].append(o)
    misses = [
        {"expect": o.query.expect, "top": list(o.top), "confidence": o.confidence, "lang": o.query.lang,
         "kind": o.query.kind, "query": o.query.text[:160]}
        for o in outcomes
        if (o.negative and o.confidence == "high") or (not o.negative and not o.top1)
    ]
    return {
        "overall": _rates(outcomes),
        "reliability": reliability(outcomes),
        "by_lang": {k: _rates(v) for k, v in sorted(by_lang.items())},
        "by_kind": {k: _rates(v) for k, v in sorted(by_kind.items())},
        "misses": misses,
    }


def results_json(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """The per-query results in the stable ``--json`` shape."""
    return [{"expect": o.query.expect, "top": list(o.top), "confidence": o.confidence,
             "probability": round(o.probability, 4)} for o in outcomes]
