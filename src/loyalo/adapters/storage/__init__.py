"""Storage: SQLAlchemy 2 on SQLite (embedded) or PostgreSQL, migrated by Alembic."""
