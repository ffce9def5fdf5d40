from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.matching.cache import MAGIC, cached, fingerprint


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


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A KB folder apart from the cache folder (whose changes would change the key)."""
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "a.yaml").write_text("x", encoding="utf-8")
    return folder


class _Planted:
    """A pickle that runs code when loaded: what an attacker would plant in the cache folder."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.marker),))  # type: ignore[return-value]


def _counting(value: object) -> tuple[list[int], Callable[[], object]]:
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        return value

    return calls, build


@pytest.mark.parametrize("framed", [False, True], ids=["bare pickle", "framed with a wrong MAC"])
def test_a_planted_pickle_is_never_loaded(tmp_path: Path, kb: Path, framed: bool) -> None:
    # given: a valid cache, then its file replaced by a pickle written without the key
    cache, marker = tmp_path / "cache", tmp_path / "pwned"
    cached([kb], lambda: 1, cache)
    [stored] = cache.glob("index-*.pickle")
    planted = pickle.dumps(_Planted(marker))
    stored.write_bytes(MAGIC + b"\0" * 32 + planted if framed else planted)
    # when
    value = cached([kb], lambda: 2, cache)
    # then
    assert value == 2 and not marker.exists()


def test_tampered_payload_fails_the_mac_and_is_rebuilt_once(tmp_path: Path, kb: Path) -> None:
    cache = tmp_path / "cache"
    cached([kb], lambda: {"n": 1}, cache)
    [stored] = cache.glob("index-*.pickle")
    data = bytearray(stored.read_bytes())
    data[-3] ^= 0xFF
    stored.write_bytes(bytes(data))
    calls, build = _counting({"n": 2})
    assert [cached([kb], build, cache) for _ in range(3)] == [{"n": 2}] * 3
    assert len(calls) == 1  # rebuilt once, then read back: a bad file does not fail every later call


def test_truncated_file_is_rebuilt(tmp_path: Path, kb: Path) -> None:
    cache = tmp_path / "cache"
    cached([kb], lambda: list(range(1000)), cache)
    [stored] = cache.glob("index-*.pickle")
    stored.write_bytes(stored.read_bytes()[:100])
    assert cached([kb], lambda: "rebuilt", cache) == "rebuilt"


def test_a_file_others_can_read_or_a_link_is_ignored(tmp_path: Path, kb: Path) -> None:
    cache = tmp_path / "cache"
    cached([kb], lambda: 1, cache)
    [stored] = cache.glob("index-*.pickle")
    stored.chmod(0o644)
    calls, build = _counting(2)
    assert cached([kb], build, cache) == 2 and len(calls) == 1
    [stored] = cache.glob("index-*.pickle")
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    # a link to a (valid) file elsewhere is not followed
    elsewhere = tmp_path / "elsewhere.pickle"
    elsewhere.write_bytes(stored.read_bytes())
    elsewhere.chmod(0o600)
    stored.unlink()
    stored.symlink_to(elsewhere)
    calls, build = _counting(3)
    assert cached([kb], build, cache) == 3 and len(calls) == 1


def test_a_folder_others_can_write_is_not_used(tmp_path: Path, kb: Path) -> None:
    cache = tmp_path / "shared"
    cache.mkdir(mode=0o700)
    cache.chmod(0o777)
    calls, build = _counting(5)
    assert [cached([kb], build, cache) for _ in range(2)] == [5, 5]
    assert len(calls) == 2 and not list(cache.glob("index-*.pickle"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing a file's owner needs root")
def test_a_file_owned_by_someone_else_is_ignored(tmp_path: Path, kb: Path) -> None:
    cache = tmp_path / "cache"
    cached([kb], lambda: 1, cache)
    [stored] = cache.glob("index-*.pickle")
    os.chown(stored, 65534, 65534)
    calls, build = _counting(2)
    assert cached([kb], build, cache) == 2 and len(calls) == 1
