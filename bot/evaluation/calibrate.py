"""Fit the matcher's calibration on the project's labelled queries, and check it on a held-out split.

Run from a checkout: ``python -m bot.evaluation.calibrate`` rewrites
``bot/matching/calibration.json`` from ``tests/data/queries/*.yaml`` and prints the
reliability of the held-out split; ``--check`` only reports whether the stored file is
what the fit gives (the test suite runs that). The fit is deterministic: a fixed split
by a hash of each query's text, Newton steps on an L2-regularised logistic loss.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.evaluation.runner import RELIABILITY_BINS, Query, load_queries
from bot.matching.calibration import CALIBRATION_FILE, SIGNALS, Calibration, Signals
from bot.matching.matcher import Matcher, load_matcher

DEFAULT_QUERIES = Path(__file__).resolve().parents[2] / "tests" / "data" / "queries"
HELD_OUT_SHARE = 5
"""One query in this many (by hash) is held out of the fit."""
HIGH_PRECISION = 0.97
"""Share right the high band must reach, by its lower confidence bound, on out-of-fold probabilities."""
HIGH_FLOOR = 0.9
"""The high cut-off never falls below this: easy right answers added to the set pull the confidence-bound
cut-off down, and a probability under 9 in 10 is no ground for a post nobody asked for."""
MEDIUM_PROBABILITY = 0.5
"""Below this an answer is more likely wrong than right: abstain and offer the closest topics."""
L2 = 1.0
FOLDS = 5
REPEATS = 15
"""Cross-validation rounds, each with its own content-based folds; the high cut-off is their median."""
SIGNS: dict[str, float] = {"score": 1, "lead": 1, "fuzzy": 1, "lexical": 1, "breadth": 1, "fit": 1, "agreement": 1,
                           "alert": 1, "problem": 1, "runner_up_ratio": -1, "sibling": -1}
"""Directions a signal may push the probability: more score, lead or fit never makes an answer less likely right."""
NEWTON_STEPS = 50


@dataclass(frozen=True)
class Sample:
    """One query's signals for its first answer, and whether that answer was right."""

    vector: list[float]
    right: bool
    held_out: bool
    lang: str
    key: bytes = b""
    """A digest of the query's text: folds are drawn from it, so they never depend on file order."""


def _digest(query: Query) -> bytes:
    return hashlib.sha1(query.text.encode("utf-8")).digest()


def is_held_out(query: Query) -> bool:
    """A fixed, content-based split, so adding queries never reshuffles the others."""
    return _digest(query)[0] % HELD_OUT_SHARE == 0


def _fold(sample: Sample, round_: int) -> int:
    """The fold of ``sample`` in cross-validation round ``round_``: by content, stable under insertions."""
    return hashlib.sha1(sample.key + bytes([round_])).digest()[0] % FOLDS


def samples(matcher: Matcher, queries: Sequence[Query]) -> list[Sample]:
    """Signals of each query's first answer (queries with no answer at all carry no signal)."""
    out = []
    for q in queries:
        result = matcher.match(q.text, top=3)
        if not result.matches or result.matches[0].signals is None:
            continue
        first = result.matches[0]
        signals: Signals = first.signals  # type: ignore[assignment]
        out.append(Sample(signals.vector(), first.entry.id in q.right_answers, is_held_out(q), q.lang, _digest(q)))
    return out


def _logistic(train: Sequence[Sample]) -> Calibration:
    """Logistic regression on standardised signals, weights kept to their :data:`SIGNS`; no bands yet."""
    x = np.asarray([s.vector for s in train], dtype=np.float64)
    y = np.asarray([s.right for s in train], dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    design = np.hstack([z, np.ones((len(z), 1))])
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], L2)
    penalty[-1] = 0.0
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-design @ w))
        gradient = design.T @ (p - y) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        previous = w.copy()
        w -= step
        w[:-1] = _respect_signs(w[:-1])
        if np.abs(w - previous).max() < 1e-9:
            break
    return Calibration(tuple(float(v) for v in w[:-1]), float(w[-1]), tuple(float(v) for v in mean),
                       tuple(float(v) for v in scale), high=1.0, medium=1.0)


