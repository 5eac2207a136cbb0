"""Idempotency keys in SQL: claimed with INSERT ... ON CONFLICT DO NOTHING.

On PostgreSQL a concurrent claim of the same key waits for the first
transaction; once it commits the claim finds the stored response.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import IdempotencyKeyRow
from loyalo.application.ports import StoredResponse
from loyalo.domain.errors import RequestInProgress


class SqlIdempotencyRepository(SqlRepository):
    def claim(self, scope: str, key: str, fingerprint: str, at: datetime) -> StoredResponse | None:
        dialect = self._session.get_bind().dialect.name
        module: Any = postgresql if dialect == "postgresql" else sqlite
        statement = (
            module.insert(IdempotencyKeyRow)
            .values(scope=scope, key=key, fingerprint=fingerprint, created_at=at)
            .on_conflict_do_nothing()
            .returning(IdempotencyKeyRow.key)
        )
        if self._db.execute(statement).first() is not None:
            return None
        row = self._db.execute(
            select(
                IdempotencyKeyRow.fingerprint,
                IdempotencyKeyRow.status_code,
                IdempotencyKeyRow.body,
            )
            .where(IdempotencyKeyRow.scope == scope)
            .where(IdempotencyKeyRow.key == key)
        ).one()
        if row.status_code is None:  # only visible if a writer committed without completing
            raise RequestInProgress("a request with this Idempotency-Key is being processed")
        return StoredResponse(row.fingerprint, row.status_code, dict(row.body or {}))

    def complete(self, scope: str, key: str, status_code: int, body: dict[str, Any]) -> None:
        self._db.execute(
            update(IdempotencyKeyRow)
            .where(IdempotencyKeyRow.scope == scope)
            .where(IdempotencyKeyRow.key == key)
            .values(status_code=status_code, body=body)
        )
