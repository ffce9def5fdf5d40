"""Run a labelled query file through the matcher and summarise how it did.

The file is a YAML list of ``{query, expect, lang, kind}``; ``expect: none``
marks a query that should get no confident answer. KB maintainers run this to
regression-test their own entries.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Outcome:
    """What the matcher said for one query."""

    query: Query
    top: tuple[str, ...]
    confidence: str
    """high, medium or low for the best match; none when nothing matched at all."""
    abstained: bool

    @property
    def negative(self) -> bool:
        """The query expects no answer."""
        return self.query.expect == NONE

    @property
    def top1(self) -> bool:
        """The expected entry ranked first."""
        return bool(self.top) and self.top[0] == self.query.expect

    @property
    def top3(self) -> bool:
        """The expected entry ranked in the first three."""
        return self.query.expect in self.top[:3]

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
        queries.append(Query(item["query"], str(item["expect"]), str(item.get("lang", "en")),
                             str(item.get("kind", "describe"))))
    return queries


def evaluate(matcher: Matcher, queries: list[Query]) -> list[Outcome]:
    """Match every query, in order."""
    outcomes = []
    for q in queries:
        result = matcher.match(q.text, top=3)
        top = tuple(m.entry.id for m in result.matches)
        confidence = result.matches[0].confidence if result.matches else NONE
        outcomes.append(Outcome(q, top, confidence, result.abstained))
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
    return out


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
        "by_lang": {k: _rates(v) for k, v in sorted(by_lang.items())},
        "by_kind": {k: _rates(v) for k, v in sorted(by_kind.items())},
        "misses": misses,
    }


def results_json(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """The per-query results in the stable ``--json`` shape."""
    return [{"expect": o.query.expect, "top": list(o.top), "confidence": o.confidence} for o in outcomes]
