"""A memo for one index build that keeps only what repeats.

A KB repeats much of its text (shared fix steps, commands, symptom sentences), but most
texts of a large KB occur once. Remembering every result would cost memory for texts that
never come back, so a key met for the first time leaves only its hash; its value is kept
the second time, within a budget, and reused from then on.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class RepeatMemo(Generic[V]):
    """Values of keys met at least twice, up to ``budget`` units of size in all."""

    def __init__(self, budget: int) -> None:
        self._room = budget
        self._seen: set[int] = set()
        self._values: dict[Hashable, V] = {}

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Hashable) -> V | None:
        """The value kept for ``key``, or None."""
        return self._values.get(key)

    def offer(self, key: Hashable, value: V, size: int = 1) -> None:
        """Keep ``value`` if ``key`` was met before and it fits; a hash collision only keeps a value early."""
        marker = hash(key)
        if marker not in self._seen:
            self._seen.add(marker)
        elif size <= self._room:
            self._values[key] = value
            self._room -= size
