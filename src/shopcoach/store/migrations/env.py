"""Alembic environment. Run through ``shopcoach db upgrade`` (see store/migrate.py), which
hands a live connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from shopcoach.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs `alembic` directly
    raise RuntimeError("Run migrations with `shopcoach db upgrade`, not the alembic command.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
