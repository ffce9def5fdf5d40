"""What the app concluded about one question, in a form the store can keep and re-render.

A :class:`Diagnosis` holds entry ids, scores and redacted, shortened evidence:
enough to show the answer again in another language from any replica.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.matching.types import MatchResult
from bot.redact import redact

Kind = Literal["answer", "abstain", "lookup"]
MAX_EVIDENCE_LINES = 3
MAX_EVIDENCE_CHARS = 400


@dataclass(frozen=True)
class Candidate:
    """One ranked entry with its confidence band and the lines of the paste that support it."""

    entry_id: str
    score: float
    confidence: str
    evidence: tuple[str, ...] = ()
    causes: tuple[int, ...] = ()
    """The entry's causes in the order to show them (the one the question points at first); () keeps the KB's."""


@dataclass(frozen=True)
class Diagnosis:
    """The answer to one question: best candidate first."""

    kind: Kind
    candidates: tuple[Candidate, ...] = ()
    findings: tuple[str, ...] = ()
    """Other topics found with high confidence in separate lines of a long paste."""
    query_lang: str = "und"
    paste_cut: bool = False
    siblings: bool = False
    """The first two candidates are related topics that fit about equally: "one of these two"."""

    @property
    def best(self) -> Candidate | None:
        """The asserted candidate (None when abstaining)."""
        return self.candidates[0] if self.candidates and self.kind != "abstain" else None

    @classmethod
    def from_result(cls, result: MatchResult, paste_cut: bool = False) -> Diagnosis:
        """Summarise a match result (evidence redacted and shortened)."""
        candidates = tuple(
            Candidate(entry_id=m.entry.id, score=float(m.score), confidence=m.confidence,
                      evidence=clean_evidence(m.evidence), causes=m.causes)
            for m in result.matches
        )
        best_id = candidates[0].entry_id if candidates and not result.abstained else None
        findings = tuple(dict.fromkeys(f.entry.id for f in result.findings if f.entry.id != best_id))
        return cls(kind="abstain" if result.abstained or not candidates else "answer", candidates=candidates,
                   findings=findings[:3], query_lang=result.query_lang, paste_cut=paste_cut,
                   siblings=bool(result.siblings) and not result.abstained)

    @classmethod
    def lookup(cls, entry_id: str) -> Diagnosis:
        """A direct look-up of an entry by id."""
        return cls(kind="lookup", candidates=(Candidate(entry_id=entry_id, score=1.0, confidence="high"),))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (see :meth:`from_dict`)."""
        return {
            "kind": self.kind,
            "candidates": [{"id": c.entry_id, "score": round(c.score, 4), "confidence": c.confidence,
                            "evidence": list(c.evidence), **({"causes": list(c.causes)} if c.causes else {})}
                           for c in self.candidates],
            "findings": list(self.findings),
            "query_lang": self.query_lang,
            "paste_cut": self.paste_cut,
            "siblings": self.siblings,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnosis:
        """Rebuild a diagnosis stored with :meth:`to_dict`; unknown shapes give an empty abstention."""
        kind = data.get("kind")
        if kind not in ("answer", "abstain", "lookup"):
            return cls(kind="abstain")
        candidates = tuple(
            Candidate(entry_id=str(c["id"]), score=float(c.get("score", 0.0)),
                      confidence=str(c.get("confidence", "low")),
                      evidence=tuple(str(e) for e in c.get("evidence", ())), causes=_indices(c.get("causes")))
            for c in data.get("candidates", ()) if isinstance(c, dict) and "id" in c
        )
        return cls(kind=kind, candidates=candidates, findings=tuple(map(str, data.get("findings", ()))),
                   query_lang=str(data.get("query_lang", "und")), paste_cut=bool(data.get("paste_cut")),
                   siblings=bool(data.get("siblings")))


def _indices(value: Any) -> tuple[int, ...]:
    """A stored cause order: a list of small non-negative ints, anything else none."""
    if not isinstance(value, list) or not all(isinstance(v, int) and 0 <= v < 100 for v in value):
        return ()
    return tuple(value)


def clean_evidence(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Evidence lines as shown and stored: redacted, at most three, each shortened."""
    out = []
    for line in list(lines)[:MAX_EVIDENCE_LINES]:
        line = redact(line.strip())
        out.append(line if len(line) <= MAX_EVIDENCE_CHARS else line[: MAX_EVIDENCE_CHARS - 1] + "…")
    return tuple(out)
