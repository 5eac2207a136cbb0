"""A member's wallet card: gather what it shows, then have the wallet's signer sign it.

Reads only: the card shows the balance and tier at the moment it is made; nothing
is written, so a download needs no idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loyalo.application.context import AppContext
from loyalo.application.passes.ports import ApplePassPackager, GoogleSaveSigner
from loyalo.application.ports import UnitOfWork
from loyalo.application.tiers import TierService
from loyalo.domain.errors import PassesNotConfigured
from loyalo.domain.members.member import Member
from loyalo.domain.passes import apple, google
from loyalo.domain.passes.apple import AppleIdentity
from loyalo.domain.passes.card import PassCard, member_name
from loyalo.domain.passes.google import GoogleIdentity


@dataclass(frozen=True, slots=True)
class AppleWallet:
    identity: AppleIdentity
    packager: ApplePassPackager


@dataclass(frozen=True, slots=True)
class GoogleWallet:
    identity: GoogleIdentity
    signer: GoogleSaveSigner


@dataclass(frozen=True, slots=True)
class GooglePass:
    loyalty_class: dict[str, Any]
    loyalty_object: dict[str, Any]
    jwt: str
    save_url: str


class PassService:
    def __init__(
        self,
        ctx: AppContext,
        tiers: TierService,
        apple_wallet: AppleWallet | None = None,
        google_wallet: GoogleWallet | None = None,
    ) -> None:
        self._ctx = ctx
        self._tiers = tiers
        self._apple = apple_wallet
        self._google = google_wallet

    def card(self, uow: UnitOfWork, member: Member) -> PassCard:
        """What the card shows now: available points, their value, the tier held."""
        programme = self._ctx.programmes.compiled(uow)
        document = programme.document
        balance = uow.ledger.balance(member.member_id)
        available = balance.available
        status = self._tiers.status(uow, document, member.member_id, self._ctx.clock.now())
        return PassCard(
            member_id=member.member_id,
            card_number=member.card_number,
            member_name=member_name(member.first_name, member.last_name),
            programme_name=document.name,
            point_name=document.point_name,
            points_available=available,
            points_pending=balance.pending,
            points_value=programme.terms.value_of_points(available),
            tier_name=status.tier.name if status.tier else None,
            design=document.passes,
        )

    def apple_pass(self, uow: UnitOfWork, member: Member) -> bytes:
        """The member's signed ``.pkpass``."""
        if self._apple is None:
            raise PassesNotConfigured("Apple Wallet passes are not configured", wallet="apple")
        card = self.card(uow, member)
        return self._apple.packager.package(
            apple.pass_json(card, self._apple.identity), card.design
        )

    def google_pass(self, uow: UnitOfWork, member: Member) -> GooglePass:
        """The member's loyalty object, its class, and the signed save link."""
        if self._google is None:
            raise PassesNotConfigured("Google Wallet passes are not configured", wallet="google")
        identity = self._google.identity
        card = self.card(uow, member)
        loyalty_class = google.loyalty_class(card, identity)
        loyalty_object = google.loyalty_object(card, identity)
        # Google creates the class from the link only with a logo; else it must exist.
        classes = [loyalty_class] if identity.program_logo_url else []
        claims = google.save_claims([loyalty_object], identity, self._ctx.clock.now(), classes)
        token = self._google.signer.sign(claims)
        return GooglePass(loyalty_class, loyalty_object, token, google.save_url(token))
