"""Alembic's entry point for the store's migrations, configured by store/migrate.py (no alembic.ini):
it runs on the connection that migrate.py hands over, in batch mode so SQLite can alter tables."""

from __future__ import annotations

from alembic import context

from materiel.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