def fit(train: Sequence[Sample]) -> Calibration:
    """Fit the model on ``train``; cut the high band where answers were right on queries the model had not seen.

    A cut-off read off the fitting queries themselves is optimistic, so the high cut-off comes from
    out-of-fold probabilities: each of :data:`FOLDS` parts of ``train`` is scored by a model fitted on
    the others. One split decides by a few queries near the top, so the cut-off is the median over
    :data:`REPEATS` rounds of content-based folds: adding a query moves it little, and the order of
    the files not at all. It is never below :data:`HIGH_FLOOR`.
    """
    model = _logistic(train)
    cuts = sorted(_out_of_fold_cut(train, round_) for round_ in range(REPEATS))
    high = max(cuts[len(cuts) // 2], HIGH_FLOOR)
    medium = min(MEDIUM_PROBABILITY, high)
    return Calibration(model.weights, model.bias, model.mean, model.scale, high=high, medium=medium)


def _out_of_fold_cut(train: Sequence[Sample], round_: int) -> float:
    """The high cut-off read off one round of out-of-fold probabilities."""
    probabilities: list[float] = []
    right: list[bool] = []
    for f in range(FOLDS):
        fold = [s for s in train if _fold(s, round_) == f]
        others = [s for s in train if _fold(s, round_) != f]
        if not fold or not others:
            continue
        model = _logistic(others)
        probabilities += [model.probability_of(s.vector) for s in fold]
        right += [s.right for s in fold]
    return _cut_off(probabilities, right, HIGH_PRECISION)


def _respect_signs(weights: np.ndarray) -> np.ndarray:
    """Project the weights onto the directions of :data:`SIGNS`."""
    signs = np.asarray([SIGNS.get(name, 0.0) for name in SIGNALS])
    return np.where(signs * weights < 0, 0.0, weights)


def _cut_off(probabilities: Sequence[float], right: Sequence[bool], precision: float) -> float:
    """The lowest probability above which answers are right at least ``precision`` of the time, with confidence.

    The share right above a cut-off is measured on a few hundred queries, so it is read by its Wilson
    lower bound (one-sided 95 %): three misses in a hundred answers do not pass for 97 %.
    """
    pairs = sorted(zip(probabilities, right, strict=True), key=lambda p: -p[0])
    best = 1.0
    hits = 0
    for n, (p, ok) in enumerate(pairs, start=1):
        hits += ok
        if _wilson_lower(hits, n) >= precision:
            best = p
    return round(float(best), 4)


def _wilson_lower(hits: int, n: int, z: float = 1.645) -> float:
    """The lower end of the Wilson score interval of ``hits`` out of ``n``."""
    share = hits / n
    centre = share + z * z / (2 * n)
    spread = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def reliability_rows(calibration: Calibration, held_out: Sequence[Sample]) -> list[dict[str, object]]:
    """Predicted against observed on the held-out split, per probability bin and per band."""
    rows: list[dict[str, object]] = []
    probabilities = [calibration.probability_of(s.vector) for s in held_out]
    for lo, hi in itertools.pairwise(RELIABILITY_BINS):
        members = [(p, s) for p, s in zip(probabilities, held_out, strict=True) if lo <= p < hi]
        row: dict[str, object] = {"bin": f"{lo:.2f}-{min(hi, 1.0):.2f}", "queries": len(members)}
        if members:
            row["predicted"] = round(sum(p for p, _ in members) / len(members), 3)
            row["observed"] = round(sum(s.right for _, s in members) / len(members), 3)
        rows.append(row)
    for band in ("high", "medium", "low"):
        in_band = [s for p, s in zip(probabilities, held_out, strict=True) if calibration.band(p) == band]
        band_row: dict[str, object] = {"bin": band, "queries": len(in_band)}
        if in_band:
            band_row["observed"] = round(sum(s.right for s in in_band) / len(in_band), 3)
        rows.append(band_row)
    return rows


def calibrate(query_dir: Path = DEFAULT_QUERIES) -> tuple[Calibration, list[Sample]]:
    """Fit on the labelled set's fitting split; return the calibration and every sample."""
    queries = [q for path in sorted(query_dir.glob("*.yaml")) for q in load_queries(path)]
    unfitted = Calibration((0.0,) * len(SIGNALS), 0.0, (0.0,) * len(SIGNALS), (1.0,) * len(SIGNALS), 1.0, 1.0)
    all_samples = samples(load_matcher(calibration=unfitted), queries)
    return fit([s for s in all_samples if not s.held_out]), all_samples


def _same_fit(stored: object, fitted: object, tolerance: float = 1e-4) -> bool:
    """Equal up to floating-point noise (another BLAS may differ in the last digits)."""
    if isinstance(stored, dict) and isinstance(fitted, dict):
        return stored.keys() == fitted.keys() and all(_same_fit(stored[k], fitted[k], tolerance) for k in stored)
    if isinstance(stored, list) and isinstance(fitted, list):
        pairs = zip(stored, fitted, strict=False)
        return len(stored) == len(fitted) and all(_same_fit(a, b, tolerance) for a, b in pairs)
    if isinstance(stored, int | float) and isinstance(fitted, int | float):
        return abs(stored - fitted) <= tolerance
    return stored == fitted


def main(argv: Sequence[str] | None = None) -> int:
    """Fit and write (or ``--check``) the calibration file."""
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.calibrate", description=__doc__)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="folder of labelled query files")
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE, help="calibration file to write")
    parser.add_argument("--check", action="store_true", help="only compare the fit with the stored file")
    args = parser.parse_args(argv)
    calibration, all_samples = calibrate(args.queries)
    text = json.dumps(calibration.to_json(), indent=1) + "\n"
    held_out = [s for s in all_samples if s.held_out]
    print(f"fitted on {len(all_samples) - len(held_out)} queries, held out {len(held_out)}; "
          f"high >= {calibration.high}, medium >= {calibration.medium}", file=sys.stderr)
    for row in reliability_rows(calibration, held_out):
        print(f"  held-out {row}", file=sys.stderr)
    if args.check:
        same = _same_fit(json.loads(args.out.read_text(encoding="utf-8")), calibration.to_json())
        print("calibration file is up to date" if same else f"{args.out} differs from the fit: rerun without --check",
              file=sys.stderr)
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

