"""Alembic migrations of the store (run by :func:`bot.store.migrate.migrate`, never by hand-written SQL)."""
