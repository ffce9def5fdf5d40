"""Turn a ranking into a probability of being right, and that into a confidence band.

Raw scores are not probabilities: non-English questions score about half as high as English
ones, a paste read line by line scores differently from a sentence, and a lead over the
runner-up matters as much as the score. A small logistic model over a handful of signals
(:data:`SIGNALS`) is fitted on the project's own labelled queries, negatives included, by
``python -m bot.evaluation.calibrate``; the fitted weights and the band thresholds live in
``calibration.json`` beside this module. ``high`` is the probability above which answers were
right at least 97 % of the time on the fitting set.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from bot.matching.types import Confidence

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")

SIGNALS: tuple[str, ...] = (
    "score", "lead", "runner_up_ratio", "fuzzy", "lexical", "breadth", "fit", "agreement",
    "foreign", "foreign_score", "multi_line", "alert", "sibling", "problem",
)
"""The inputs of the model, in the order of its weights."""


@dataclass(frozen=True)
class Signals:
    """What the matcher knows about its first answer when it decides how sure to be."""

    score: float
    lead: float
    runner_up_ratio: float
    fuzzy: float
    """The best signature alignment of the answer, 0..1."""
    lexical: float
    """The best word coverage of the answer, 0..1."""
    breadth: float
    """How many distinct words of the text the answer shares (a quarter per word, up to 1): one shared
    word with a large lead is still one word."""
    fit: float
    """The share of its score the answer kept after platform and rule-out checks."""
    agreement: float
    """The share of a paste's lines whose best entry is the answer (0 for a single unit)."""
    foreign: bool
    multi_line: bool
    alert: bool
    sibling: bool
    """The runner-up is a related entry with a close score."""
    problem: bool = True
    """The text says something is wrong; a how-to question about a topic is not a failure of it."""

    def vector(self) -> list[float]:
        """The model inputs in :data:`SIGNALS` order."""
        score = min(self.score, 1.5)
        return [
            score, min(self.lead, 1.0), self.runner_up_ratio, self.fuzzy, self.lexical, self.breadth, self.fit,
            self.agreement, float(self.foreign), score * float(self.foreign), float(self.multi_line),
            float(self.alert), float(self.sibling), float(self.problem),
        ]


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic model and the probability cut-offs of the bands."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    high: float
    medium: float

    def probability(self, signals: Signals) -> float:
        """The estimated probability that the first answer is right."""
        return self.probability_of(signals.vector())

    def probability_of(self, vector: list[float]) -> float:
        """The probability for a signal vector in :data:`SIGNALS` order."""
        z = self.bias
        for w, x, m, s in zip(self.weights, vector, self.mean, self.scale, strict=True):
            z += w * (x - m) / s
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def band(self, probability: float) -> Confidence:
        """The band of a probability: high, medium, or low (abstain)."""
        if probability >= self.high:
            return "high"
        if probability >= self.medium:
            return "medium"
        return "low"

    def to_json(self) -> dict[str, object]:
        """The stored form."""
        return {
            "signals": list(SIGNALS), "weights": [round(w, 6) for w in self.weights], "bias": round(self.bias, 6),
            "mean": [round(m, 6) for m in self.mean], "scale": [round(s, 6) for s in self.scale],
            "high": round(self.high, 4), "medium": round(self.medium, 4),
        }


def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """Read a fitted calibration; fail loudly if it was fitted for other signals."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("signals") != list(SIGNALS):
        raise ValueError(f"{path}: fitted for signals {data.get('signals')}, the matcher has {list(SIGNALS)}; "
                         "refit with python -m bot.evaluation.calibrate")
    return Calibration(tuple(data["weights"]), float(data["bias"]), tuple(data["mean"]), tuple(data["scale"]),
                       float(data["high"]), float(data["medium"]))
