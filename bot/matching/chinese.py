"""Simplified/Traditional Chinese conversion, loaded only when text holds Han characters."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@cache
def _converter(config: str) -> Any:
    import opencc  # deferred: only Chinese text pays for loading the dictionaries

    return opencc.OpenCC(config)


def has_han(text: str) -> bool:
    """Whether ``text`` holds any Han (Chinese) character."""
    return HAN.search(text) is not None


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified; other text passes unchanged."""
    return _converter("t2s").convert(text) if has_han(text) else text


def to_traditional(text: str) -> str:
    """Convert Simplified characters to Traditional (Taiwan usage); other text passes unchanged."""
    return _converter("s2twp").convert(text) if has_han(text) else text


def is_traditional(text: str) -> bool:
    """True when the Han characters of ``text`` read as Traditional rather than Simplified."""
    han = "".join(HAN.findall(text))
    if not han:
        return False
    as_simplified = to_simplified(han)
    changed_by_t2s = sum(a != b for a, b in zip(han, as_simplified, strict=False))
    as_traditional = _converter("s2t").convert(han)
    changed_by_s2t = sum(a != b for a, b in zip(han, as_traditional, strict=False))
    return changed_by_t2s > changed_by_s2t
