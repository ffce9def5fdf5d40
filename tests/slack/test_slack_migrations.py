"""Alembic migrations of the store, on SQLite and PostgreSQL: from an empty database and from the old schema."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from bot.store import NewQuery, open_store
from bot.store.migrate import HEAD, MIGRATIONS, current_revision, migrate
from bot.store.schema import Base


def test_head_is_the_newest_revision_script() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD]


def test_a_new_store_is_migrated_to_exactly_the_models(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_server_default": True})
            assert compare_metadata(context, Base.metadata) == []
            assert current_revision(conn) == HEAD
    finally:
        store.close()


def test_a_store_from_before_migrations_is_upgraded_with_its_data(db_url: str) -> None:
    # given: the schema as the first version created it (no alembic_version), with rows in it
    engine = create_engine(db_url)
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text(
            "INSERT INTO k8sfix_queries (id, created_at, entry_point, channel_id, user_id, message_ts, thread_ts,"
            " text, text_key, lang, entry_id, confidence, score, abstained, answered, result) VALUES ('q1', 1.0,"
            " 'command', 'C1', 'U1', '', '', 'conntrack', 'k', 'en', 'kube-proxy-conntrack-missing', 'high', 0.9,"
            " false, true, '{}')"))
        conn.execute(text("INSERT INTO k8sfix_claims (key, created_at) VALUES ('event:EvOld', 1.0)"))
        conn.execute(text("INSERT INTO k8sfix_channels (channel_id, triage, updated_by, updated_at)"
                          " VALUES ('C1', true, 'U1', 1.0)"))
    engine.dispose()
    # when: the store opens it
    store = open_store(db_url)
    try:
        # then: upgraded to the newest revision, nothing lost, the new parts usable
        with store.engine.connect() as conn:
            assert current_revision(conn) == HEAD
            assert "k8sfix_deliveries" in inspect(conn).get_table_names()
            assert conn.execute(text("SELECT holder FROM k8sfix_claims WHERE key = 'event:EvOld'")).scalar() == ""
            context = MigrationContext.configure(conn, opts={"compare_server_default": True})
            assert compare_metadata(context, Base.metadata) == []
        assert store.get_query("q1") is not None and store.triage_setting("C1") is True
        assert not store.claim("event:EvOld", now=2.0)
        assert store.begin_delivery("event:EvNew", "event", "me", 30, {}, now=2.0) == "new"
        store.record_query(NewQuery(entry_point="command", text="x", lang="en"))
        assert store.stats().queries == 2
    finally:
        store.close()


def test_replicas_starting_together_migrate_once(db_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            open_store(db_url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == HEAD
    finally:
        engine.dispose()
    assert errors == []
