"""API keys with roles, member tokens, and turning credentials into a caller."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from loyalo.application.context import AppContext
from loyalo.application.members import resolve
from loyalo.application.ports import ApiKeyRecord, MemberTokenRecord
from loyalo.domain.access.roles import Capability, Principal, Role
from loyalo.domain.errors import ApiKeyNotFound, InvalidInput, Unauthenticated

KEY_PREFIX = "lyk"
MEMBER_TOKEN_PREFIX = "lym"
_CACHE_SECONDS = 30.0


def _hash(secret: str) -> str:
    # Secrets are 256 random bits, so a fast hash is enough: no dictionary to fear.
    return hashlib.sha256(secret.encode()).hexdigest()


def _split(token: str, prefix: str) -> tuple[str, str]:
    parts = token.split("_", 2)  # the secret itself may contain underscores
    if len(parts) != 3 or parts[0] != prefix or not parts[1] or not parts[2]:
        raise Unauthenticated("malformed credentials")
    return parts[1], parts[2]


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    token: str
    record_id: str


class AccessService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._cache: dict[str, tuple[float, ApiKeyRecord]] = {}
        self._lock = threading.Lock()

    def create_key(self, name: str, role: Role, partner_id: str | None = None) -> IssuedSecret:
        if partner_id is not None and role is not Role.PARTNER:
            raise InvalidInput("only a partner key is bound to a partner", field="role")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        now = self._ctx.clock.now()
        record = ApiKeyRecord(key_id, name, role, _hash(secret), now, partner_id=partner_id)
        with self._ctx.uow() as uow:
            uow.access.add_key(record)
            uow.commit()
        return IssuedSecret(f"{KEY_PREFIX}_{key_id}_{secret}", key_id)

    def issue_member_token(
        self, caller: Principal, identifier: str, ttl: timedelta = timedelta(days=30)
    ) -> IssuedSecret:
        caller.require(Capability.TOKENS_ISSUE)
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        with self._ctx.uow() as uow:
            member = resolve(uow, identifier)
            expires = self._ctx.clock.now() + ttl
            uow.access.add_member_token(
                MemberTokenRecord(token_id, member.member_id, _hash(secret), expires)
            )
            uow.commit()
        return IssuedSecret(f"{MEMBER_TOKEN_PREFIX}_{token_id}_{secret}", member.member_id)

    def api_keys(self) -> list[ApiKeyRecord]:
        with self._ctx.uow() as uow:
            return uow.access.api_keys()

    def revoke_key(self, caller: Principal, key_id: str) -> ApiKeyRecord:
        """Revoke a key: refused from then on by this process at once, by others within
        ``_CACHE_SECONDS``. Revoking a revoked key changes nothing; no key revokes itself."""
        caller.require(Capability.TOKENS_ISSUE)
        if key_id == caller.key_id:
            raise InvalidInput("a key does not revoke itself: use another admin key", field="key")
        with self._ctx.uow() as uow:
            if uow.access.get_key(key_id) is None:
                raise ApiKeyNotFound(f"no API key {key_id}")
            uow.access.revoke_key(key_id, self._ctx.clock.now())
            record = uow.access.get_key(key_id)
            uow.commit()
        assert record is not None
        with self._lock:
            self._cache.pop(key_id, None)
        return record

    def authenticate(self, api_key: str | None, member_token: str | None) -> Principal:
        if not api_key:
            raise Unauthenticated("send an API key as 'Authorization: Bearer <key>'")
        key_id, secret = _split(api_key, KEY_PREFIX)
        record = self._key(key_id)
        if record is None or record.revoked_at is not None:
            raise Unauthenticated("unknown or revoked API key")
        if not hmac.compare_digest(record.secret_hash, _hash(secret)):
            raise Unauthenticated("unknown or revoked API key")
        member_id = self._member(member_token) if record.role is Role.APP and member_token else None
        return Principal(record.key_id, record.name, record.role, member_id, record.partner_id)

    def _key(self, key_id: str) -> ApiKeyRecord | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key_id)
        if cached and cached[0] > now:
            return cached[1]
        with self._ctx.uow() as uow:
            record = uow.access.get_key(key_id)
        if record is not None:
            with self._lock:
                self._cache[key_id] = (now + _CACHE_SECONDS, record)
        return record

    def _member(self, member_token: str) -> str:
        token_id, secret = _split(member_token, MEMBER_TOKEN_PREFIX)
        with self._ctx.uow() as uow:
            record = uow.access.get_member_token(token_id)
        if record is None or not hmac.compare_digest(record.secret_hash, _hash(secret)):
            raise Unauthenticated("unknown member token")
        if record.expires_at <= self._ctx.clock.now():
            raise Unauthenticated("the member token has expired")
        return record.member_id
