from __future__ import annotations

import os
from pathlib import Path

from bot.matching.cache import cached, fingerprint


def test_value_is_built_once_then_read_back(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "a.yaml").write_text("x", encoding="utf-8")
    calls = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"entries": 1}

    assert cached([kb], build, tmp_path / "cache") == {"entries": 1}
    assert cached([kb], build, tmp_path / "cache") == {"entries": 1}
    assert len(calls) == 1


def test_editing_a_kb_file_changes_the_key(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x", encoding="utf-8")
    before = fingerprint([tmp_path])
    (tmp_path / "a.yaml").write_text("xy", encoding="utf-8")
    assert fingerprint([tmp_path]) != before


def test_unwritable_cache_folder_still_returns_the_value(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("file in the way", encoding="utf-8")
    assert cached([tmp_path], lambda: 42, blocker / "cache") == 42


def test_corrupt_cache_file_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached([tmp_path], lambda: 1, cache)
    [stored] = cache.glob("index-*.pickle")
    stored.write_bytes(b"not a pickle")
    assert cached([tmp_path], lambda: 2, cache) == 2
    assert oct(os.stat(next(cache.glob("index-*.pickle"))).st_mode & 0o777) == "0o600"
