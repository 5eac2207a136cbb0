"""Coupons over HTTP: batches in, coupons and till verdicts out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from loyalo.adapters.http.schemas.common import MemberIdentifier, Strict
from loyalo.application.coupons.batches import BatchRequest, BatchResult
from loyalo.domain.coupons.benefits import Benefit, benefit_document
from loyalo.domain.coupons.coupon import Coupon, CouponKind
from loyalo.domain.coupons.validation import CouponVerdict
from loyalo.domain.money import Money

MAX_HTTP_BATCH = 10_000  # larger batches: ``loyalo coupons generate`` writes them to a file


class CouponBatchIn(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Christmas flyer"])
    kind: Literal["personal", "shared"] = Field(
        description="personal: each code used once; shared: a promo code within its limits"
    )
    benefit: Benefit
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None
    pattern: str | None = Field(
        default=None,
        max_length=64,
        description="Letters, digits and '-', with '#' for a random character (Crockford "
        "base32, 5 bits each). Personal codes need 12 '#' or more (60 bits); default "
        "`####-####-####`. A pattern without '#' is one fixed shared code.",
        examples=["XMAS-####-####-####"],
    )
    count: int | None = Field(default=None, ge=1, le=MAX_HTTP_BATCH)
    members: list[MemberIdentifier] = Field(
        default_factory=list,
        max_length=MAX_HTTP_BATCH,
        description="Personal codes: one for each of these members (instead of `count`)",
    )
    max_uses: int | None = Field(default=None, ge=1, description="A shared code's uses in total")
    per_member_limit: int | None = Field(
        default=None, ge=1, description="A shared code's uses per member"
    )
    combinable: bool = Field(
        default=True, description="False: applies only alone, with no other code or promotion"
    )

    def to_request(self) -> BatchRequest:
        return BatchRequest(
            name=self.name,
            kind=CouponKind(self.kind),
            benefit=self.benefit,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            pattern=self.pattern,
            count=self.count,
            members=tuple(self.members),
            max_uses=self.max_uses,
            per_member_limit=self.per_member_limit,
            combinable=self.combinable,
        )


class CouponOut(BaseModel):
    code: str = Field(examples=["7K3Q-X9DM-2PWT"])
    kind: str
    status: str = Field(description="active, used or cancelled")
    benefit: dict[str, Any]
    member_id: str | None = Field(description="The member it belongs to; none for a shared code")
    valid_from: datetime
    valid_until: datetime | None
    max_uses: int | None
    uses: int
    uses_left: int | None
    per_member_limit: int | None
    combinable: bool
    source_type: str
    source_id: str | None
    batch_id: str | None
    created_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def of(cls, coupon: Coupon) -> CouponOut:
        return cls(
            code=coupon.code,
            kind=coupon.kind.value,
            status=coupon.status.value,
            benefit=benefit_document(coupon.benefit),
            member_id=coupon.member_id,
            valid_from=coupon.valid_from,
            valid_until=coupon.valid_until,
            max_uses=coupon.max_uses,
            uses=coupon.uses,
            uses_left=coupon.uses_left,
            per_member_limit=coupon.per_member_limit,
            combinable=coupon.combinable,
            source_type=coupon.source_type,
            source_id=coupon.source_id,
            batch_id=coupon.batch_id,
            created_at=coupon.created_at,
            cancelled_at=coupon.cancelled_at,
        )


class CouponPage(BaseModel):
    coupons: list[CouponOut]
    next_after: str | None = Field(
        description="Pass as `after` for the next page; none on the last"
    )


class BatchCodeOut(BaseModel):
    code: str
    member_id: str | None


class CouponBatchOut(BaseModel):
    batch_id: str
    name: str
    kind: str
    pattern: str | None
    count: int
    benefit: dict[str, Any]
    valid_from: datetime
    valid_until: datetime | None
    max_uses: int | None
    per_member_limit: int | None
    combinable: bool
    created_at: datetime
    codes: list[BatchCodeOut]

    @classmethod
    def of(cls, result: BatchResult) -> CouponBatchOut:
        batch = result.batch
        return cls(
            batch_id=batch.batch_id,
            name=batch.name,
            kind=batch.kind.value,
            pattern=batch.pattern,
            count=batch.count,
            benefit=benefit_document(batch.benefit),
            valid_from=batch.valid_from,
            valid_until=batch.valid_until,
            max_uses=batch.max_uses,
            per_member_limit=batch.per_member_limit,
            combinable=batch.combinable,
            created_at=batch.created_at,
            codes=[BatchCodeOut(code=c.code, member_id=c.member_id) for c in result.coupons],
        )


class CouponVerdictOut(BaseModel):
    """What one code sent with a basket does: applies (amount, lines) or not (reason)."""

    code: str
    applies: bool
    amount: str = Field(description="Taken off the basket; 0 when the code does not apply")
    lines: dict[int, str] = Field(default_factory=dict, description="Receipt line → amount off")
    reason: str | None = Field(
        default=None,
        description="Why not, a stable slug: unknown-code, not-yet-valid, expired, used-up, "
        "member-limit-reached, another-members-coupon, cancelled, not-a-till-benefit, "
        "code-repeated, too-many-codes, one-code-per-batch, nothing-to-discount, does-not-combine",
    )
    detail: str

    @classmethod
    def of(cls, verdict: CouponVerdict, currency: str) -> CouponVerdictOut:
        def money(minor: int) -> str:
            return str(Money(minor, currency))

        return cls(
            code=verdict.code,
            applies=verdict.applies,
            amount=money(verdict.amount_minor),
            lines={i: money(v) for i, v in verdict.lines.items()},
            reason=verdict.reason.value if verdict.reason else None,
            detail=verdict.detail,
        )


CodeText = Annotated[str, Field(min_length=1, max_length=80)]
CODES_FIELD: list[str] = Field(
    default_factory=list,
    max_length=10,
    description="Coupon and promo codes; the quote says for each whether it applies. A "
    "purchase with a code that does not apply is refused (`/problems/coupon-not-applicable`).",
    examples=[["7K3Q-X9DM-2PWT"]],
)
