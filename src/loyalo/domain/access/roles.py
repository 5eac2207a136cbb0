"""Roles and their capabilities.

``admin`` may do everything; ``pos`` serves a till; ``app`` acts for one member,
authenticated by a member token, and may only touch that member's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from loyalo.domain.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    POS = "pos"
    APP = "app"


class Capability(StrEnum):
    MEMBERS_READ = "members:read"
    MEMBERS_WRITE = "members:write"
    MEMBERS_SEARCH = "members:search"
    PURCHASES_WRITE = "purchases:write"
    RESERVATIONS_WRITE = "reservations:write"
    BALANCE_READ = "balance:read"
    LEDGER_READ = "ledger:read"
    TIERS_READ = "tiers:read"
    ADJUSTMENTS_WRITE = "adjustments:write"
    TOKENS_ISSUE = "tokens:issue"
    EVENTS_WRITE = "events:write"
    PROGRAMME_READ = "programme:read"
    PROGRAMME_WRITE = "programme:write"
    WALLET_SPEND = "wallet:spend"
    REWARDS_READ = "rewards:read"
    REDEMPTIONS_WRITE = "redemptions:write"  # an app key: for its own member only
    REDEMPTIONS_CANCEL = "redemptions:cancel"
    CHARITY_READ = "charity:read"
    COUPONS_READ = "coupons:read"
    COUPONS_WRITE = "coupons:write"


_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.POS: frozenset(
        {
            Capability.MEMBERS_READ,
            Capability.PURCHASES_WRITE,
            Capability.RESERVATIONS_WRITE,
            Capability.BALANCE_READ,
            Capability.TIERS_READ,
            Capability.EVENTS_WRITE,
            Capability.PROGRAMME_READ,
            Capability.WALLET_SPEND,
            Capability.REWARDS_READ,
            Capability.REDEMPTIONS_WRITE,
            Capability.COUPONS_READ,
        }
    ),
    Role.APP: frozenset(
        {
            Capability.MEMBERS_READ,
            Capability.BALANCE_READ,
            Capability.LEDGER_READ,
            Capability.TIERS_READ,
            Capability.REWARDS_READ,
            Capability.REDEMPTIONS_WRITE,
            Capability.COUPONS_READ,
        }
    ),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: an API key, and for ``app`` keys the member it acts for."""

    key_id: str
    name: str
    role: Role
    member_id: str | None = None

    def require(self, capability: Capability) -> None:
        if capability not in _CAPABILITIES[self.role]:
            raise Forbidden(f"a {self.role} key may not use {capability}", capability=capability)
        if self.role is Role.APP and self.member_id is None:
            raise Forbidden("an app key acts only for a member: send X-Member-Token")

    def require_member(self, capability: Capability, member_id: str) -> None:
        """As ``require``, and an app caller may only reach its own member."""
        self.require(capability)
        if self.role is Role.APP and self.member_id != member_id:
            raise Forbidden("a member may only see their own data")

    @property
    def scope(self) -> str:
        """Idempotency keys are scoped per caller, so two tills never collide."""
        return f"{self.key_id}:{self.member_id or ''}"
