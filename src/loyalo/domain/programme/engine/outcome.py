"""What evaluating a programme gives: every item names its rule and version."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from loyalo.domain.coupons.validation import CouponVerdict


class DiscountSource(StrEnum):
    TIER = "tier"
    PROMOTION = "promotion"
    PROGRESSIVE = "progressive"
    COUPON = "coupon"  # a code sent at the till (domain/coupons/till.py)


@dataclass(frozen=True, slots=True)
class DiscountLine:
    rule_id: str
    source: DiscountSource
    amount_minor: int
    lines: dict[int, int]  # line index -> minor units off that line
    description: str


@dataclass(frozen=True, slots=True)
class PointAward:
    rule_id: str
    points: int
    lines: dict[int, int]  # line index -> points attributed (a return takes them back)
    description: str
    budget_capped: bool = False


@dataclass(frozen=True, slots=True)
class CashbackCredit:
    rule_id: str
    amount_minor: int
    description: str
    lines: dict[int, int] = field(default_factory=dict)  # line index -> minor units (returns)


@dataclass(frozen=True, slots=True)
class StampAward:
    rule_id: str
    card: str
    stamps: int
    goal: int
    reward: str
    description: str
    lines: dict[int, int] = field(default_factory=dict)  # line index -> stamps (returns)


@dataclass(frozen=True, slots=True)
class RewardIssue:
    rule_id: str
    reward: str
    description: str


@dataclass(frozen=True, slots=True)
class Usage:
    """A limited rule applied: count it against ``bucket``."""

    rule_id: str
    bucket: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A rule whose conditions held but that gave nothing, and why (explainability)."""

    rule_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    version: int
    tier: str | None
    discounts: tuple[DiscountLine, ...] = ()
    awards: tuple[PointAward, ...] = ()
    cashback: tuple[CashbackCredit, ...] = ()
    stamps: tuple[StampAward, ...] = ()
    rewards: tuple[RewardIssue, ...] = ()
    usage: tuple[Usage, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    net_lines: dict[int, int] = field(default_factory=dict)  # line value after discounts
    coupons: tuple[CouponVerdict, ...] = ()  # what each code the engine was given did

    @property
    def discount_minor(self) -> int:
        return sum(discount.amount_minor for discount in self.discounts)

    @property
    def points(self) -> int:
        return sum(award.points for award in self.awards)

    @property
    def net_total_minor(self) -> int:
        return sum(self.net_lines.values())
