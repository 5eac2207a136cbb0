"""API keys and member tokens in SQL (hashes only, never the secrets)."""

from __future__ import annotations

from sqlalchemy import insert

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
        row = self._session.get(ApiKeyRow, key_id)
        if row is None:
            return None
        return ApiKeyRecord(
            row.key_id,
            row.name,
            Role(row.role),
            row.secret_hash,
            row.created_at,
            row.revoked_at,
            row.partner_id,
        )

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
