"""Per-entry feature bags: reused while an entry is unchanged, re-extracted when it changes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from bot.kb import load_knowledge
from bot.kb.loader import builtin_dir
from bot.matching.bags import BAG_VERSION, BagStore
from bot.matching.features import load_lexicon
from bot.matching.index import build_index

KB = load_knowledge()
LEXICON = load_lexicon(builtin_dir() / "lexicon.yaml")
ENTRIES = list(KB.entries.values())


def test_an_index_from_stored_bags_equals_a_fresh_one(tmp_path: Path) -> None:
    # given bags stored by one build
    bags = BagStore()
    first = build_index(ENTRIES, LEXICON, bags)
    bags.save(tmp_path / "bags.npz")
    # when a later build loads them
    loaded = BagStore.load(tmp_path / "bags.npz")
    second = build_index(ENTRIES, LEXICON, loaded)
    # then nothing is re-extracted and the index is the same
    assert (loaded.hits, loaded.misses) == (len(ENTRIES), 0)
    assert first.spans == second.spans and first.idf == second.idf
    assert np.array_equal(first.posting_entries, second.posting_entries)
    assert np.array_equal(first.posting_weights, second.posting_weights)


def test_editing_one_entry_re_extracts_only_that_entry(tmp_path: Path) -> None:
    bags = BagStore()
    build_index(ENTRIES, LEXICON, bags)
    edited = [dataclasses.replace(e, signatures=(*e.signatures, "a brand new error text")) if k == 3 else e
              for k, e in enumerate(ENTRIES)]
    again = BagStore.load(tmp_path / "missing.npz")  # no file: an empty store
    assert len(again) == 0
    bags.hits = bags.misses = 0
    index = build_index(edited, LEXICON, bags)
    assert (bags.hits, bags.misses) == (len(ENTRIES) - 1, 1)
    assert "brand" in index.idf


def test_a_damaged_store_file_is_an_empty_store(tmp_path: Path) -> None:
    path = tmp_path / "bags.npz"
    path.write_bytes(b"PK\x03\x04 not really a zip file")
    assert len(BagStore.load(path)) == 0
    bags = BagStore()
    build_index(ENTRIES[:2], LEXICON, bags)
    bags.save(path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert len(BagStore.load(path)) == 0  # the zip's checksums catch it


def test_bags_keep_two_byte_ids_and_exact_weights_through_a_file(tmp_path: Path) -> None:
    # given a bag whose weights are not round in float32
    bags = BagStore()
    ids, codes = bags.put("k", {"conntrack": 0.1, "~connt": 0.35 * 3, "@dns": 1.0, "table": 0.1})
    assert ids.dtype == np.uint16 and codes.dtype == np.uint16
    assert bags.weights[codes].tolist() == np.asarray([0.1, 1.05, 1.0, 0.1], dtype=np.float32).tolist()
    # when it goes through a file
    bags.save(tmp_path / "bags.npz")
    loaded = BagStore.load(tmp_path / "bags.npz")
    found = loaded.get("k")
    # then the ids stay two bytes and every weight is the float32 it was
    assert found is not None and found[0].dtype == np.uint16 and found[1].dtype == np.uint16
    assert [loaded.names[i] for i in found[0]] == ["conntrack", "~connt", "@dns", "table"]
    assert np.array_equal(loaded.weights[found[1]], bags.weights[codes])


def test_more_names_than_two_bytes_hold_take_wider_ids(tmp_path: Path) -> None:
    bags = BagStore()
    bags.put("small", {"a": 1.0})
    wide = {f"w{k}": float(k) for k in range(70_000)}
    ids, codes = bags.put("wide", wide)
    assert ids.dtype == np.uint32 and codes.dtype == np.uint32
    bags.save(tmp_path / "bags.npz")
    loaded = BagStore.load(tmp_path / "bags.npz")
    found = loaded.get("wide")
    assert found is not None and [loaded.names[i] for i in found[0][-2:]] == ["w69998", "w69999"]
    assert loaded.weights[found[1]].tolist() == np.asarray(list(wide.values()), dtype=np.float32).tolist()
    assert loaded.get("small") is not None


def test_a_store_file_with_ids_beyond_its_tables_is_an_empty_store(tmp_path: Path) -> None:
    bags = BagStore()
    bags.put("k", {"a": 1.0, "b": 2.0})
    bags.save(tmp_path / "bags.npz")
    with np.load(tmp_path / "bags.npz") as data:
        arrays = {name: data[name] for name in data.files}
    arrays["codes"] = np.asarray([0, 5], dtype=np.uint16)
    np.savez(tmp_path / "bad.npz", **arrays)
    assert len(BagStore.load(tmp_path / "bad.npz")) == 0


def test_bags_written_by_other_extraction_code_are_not_reused(tmp_path: Path) -> None:
    """A bag is keyed by its text; the same text under other code (an upgrade) may give other features."""
    store = BagStore()
    store.put("k1", {"conntrack": 1.0, "kube-proxy": 2.0})
    path = tmp_path / "bags.npz"
    store.save(path)
    assert len(BagStore.load(path)) == 1
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["version"] = np.asarray([BAG_VERSION])  # what a file of code without the code digest holds
    with path.open("wb") as handle:
        np.savez(handle, **arrays)
    assert len(BagStore.load(path)) == 0
