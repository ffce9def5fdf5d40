"""Alembic environment: run on the connection :func:`bot.store.migrate.migrate` passes in."""

from __future__ import annotations

from alembic import context

from bot.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_server_default=True)
with context.begin_transaction():
    context.run_migrations()
