"""When points expire: never, a fixed lifetime per lot, after inactivity, at a period's end."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from loyalo.domain.programme.document.base import Part, Period


class NoExpiry(Part):
    policy: Literal["none"] = "none"


class LotLifetime(Part):
    """Each lot of points expires a fixed time after it was earned; oldest are spent first."""

    policy: Literal["lifetime"] = "lifetime"
    months: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0)


class Inactivity(Part):
    """All points expire after this many months without a purchase or an event."""

    policy: Literal["inactivity"] = "inactivity"
    months: int = Field(ge=1)


class PeriodEnd(Part):
    """Points earned in a period expire at the end of that period plus ``extra_periods``
    (``period: year, extra_periods: 1``: points of 2025 expire when 2026 ends)."""

    policy: Literal["period_end"] = "period_end"
    period: Literal[Period.MONTH, Period.QUARTER, Period.YEAR] = Period.YEAR
    extra_periods: int = Field(default=0, ge=0)


ExpiryPolicy = Annotated[
    NoExpiry | LotLifetime | Inactivity | PeriodEnd, Field(discriminator="policy")
]
