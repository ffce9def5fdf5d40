"""Matching text to KB entries: cleaning, masking, language, features, index, ranking."""

from __future__ import annotations

from bot.matching.matcher import Calibration, Matcher, load_matcher
from bot.matching.types import Confidence, Match, MatchResult, answer_language

__all__ = ["Calibration", "Confidence", "Match", "MatchResult", "Matcher", "answer_language", "load_matcher"]
