"""Group repeats of one question: a short, stable key of its normalised text."""

from __future__ import annotations

import hashlib
import re

_VOLATILE = (
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<ip>"),
    (re.compile(r"(?<=-)(?=[a-z]*\d)[a-z0-9]{6,10}-[a-z0-9]{5}\b"), "<hash>-<hash>"),
    (re.compile(r"(?<=-)(?=[a-z]*\d)[a-z0-9]{5,10}\b"), "<hash>"),
    (re.compile(r"\b[0-9a-f]{12,}\b"), "<hex>"),
    (re.compile(r"\d+"), "0"),
    (re.compile(r"\s+"), " "),
)


def normalise(text: str) -> str:
    """Lower-case ``text`` and mask what changes between two reports of one problem."""
    text = text.strip().lower()
    for pattern, mask in _VOLATILE:
        text = pattern.sub(mask, text)
    return text


def text_key(text: str) -> str:
    """A 16-hex-digit key equal for two texts that differ only in ids, numbers and spacing."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:16]
