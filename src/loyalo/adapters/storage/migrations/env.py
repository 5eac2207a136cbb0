"""Alembic environment: the engine is handed over by ``loyalo.adapters.storage.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from loyalo.adapters.storage.tables import Base

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
