"""Postings placed chunk by chunk are those of one stable sort of all postings by feature."""

from __future__ import annotations

import numpy as np
import pytest

from bot.matching.bags import narrow_ids
from bot.matching.index import SATURATION, _postings


def _reference(id_parts: list[np.ndarray], tf_parts: list[np.ndarray],
               idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cols = np.concatenate(id_parts)
    tfs = np.concatenate(tf_parts)
    rows = np.repeat(np.arange(len(id_parts), dtype=np.int32), [len(p) for p in id_parts])
    weights = idf[cols]
    weights *= tfs
    weights /= tfs + np.float32(SATURATION)
    order = np.argsort(cols, kind="stable")
    return rows[order], weights[order]


@pytest.mark.parametrize(("names", "chunk"), [(50, 7), (50, 1), (5000, 300), (70_000, 1000), (70_000, 1 << 20)])
def test_chunked_postings_equal_one_stable_sort(names: int, chunk: int) -> None:
    rng = np.random.default_rng(names + chunk)
    id_parts = [narrow_ids(rng.choice(names, size=int(rng.integers(0, min(names, 400))), replace=False), names)
                for _ in range(300)]
    tf_values = (rng.random(2000) * 5).astype(np.float32)
    code_parts = [rng.integers(0, len(tf_values), size=len(p)).astype(np.uint16) for p in id_parts]
    tf_parts = [tf_values[codes] for codes in code_parts]
    idf = (rng.random(names) * 8).astype(np.float32)
    df = np.bincount(np.concatenate(id_parts), minlength=names)
    bounds = np.concatenate([[0], np.cumsum(df)])
    rows, weights = _postings(id_parts, code_parts, tf_values, idf, bounds, chunk)
    expected_rows, expected_weights = _reference(id_parts, tf_parts, idf)
    assert rows.dtype == np.int32 and weights.dtype == np.float32
    assert np.array_equal(rows, expected_rows)
    assert np.array_equal(weights, expected_weights)
