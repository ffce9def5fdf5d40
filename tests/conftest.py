from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_cluster import PostgresCluster, Unavailable

from bot.matching import Matcher, load_matcher

DATA = Path(__file__).parent / "data"

# Subprocesses started by tests get a private index cache and no team KB folders from the caller's shell.
os.environ["K8SFIX_CACHE_DIR"] = tempfile.mkdtemp(prefix="k8sfix-test-cache-")
os.environ.pop("K8SFIX_KB_PATH", None)


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    """The matcher over the built-in KB, built once for the whole run."""
    return load_matcher()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A throw-away PostgreSQL cluster for the session; skipped (failed when CI=true) where it cannot run."""
    try:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise Unavailable("the psycopg driver is not installed (pip install -e '.[dev,postgres]')") from None
        cluster = PostgresCluster().start()
    except Unavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'k8sfix.db'}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database()
