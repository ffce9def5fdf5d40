"""Open an SQLAlchemy engine for the store: SQLite files tuned for threads, any other URL as is."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bot.errors import ConfigError

SQLITE_BUSY_TIMEOUT_S = 30
POSTGRES_HINT = ("write PostgreSQL URLs as postgresql+psycopg://USER:PASSWORD@HOST:5432/DB "
                 "(psycopg 3, installed with the postgres extra)")


def open_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL mode, a busy timeout and their folder created.

    Raises:
        ConfigError: The URL is malformed or its database driver is not installed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("K8SFIX_DB_URL is not a valid SQLAlchemy URL") from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.drivername == "postgres":
        raise ConfigError(f"K8SFIX_DB_URL: {shown}: {POSTGRES_HINT}")
    try:
        if parsed.get_backend_name() != "sqlite":
            return create_engine(parsed, pool_pre_ping=True)
        database = parsed.database or ""
        file = None
        if database and database != ":memory:" and not database.startswith("file:"):
            file = Path(database).expanduser()
            file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S})
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        hint = f"; {POSTGRES_HINT}" if parsed.get_backend_name() == "postgresql" else ""
        raise ConfigError(f"K8SFIX_DB_URL: the database driver for {shown} is not installed ({exc}){hint}") from None
    except OSError as exc:
        raise ConfigError(f"K8SFIX_DB_PATH: cannot create the folder of {shown}: {exc.strerror}") from None
    event.listen(engine, "connect", lambda conn, record: _tune_sqlite(conn, record, file))
    return engine


def _restrict(file: Path) -> None:
    """Make the database file and its WAL companions private (0600): they hold every question asked.

    SQLite creates the file with the process umask (usually 0644, readable by every user
    of the host) and gives the -wal and -shm files the database file's mode, so fixing
    the main file before the first write covers all three. Files of other owners are left alone.
    """
    for path in (file, file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
        try:
            info = os.stat(path)
            if info.st_mode & 0o077 and (not hasattr(os, "getuid") or info.st_uid == os.getuid()):
                os.chmod(path, 0o600)
        except OSError:
            continue


def _tune_sqlite(dbapi_connection: Any, _record: Any, file: Path | None = None) -> None:
    if file is not None:
        _restrict(file)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL once; replicas opening a new file together may find it locked meanwhile.

    Changing the journal mode needs the file to itself, and SQLite answers "database is locked" at
    once rather than waiting when another connection is switching it too, so the switch is retried
    until the busy timeout; a file already in WAL mode (it persists) is left as it is.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    delay = 0.005
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()
            if mode and str(mode[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
