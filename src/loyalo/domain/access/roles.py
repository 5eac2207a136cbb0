"""Roles and their capabilities.

``admin`` may do everything; ``pos`` serves a till; ``app`` acts for one member,
authenticated by a member token, and may only touch that member's data;
``partner`` serves one partner merchant's tills and reads that partner's reports only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from loyalo.domain.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    POS = "pos"
    APP = "app"
    PARTNER = "partner"


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
    GIFT_CARDS_ISSUE = "gift_cards:issue"
    GIFT_CARDS_READ = "gift_cards:read"
    GIFT_CARDS_MANAGE = "gift_cards:manage"
    MEMBERSHIPS_READ = "memberships:read"
    MEMBERSHIPS_WRITE = "memberships:write"  # record a membership payment, cancel a plan
    PARTNERS_MANAGE = "partners:manage"
    PARTNER_TRADE = "partner:trade"  # a partner's own tills: look up, earn, return, spend
    PARTNER_REPORTS = "partner:reports"  # a partner's own transactions and settlement
    GAMIFICATION_READ = "gamification:read"
    GAMIFICATION_WRITE = "gamification:write"  # a member's nickname and leaderboard opt-out
    REWARDS_READ = "rewards:read"
    REDEMPTIONS_WRITE = "redemptions:write"  # an app key: for its own member only
    REDEMPTIONS_CANCEL = "redemptions:cancel"
    CHARITY_READ = "charity:read"
    COUPONS_READ = "coupons:read"
    COUPONS_WRITE = "coupons:write"
    ANALYTICS_READ = "analytics:read"  # KPIs over the analytics store (admin)


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
            Capability.GIFT_CARDS_ISSUE,
            Capability.GIFT_CARDS_READ,
            Capability.MEMBERSHIPS_READ,
            Capability.MEMBERSHIPS_WRITE,
            Capability.GAMIFICATION_READ,
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
            Capability.MEMBERSHIPS_READ,
            Capability.GAMIFICATION_READ,
            Capability.GAMIFICATION_WRITE,
            Capability.REWARDS_READ,
            Capability.REDEMPTIONS_WRITE,
            Capability.COUPONS_READ,
        }
    ),
    Role.PARTNER: frozenset({Capability.PARTNER_TRADE, Capability.PARTNER_REPORTS}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: an API key, for ``app`` keys the member it acts for, for
    ``partner`` keys the partner it is bound to."""

    key_id: str
    name: str
    role: Role
    member_id: str | None = None
    partner_id: str | None = None

    def require(self, capability: Capability) -> None:
        if capability not in _CAPABILITIES[self.role]:
            raise Forbidden(f"a {self.role} key may not use {capability}", capability=capability)
        if self.role is Role.APP and self.member_id is None:
            raise Forbidden("an app key acts only for a member: send X-Member-Token")
        if self.role is Role.PARTNER and self.partner_id is None:
            raise Forbidden("this partner key is bound to no partner")

    def require_member(self, capability: Capability, member_id: str) -> None:
        """As ``require``, and an app caller may only reach its own member."""
        self.require(capability)
        if self.role is Role.APP and self.member_id != member_id:
            raise Forbidden("a member may only see their own data")

    def require_partner(self, capability: Capability) -> str:
        """As ``require``, for a partner key: the partner it acts for."""
        self.require(capability)
        if self.partner_id is None:
            raise Forbidden("only a partner's key acts at a partner's tills")
        return self.partner_id

    def require_partner_reports(self, partner_id: str) -> None:
        """An admin reads any partner's reports, a partner only its own."""
        self.require(Capability.PARTNER_REPORTS)
        if self.role is Role.PARTNER and self.partner_id != partner_id:
            raise Forbidden("a partner may only see its own data")

    @property
    def scope(self) -> str:
        """Idempotency keys are scoped per caller, so two tills never collide."""
        return f"{self.key_id}:{self.member_id or ''}"
