"""Bring a store's schema to the current revision with Alembic, on start, from any earlier one.

A store created before migrations existed (tables, no ``alembic_version``) is the
baseline revision 0001 and is stamped as such before upgrading. On PostgreSQL an
advisory lock makes replicas that start together migrate one after the other.
Alembic is imported only when there is something to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

HEAD = "0003"
"""The newest revision in ``bot/store/migrations/versions`` (a test keeps the two equal)."""
BASELINE = "0001"
MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x6B38_7366  # "k8sf": the advisory lock replicas take while migrating
_IN_PROCESS = threading.Lock()
"""Alembic's ``context`` is process-global: one migration at a time per process."""


def current_revision(conn: Connection) -> str | None:
    """The store's revision, ``BASELINE`` for a pre-migration store, None for an empty database."""
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" in tables:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return BASELINE if "k8sfix_queries" in tables else None


def migrate(engine: Engine, target: str = "head") -> None:
    """Upgrade the store behind ``engine`` to ``target`` (the newest revision by default)."""
    with engine.connect() as conn:
        if target == "head" and current_revision(conn) == HEAD:
            return
    with _IN_PROCESS, _file_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        if target != "head" or current_revision(conn) != HEAD:
            _upgrade(conn, target)


@contextlib.contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """For an SQLite file: an exclusive lock on ``<file>.migrate-lock`` (processes sharing the file)."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    fd = os.open(f"{database}.migrate-lock", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _upgrade(conn: Connection, target: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    revision = current_revision(conn)
    if revision == BASELINE and not inspect(conn).has_table("alembic_version"):
        command.stamp(config, BASELINE)
    command.upgrade(config, target)
