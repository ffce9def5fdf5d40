"""Per-entry feature bags kept by content, so rebuilding an index re-extracts only what changed.

Feature extraction is most of an index build (glossary lookups over every field of every
entry). A team that edits one runbook of ten thousand should not pay for the other 9,999:
each entry's bag is stored under a digest of the text the index learns from, the glossary
and the feature code, and reused while that digest holds.

The store is a numpy ``.npz`` file read with ``allow_pickle=False``: loading it cannot run
code. A missing, stale or damaged file is an empty store, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import numpy as np

BAG_VERSION = "3"
"""Bump when feature extraction changes in a way the glossary digest does not show, or the file's layout."""
NARROW = 1 << 16
"""Ids below this fit two bytes: a KB's feature names and distinct weights mostly do."""


def narrow_ids(values: np.ndarray | list[int], bound: int) -> np.ndarray:
    """``values`` (all below ``bound``) as two-byte ids when they fit, else four-byte ones."""
    return np.asarray(values, dtype=np.uint16 if bound <= NARROW else np.uint32)


_EXTRACTION_CODE = ("features.py", "contrast.py", "chinese.py", "lang.py", "extract.py", "memo.py", "mask.py",
                    "index.py", "background.py")
"""The modules whose code decides a bag's features."""


@functools.cache
def store_version() -> str:
    """:data:`BAG_VERSION`, the package version and a digest of the extraction code.

    A bag is keyed by the text it was extracted from; after an upgrade (or any edit of that code)
    the same text may give other features, so bags written by other code are not reused.
    """
    from bot import __version__

    parts = [BAG_VERSION, __version__]
    for name in _EXTRACTION_CODE:
        try:
            parts.append((Path(__file__).parent / name).read_text(encoding="utf-8"))
        except OSError:
            parts.append(name)
    return digest(*parts)


class BagStore:
    """Feature bags by entry digest, with one shared table of feature names and one of weights.

    A bag is two arrays of small ids: its features (into :attr:`names`) and their weights (into
    :attr:`weights`; an entry's few thousand distinct weights repeat across the KB). At two bytes
    an id that is half the memory of int32 ids and float32 weights, and no weight is rounded.
    """

    def __init__(self) -> None:
        self._names: list[str] = []
        self._ids: dict[str, int] = {}
        self._weights: list[float] = []
        self._sorted = np.zeros(0, dtype=np.float32)
        self._sorted_codes = np.zeros(0, dtype=np.int64)
        self._table: np.ndarray | None = None
        self._bags: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._bags)

    @property
    def names(self) -> list[str]:
        """Feature names; a bag's feature ids index this list."""
        return self._names

    @property
    def weights(self) -> np.ndarray:
        """Distinct float32 weights; a bag's weight codes index this array."""
        if self._table is None or len(self._table) != len(self._weights):
            self._table = np.asarray(self._weights, dtype=np.float32)
        return self._table

    def get(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The (feature ids, weight codes) of a stored bag, or None."""
        bag = self._bags.get(key)
        if bag is None:
            self.misses += 1
        else:
            self.hits += 1
        return bag

    def put(self, key: str, bag: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Store a bag given as feature -> weight; return it as (feature ids, weight codes)."""
        return self.put_ids(key, self.ids_of(bag), np.fromiter(bag.values(), dtype=np.float64, count=len(bag)))

    def put_ids(self, key: str, ids: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Store a bag given as feature ids (from :meth:`ids_of`) and their weights."""
        bag = (narrow_ids(ids, len(self._names)), self._weight_codes(weights.astype(np.float32)))
        self._bags[key] = bag
        return bag

    def ids_of(self, names: Collection[str]) -> np.ndarray:
        """The id of each feature name, in order; names not in the table are added in the order they come."""
        known = self._ids.get
        found = [known(f) for f in names]
        if None in found:
            found = [self._new_id(f) if i is None else i for f, i in zip(names, found, strict=True)]
        return np.asarray(found, dtype=np.int32)

    def _new_id(self, name: str) -> int:
        """Add a name the table lacks; names are looked up in bulk first, as most are known.

        Names are interned, so the index's other tables of words share these strings.
        """
        name = sys.intern(name)
        found = self._ids[name] = len(self._names)
        self._names.append(name)
        return found

    def _weight_codes(self, weights: np.ndarray) -> np.ndarray:
        """The code of each float32 weight, adding new weights to the table."""
        distinct, where = np.unique(weights, return_inverse=True)
        codes = self._codes_of(distinct)
        if (codes < 0).any():
            self._weights.extend(distinct[codes < 0].tolist())
            self._sort_weights()
            codes = self._codes_of(distinct)
        return narrow_ids(codes[where.reshape(-1)], len(self._weights))

    def _codes_of(self, values: np.ndarray) -> np.ndarray:
        """The code of each float32 value, -1 where the table lacks it."""
        if not len(self._sorted):
            return np.full(len(values), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, values), len(self._sorted) - 1)
        return np.where(self._sorted[at] == values, self._sorted_codes[at], -1)

    def _sort_weights(self) -> None:
        table = np.asarray(self._weights, dtype=np.float32)
        self._sorted_codes = np.argsort(table, kind="stable")
        self._sorted = table[self._sorted_codes]

    def keep_only(self, keys: Iterable[str]) -> None:
        """Forget bags of entries that are gone, so the file does not grow with every edit."""
        wanted = set(keys)
        self._bags = {k: v for k, v in self._bags.items() if k in wanted}

    def save(self, path: Path) -> None:
        """Write the store atomically as a private file; failures are ignored (it is only a cache)."""
        keys = list(self._bags)
        lengths = np.asarray([len(self._bags[k][0]) for k in keys], dtype=np.int64)
        arrays: dict[str, Any] = {
            "version": np.asarray([store_version()]),
            "names": np.asarray([json.dumps(self._names, ensure_ascii=False)]),
            "weights": self.weights,
            "keys": np.asarray(keys, dtype="U64") if keys else np.zeros(0, dtype="U64"),
            "lengths": lengths,
            "ids": _joined([self._bags[k][0] for k in keys]),
            "codes": _joined([self._bags[k][1] for k in keys]),
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
                if str(data["version"][0]) != store_version():
                    return store
                names = json.loads(str(data["names"][0]))
                weights = data["weights"]
                keys, lengths = data["keys"], data["lengths"]
                ids, codes = data["ids"], data["codes"]
                if not isinstance(names, list) or weights.dtype != np.float32 or len(keys) != len(lengths):
                    return store
                if int(lengths.sum()) != len(ids) or len(ids) != len(codes):
                    return store
                if ids.dtype.kind not in "iu" or codes.dtype.kind not in "iu":
                    return store
                if len(ids) and (min(int(ids.min()), int(codes.min())) < 0
                                 or int(ids.max()) >= len(names) or int(codes.max()) >= len(weights)):
                    return store
                store._names = [str(n) for n in names]
                store._ids = {n: i for i, n in enumerate(store._names)}
                store._weights = weights.tolist()
                store._sort_weights()
                ids = narrow_ids(ids, len(names))
                codes = narrow_ids(codes, len(weights))
                bounds = np.concatenate([[0], np.cumsum(lengths)])
                for k, key in enumerate(keys.tolist()):
                    lo, hi = int(bounds[k]), int(bounds[k + 1])
                    store._bags[str(key)] = (ids[lo:hi].copy(), codes[lo:hi].copy())
        except Exception:  # a damaged file of any kind is only a cold build
            return cls()
        return store


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """One array of all parts (the widest id type among them), or an empty one."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint16)


def digest(*parts: str) -> str:
    """A short content digest of text parts."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()
