"""Per-entry feature bags kept by content, so rebuilding an index re-extracts only what changed.

Feature extraction is most of an index build (glossary lookups over every field of every
entry). A team that edits one runbook of ten thousand should not pay for the other 9,999:
each entry's bag is stored under a digest of the text the index learns from, the glossary
and the feature code, and reused while that digest holds.

The store is a numpy ``.npz`` file read with ``allow_pickle=False``: loading it cannot run
code. A missing, stale or damaged file is an empty store, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

BAG_VERSION = "2"
"""Bump when feature extraction changes in a way the glossary digest does not show."""


class BagStore:
    """Feature bags by entry digest, with one shared table of feature names."""

    def __init__(self) -> None:
        self._names: list[str] = []
        self._ids: dict[str, int] = {}
        self._bags: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._bags)

    @property
    def names(self) -> list[str]:
        """Feature names; a bag's ids index this list."""
        return self._names

    def get(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The (feature ids, weights) of a stored bag, or None."""
        bag = self._bags.get(key)
        if bag is None:
            self.misses += 1
        else:
            self.hits += 1
        return bag

    def put(self, key: str, bag: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Store a bag given as feature -> weight; return it as (feature ids, weights)."""
        known = self._ids.get
        found = [known(f) for f in bag]
        if None in found:
            found = [self._new_id(f) if i is None else i for f, i in zip(bag, found, strict=True)]
        ids = np.asarray(found, dtype=np.int32)
        weights = np.fromiter(bag.values(), dtype=np.float32, count=len(bag))
        self._bags[key] = (ids, weights)
        return ids, weights

    def _new_id(self, name: str) -> int:
        """Add a name the table lacks; names are looked up in bulk first, as most are known."""
        found = self._ids[name] = len(self._names)
        self._names.append(name)
        return found

    def keep_only(self, keys: Iterable[str]) -> None:
        """Forget bags of entries that are gone, so the file does not grow with every edit."""
        wanted = set(keys)
        self._bags = {k: v for k, v in self._bags.items() if k in wanted}

    def save(self, path: Path) -> None:
        """Write the store atomically as a private file; failures are ignored (it is only a cache)."""
        keys = list(self._bags)
        ids = [self._bags[k][0] for k in keys]
        lengths = np.asarray([len(a) for a in ids], dtype=np.int64)
        arrays: dict[str, Any] = {
            "version": np.asarray([BAG_VERSION]),
            "names": np.asarray([json.dumps(self._names, ensure_ascii=False)]),
            "keys": np.asarray(keys, dtype="U64") if keys else np.zeros(0, dtype="U64"),
            "lengths": lengths,
            "ids": np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32),
            "weights": np.concatenate([self._bags[k][1] for k in keys]) if keys else np.zeros(0, dtype=np.float32),
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".bags-", suffix=".npz")
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
            os.replace(tmp, path)
        except OSError:
            return

    @classmethod
    def load(cls, path: Path) -> BagStore:
        """Read a store written by :meth:`save`; anything unreadable gives an empty store."""
        store = cls()
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["version"][0]) != BAG_VERSION:
                    return store
                names = json.loads(str(data["names"][0]))
                keys, lengths = data["keys"], data["lengths"]
                ids, weights = data["ids"], data["weights"]
                if not isinstance(names, list) or len(keys) != len(lengths) or int(lengths.sum()) != len(ids):
                    return store
                if len(ids) != len(weights) or (len(ids) and int(ids.max()) >= len(names)):
                    return store
                store._names = [str(n) for n in names]
                store._ids = {n: i for i, n in enumerate(store._names)}
                bounds = np.concatenate([[0], np.cumsum(lengths)])
                for k, key in enumerate(keys.tolist()):
                    lo, hi = int(bounds[k]), int(bounds[k + 1])
                    store._bags[str(key)] = (ids[lo:hi].astype(np.int32), weights[lo:hi].astype(np.float32))
        except Exception:  # a damaged file of any kind is only a cold build
            return cls()
        return store


def digest(*parts: str) -> str:
    """A short content digest of text parts."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()
