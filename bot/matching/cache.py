"""An on-disk cache of the loaded KB and its index, so a CLI call skips parsing and indexing.

The key covers every KB file's path, size and modification time plus the package
version, so any edit rebuilds. The cache is a private file (mode 0600, folder 0700)
in the user's own cache folder; any problem reading or writing it means a rebuild,
never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from bot import __version__

CACHE_DIR_ENV = "K8SFIX_CACHE_DIR"
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
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def cached(folders: Sequence[Path], build: Callable[[], T], directory: Path | None = None) -> T:
    """Return the cached value for these KB folders, or build it and try to store it."""
    directory = directory or cache_dir()
    path = directory / f"index-{fingerprint(folders)}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # our own private file, written below
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass
    value = build()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for stale in directory.glob("index-*.pickle"):
            stale.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".index-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
    return value
