"""Matching text to KB entries: cleaning, masking, language, features, index, ranking."""

from __future__ import annotations

from bot.matching.calibration import Calibration
from bot.matching.matcher import Matcher, Tuning, load_matcher
from bot.matching.types import Confidence, Match, MatchResult, answer_language

__all__ = ["Calibration", "Confidence", "Match", "MatchResult", "Matcher", "Tuning", "answer_language",
           "load_matcher"]
