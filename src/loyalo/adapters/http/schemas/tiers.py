"""A member's tier over HTTP: where they stand, what the next tier needs, how they got here.

The qualifying metric is points earned or money spent; every value of it travels
as a decimal string next to its ``unit``: ``points``, or the programme currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from loyalo.application.ports import TierHistoryEntry
from loyalo.application.tiers import TierStatus
from loyalo.domain.money import Money, currency_exponent
from loyalo.domain.programme.document.tiers import Tier, TierMetric, TierPolicy
from loyalo.domain.tiers.qualification import threshold_units

POINTS_UNIT = "points"


@dataclass(frozen=True, slots=True)
class MetricUnit:
    """How a programme version counts its tier metric: points, or minor units of money."""

    metric: TierMetric
    currency: str

    @property
    def unit(self) -> str:
        return self.currency if self.metric is TierMetric.MONEY_SPENT else POINTS_UNIT

    def text(self, units: int) -> str:
        if self.metric is TierMetric.MONEY_SPENT:
            return str(Money(units, self.currency))
        return str(units)


class TierBenefitsOut(BaseModel):
    discount_percent: str | None = Field(
        description="Instant discount on goods at the till, in percent", examples=["10"]
    )
    earn_multiplier: str = Field(
        description="Multiplies the points every purchase earns", examples=["1"]
    )
    free_delivery: bool
    exclusive_offers: bool
    flags: list[str] = Field(description="Custom flags for the till or the app")

    @classmethod
    def of(cls, tier: Tier) -> TierBenefitsOut:
        benefits = tier.benefits
        discount = benefits.discount_percent
        return cls(
            discount_percent=None if discount is None else str(discount),
            earn_multiplier=str(benefits.earn_multiplier),
            free_delivery=benefits.free_delivery,
            exclusive_offers=benefits.exclusive_offers,
            flags=list(benefits.flags),
        )


class TierOut(BaseModel):
    id: str = Field(examples=["silver"])
    name: str = Field(examples=["Silver"])
    threshold: str = Field(
        description="What the qualifying metric must reach, in its `unit`", examples=["500"]
    )
    benefits: TierBenefitsOut

    @classmethod
    def of(cls, tier: Tier, policy: TierPolicy, unit: MetricUnit) -> TierOut:
        return cls(
            id=tier.id,
            name=tier.name,
            threshold=_threshold(tier, policy, unit),
            benefits=TierBenefitsOut.of(tier),
        )


class NextTierOut(TierOut):
    missing: str = Field(
        description="What the qualifying metric still needs to reach this tier, in its `unit`",
        examples=["60"],
    )

    @classmethod
    def reaching(
        cls, tier: Tier, policy: TierPolicy, unit: MetricUnit, missing: int
    ) -> NextTierOut:
        return cls(
            id=tier.id,
            name=tier.name,
            threshold=_threshold(tier, policy, unit),
            benefits=TierBenefitsOut.of(tier),
            missing=unit.text(missing),
        )


class QualifyingOut(BaseModel):
    metric: str = Field(description="`points_earned` or `money_spent`", examples=["points_earned"])
    window: str = Field(
        description="`rolling` (the last `months` months), `calendar_year` or `lifetime`",
        examples=["rolling"],
    )
    window_start: datetime | None = Field(
        description="The first moment that counts; null for a lifetime window"
    )
    value: str = Field(description="The metric over the window, in `unit`", examples=["440"])
    unit: str = Field(description="`points`, or the programme currency", examples=["points"])


class TierChangeOut(BaseModel):
    at: datetime
    from_tier: str | None = Field(examples=["bronze"])
    to_tier: str = Field(examples=["silver"])
    reason: str = Field(description="`initial`, `upgrade` or `downgrade`", examples=["upgrade"])
    metric: str = Field(description="The qualifying metric at the change", examples=["560"])
    unit: str = Field(examples=["points"])
    programme_version: int

    @classmethod
    def of(cls, entry: TierHistoryEntry, unit: MetricUnit) -> TierChangeOut:
        return cls(
            at=entry.at,
            from_tier=entry.from_tier,
            to_tier=entry.to_tier,
            reason=entry.reason,
            metric=unit.text(entry.metric),
            unit=unit.unit,
            programme_version=entry.programme_version,
        )


_EXAMPLE_BENEFITS: JsonDict = {
    "discount_percent": "10",
    "earn_multiplier": "1",
    "free_delivery": True,
    "exclusive_offers": False,
    "flags": [],
}


class TierView(BaseModel):
    """Where a member stands in the programme's tiers.

    A programme without tiers answers with `tier`, the dates, `qualifying` and
    `next_tier` null; `history` still lists what earlier versions recorded.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "member_id": "0b6f1f9e-8d0c-4c1e-9a43-5f1d2b7c9e10",
                    "programme_version": 3,
                    "tier": {
                        "id": "silver",
                        "name": "Silver",
                        "threshold": "500",
                        "benefits": _EXAMPLE_BENEFITS,
                    },
                    "since": "2026-02-27T10:00:00Z",
                    "review_at": "2027-02-27T09:00:00Z",
                    "downgrade_at": None,
                    "qualifying": {
                        "metric": "points_earned",
                        "window": "rolling",
                        "window_start": "2025-03-01T11:00:00Z",
                        "value": "560",
                        "unit": "points",
                    },
                    "next_tier": {
                        "id": "gold",
                        "name": "Gold",
                        "threshold": "1000",
                        "benefits": {**_EXAMPLE_BENEFITS, "discount_percent": "15"},
                        "missing": "440",
                    },
                    "history": [
                        {
                            "at": "2026-02-27T10:00:00Z",
                            "from_tier": "bronze",
                            "to_tier": "silver",
                            "reason": "upgrade",
                            "metric": "560",
                            "unit": "points",
                            "programme_version": 3,
                        }
                    ],
                }
            ]
        }
    )

    member_id: str
    programme_version: int = Field(description="The programme version in force")
    tier: TierOut | None = Field(description="The tier held now; null without tiers")
    since: datetime | None = Field(description="When the member reached the tier")
    review_at: datetime | None = Field(
        description="The next review, which may lower the tier; null for a lifetime window"
    )
    downgrade_at: datetime | None = Field(
        description="In the grace after a review found a lower tier: when the tier is lowered "
        "unless the member qualifies again"
    )
    qualifying: QualifyingOut | None = Field(
        description="What qualifies the member for a tier, counted over the programme's window"
    )
    next_tier: NextTierOut | None = Field(description="Null at the top tier")
    history: list[TierChangeOut] = Field(description="Every tier change, newest first")

    @classmethod
    def of(
        cls,
        member_id: str,
        version: int,
        policy: TierPolicy | None,
        unit: MetricUnit,
        status: TierStatus,
        history: Sequence[tuple[TierHistoryEntry, MetricUnit]],
    ) -> TierView:
        changes = [TierChangeOut.of(entry, used) for entry, used in reversed(history)]
        if policy is None or status.tier is None:
            return cls.untiered(member_id, version, changes)
        state, following = status.state, status.next_tier
        return cls(
            member_id=member_id,
            programme_version=version,
            tier=TierOut.of(status.tier, policy, unit),
            since=state.since if state else None,
            review_at=state.review_at if state else None,
            downgrade_at=state.downgrade_at if state else None,
            qualifying=QualifyingOut(
                metric=policy.metric.value,
                window=policy.window.value,
                window_start=status.window_start.astimezone(UTC) if status.window_start else None,
                value=unit.text(status.metric),
                unit=unit.unit,
            ),
            next_tier=NextTierOut.reaching(following, policy, unit, status.missing)
            if following
            else None,
            history=changes,
        )

    @classmethod
    def untiered(cls, member_id: str, version: int, changes: list[TierChangeOut]) -> TierView:
        """A programme without tiers: no tier, and whatever history earlier versions left."""
        return cls(
            member_id=member_id,
            programme_version=version,
            tier=None,
            since=None,
            review_at=None,
            downgrade_at=None,
            qualifying=None,
            next_tier=None,
            history=changes,
        )


def _threshold(tier: Tier, policy: TierPolicy, unit: MetricUnit) -> str:
    return unit.text(threshold_units(tier, policy, currency_exponent(unit.currency)))
