"""Members over HTTP."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import BalanceOut, Strict
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.members.member import Member


class MemberIn(Strict):
    external_id: str | None = Field(default=None, max_length=128, examples=["shop-000123"])
    phone: str | None = Field(default=None, max_length=32, examples=["+48601234567"])
    email: str | None = Field(default=None, max_length=320, examples=["ann@example.pl"])
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    birth_date: date | None = None
    attributes: dict[str, Any] | None = None


class MemberPatch(MemberIn):
    """Only the fields present change; null clears a field."""


class CardOut(BaseModel):
    number: str
    qr_svg_url: str
    qr_png_url: str


class MemberOut(BaseModel):
    member_id: str
    card: CardOut
    external_id: str | None
    phone: str | None
    email: str | None
    first_name: str | None
    last_name: str | None
    birth_date: date | None
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    balance: BalanceOut | None = None

    @classmethod
    def of(cls, member: Member, balance: MemberBalance | None = None) -> MemberOut:
        base = f"/v1/members/id:{member.member_id}/card"
        return cls(
            member_id=member.member_id,
            card=CardOut(
                number=member.card_number, qr_svg_url=f"{base}.svg", qr_png_url=f"{base}.png"
            ),
            external_id=member.external_id,
            phone=member.phone,
            email=member.email,
            first_name=member.first_name,
            last_name=member.last_name,
            birth_date=member.birth_date,
            attributes=member.attributes,
            created_at=member.created_at,
            updated_at=member.updated_at,
            balance=BalanceOut.of(balance) if balance else None,
        )


class MemberPage(BaseModel):
    items: list[MemberOut]
    next_after: str | None = Field(description="Pass as `after` for the next page")


class MemberTokenIn(Strict):
    ttl_days: int = Field(default=30, ge=1, le=365)


class MemberTokenOut(BaseModel):
    member_id: str
    token: str = Field(description="Send as X-Member-Token with an app key. Shown once.")
