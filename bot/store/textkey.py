"""Group repeats of one question: a short, stable key of its normalised text."""

from __future__ import annotations

import hashlib

from bot.matching.mask import mask


def normalise(text: str) -> str:
    """Lower-case ``text`` and mask what changes between two reports of one problem (ids, addresses, numbers)."""
    return " ".join(mask(text.strip()).lower().split())


def text_key(text: str) -> str:
    """A 16-hex-digit key equal for two texts that differ only in ids, numbers and spacing."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:16]
