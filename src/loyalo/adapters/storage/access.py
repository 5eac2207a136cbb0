"""API keys and member tokens in SQL (hashes only, never the secrets)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import ApiKeyRow, MemberTokenRow
from loyalo.application.ports import ApiKeyRecord, MemberTokenRecord
from loyalo.domain.access.roles import Role


class SqlAccessRepository(SqlRepository):
    def add_key(self, record: ApiKeyRecord) -> None:
        self._db.execute(
            insert(ApiKeyRow).values(
                key_id=record.key_id,
                name=record.name,
                role=record.role.value,
                secret_hash=record.secret_hash,
                created_at=record.created_at,
                revoked_at=record.revoked_at,
                partner_id=record.partner_id,
            )
        )

    def get_key(self, key_id: str) -> ApiKeyRecord | None:
        # a plain read, not the session's identity map: a revocation must be seen at once
        row = self._db.execute(select(*_KEY_COLUMNS).where(ApiKeyRow.key_id == key_id)).first()
        return None if row is None else _key(*row)

    def api_keys(self) -> list[ApiKeyRecord]:
        ordered = select(*_KEY_COLUMNS).order_by(ApiKeyRow.created_at, ApiKeyRow.key_id)
        return [_key(*row) for row in self._db.execute(ordered)]

    def revoke_key(self, key_id: str, at: datetime) -> bool:
        revoked = self._db.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.key_id == key_id, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(revoked.rowcount)

    def add_member_token(self, record: MemberTokenRecord) -> None:
        self._db.execute(
            insert(MemberTokenRow).values(
                token_id=record.token_id,
                member_id=record.member_id,
                secret_hash=record.secret_hash,
                expires_at=record.expires_at,
            )
        )

    def get_member_token(self, token_id: str) -> MemberTokenRecord | None:
        row = self._session.get(MemberTokenRow, token_id)
        if row is None:
            return None
        return MemberTokenRecord(row.token_id, row.member_id, row.secret_hash, row.expires_at)


_KEY_COLUMNS = (
    ApiKeyRow.key_id,
    ApiKeyRow.name,
    ApiKeyRow.role,
    ApiKeyRow.secret_hash,
    ApiKeyRow.created_at,
    ApiKeyRow.revoked_at,
    ApiKeyRow.partner_id,
)


def _key(
    key_id: str,
    name: str,
    role: str,
    secret_hash: str,
    created_at: datetime,
    revoked_at: datetime | None,
    partner_id: str | None,
) -> ApiKeyRecord:
    return ApiKeyRecord(key_id, name, Role(role), secret_hash, created_at, revoked_at, partner_id)
