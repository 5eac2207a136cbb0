"""A redemption: points exchanged for a reward, and what it gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class RedemptionStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # points, stock and the limit slot given back


class Delivery(StrEnum):
    """What the reward gave the member."""

    COUPON = "coupon"  # a personal coupon: a discount, a product, delivery, a gift, a ticket …
    DONATION = "donation"  # points turned into a donation to a cause
    WALLET = "wallet"  # money credited to the wallet


@dataclass(frozen=True, slots=True)
class Redemption:
    redemption_id: str
    member_id: str
    reward_id: str
    points: int
    benefit: dict[str, Any]  # the benefit as the programme version had it
    delivery: Delivery
    programme_version: int
    channel: str
    status: RedemptionStatus
    created_at: datetime
    entry_id: str | None  # the ledger entry that burned the points; None for a free reward
    member_bucket: str | None  # the per-member limit period the redemption took a slot in
    total_bucket: str | None
    took_stock: bool
    coupon_id: str | None = None
    coupon_code: str | None = None
    coupon_valid_until: datetime | None = None
    donation_id: str | None = None
    wallet_entry_id: str | None = None
    cancelled_at: datetime | None = None
    cancel_entry_id: str | None = None


@dataclass(frozen=True, slots=True)
class Donation:
    """The member's receipt: points given to a cause, and the money they became."""

    donation_id: str
    redemption_id: str
    member_id: str
    cause: str
    amount_minor: int
    currency: str
    points: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CauseTotal:
    cause: str
    currency: str
    amount_minor: int
    points: int
    donations: int
    donors: int
