"""What the analytics export reads besides the data: a change marker of its dimension
(migration 0016; ``export_positions.py`` reads it)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.tables import Base


class ExportChangeRow(Base):
    """A random token the store's triggers replace when the rows an exported dimension is read
    from may have changed (``name``: the dimension, ``members``).

    On SQLite every write that can change a member's exported row replaces it (writers are
    serialised there, so one row costs nothing). On PostgreSQL only deletions do: inserts and
    updates stamp the row itself with its transaction (``txid``), so that concurrent writers
    never wait on one row; a member is never deleted by the application.
    """

    __tablename__ = "export_changes"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
