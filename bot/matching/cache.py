"""An on-disk cache of the loaded KB and its index, so a CLI call skips parsing and indexing.

The key covers every KB file's path, size and modification time plus the package
version, so any edit rebuilds. The value is a pickle (the index holds entries, the
lexicon and numpy arrays, whose shapes change with the matcher), and unpickling runs
code, so nothing is unpickled unless it is provably ours:

- the cache folder, the key file and the cache file must be owned by the current
  user and closed to everyone else (folder not group/world-writable, files 0600),
  and neither file may be a symbolic link;
- the file carries a keyed BLAKE2b MAC over its payload, with a random key kept in
  the cache folder (``key``, 0600); a file written by anyone without the key, or
  corrupted, fails the check.

Any problem reading, checking or writing means a rebuild, never an error, and a
bad file is replaced by the rebuilt one, so it cannot fail every later call.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from bot import __version__

CACHE_DIR_ENV = "K8SFIX_CACHE_DIR"
MAGIC = b"k8sfix-index-v3\n"
KEY_FILE = "key"
KEY_BYTES = 32
MAC_BYTES = 32
T = TypeVar("T")


def cache_dir(environ: dict[str, str] | None = None) -> Path:
    """``K8SFIX_CACHE_DIR``, else ``$XDG_CACHE_HOME/k8sfix``, else ``~/.cache/k8sfix``."""
    env = os.environ if environ is None else environ
    if env.get(CACHE_DIR_ENV):
        return Path(env[CACHE_DIR_ENV])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "k8sfix"


def fingerprint(folders: Sequence[Path]) -> str:
    """A digest of the version, the index code and every file (path, size, mtime) in the KB folders."""
    digest = hashlib.sha256(__version__.encode())
    for folder in (Path(__file__).parent, Path(__file__).parent.parent / "kb", *folders):
        digest.update(str(folder.resolve()).encode())
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            try:
                stat_ = path.stat()
            except OSError:
                continue
            digest.update(f"{path.name}:{stat_.st_size}:{stat_.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def cached(folders: Sequence[Path], build: Callable[[], T], directory: Path | None = None) -> T:
    """Return the cached value for these KB folders, or build it and try to store it."""
    directory = directory or cache_dir()
    path = directory / f"index-{fingerprint(folders)}.pickle"
    key = _read_key(directory)
    if key is not None:
        payload = _verified_payload(path, key)
        if payload is not None:
            try:
                return pickle.loads(payload)
            except Exception:
                pass
    value = build()
    _store(directory, path, value, key)
    return value


def _private(info: os.stat_result, *, folder: bool = False) -> bool:
    """Owned by us and closed to others: a folder no one else may write, a file no one else may read."""
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (0o022 if folder else 0o077)


def _private_file(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a private regular file of ours (not a link), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or not _private(info):
            return None
        return handle.read()


def _folder_is_private(directory: Path) -> bool:
    try:
        info = os.lstat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _private(info, folder=True)


def _read_key(directory: Path) -> bytes | None:
    if not _folder_is_private(directory):
        return None
    key = _private_file(directory / KEY_FILE)
    return key if key is not None and len(key) == KEY_BYTES else None


def _mac(key: bytes, payload: bytes) -> bytes:
    return hashlib.blake2b(payload, key=key, digest_size=MAC_BYTES).digest()


def _verified_payload(path: Path, key: bytes) -> bytes | None:
    """The pickled payload of ``path`` if the file is ours and its MAC holds, else None."""
    data = _private_file(path)
    if data is None or not data.startswith(MAGIC):
        return None
    mac, payload = data[len(MAGIC):len(MAGIC) + MAC_BYTES], data[len(MAGIC) + MAC_BYTES:]
    return payload if hmac.compare_digest(mac, _mac(key, payload)) else None


def _store(directory: Path, path: Path, value: object, key: bytes | None) -> None:
    """Write ``value`` with its MAC, atomically; create the private folder and key as needed."""
    import tempfile  # only a run that writes the cache needs these

    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _folder_is_private(directory):
            return  # a folder others can write to is no place for a file we will unpickle
        if key is None:
            key = _new_key(directory)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        for stale in directory.glob("index-*.pickle"):
            stale.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".index-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(MAGIC + _mac(key, payload) + payload)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError):
        pass


def _new_key(directory: Path) -> bytes:
    """A fresh random key in ``directory/key`` (0600); an existing key file that is not ours is replaced."""
    import secrets
    import tempfile

    key_path = directory / KEY_FILE
    key = secrets.token_bytes(KEY_BYTES)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".key-", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    os.replace(tmp, key_path)
    return key
