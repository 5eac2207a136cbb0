"""What the programme costs, entered by finance: the analytics costs file (YAML or JSON).

Each cost is an amount spread evenly over its days (both ends included); a
period is charged the share of the days it overlaps. ``programme`` costs run
the programme (platform, staff), ``acquisition`` costs bring members in
(advertising, welcome mailings), ``campaign`` costs belong to one rule.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from loyalo.domain.analytics.filters import Period
from loyalo.domain.money import Money


class CostKind(StrEnum):
    PROGRAMME = "programme"
    ACQUISITION = "acquisition"
    CAMPAIGN = "campaign"


class Cost(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=200)
    kind: CostKind
    amount: Decimal = Field(ge=0, description='In the programme\'s currency, e.g. "1200.00"')
    from_day: date = Field(alias="from")
    to_day: date = Field(alias="to")
    rule: str | None = Field(default=None, description="The campaign's rule id (campaign only)")

    @model_validator(mode="after")
    def _rule_for_campaigns_only(self) -> Cost:
        if (self.kind is CostKind.CAMPAIGN) != (self.rule is not None):
            raise ValueError("a campaign cost names its rule, and only a campaign cost does")
        if self.to_day < self.from_day:
            raise ValueError("a cost ends before it starts")
        return self

    def share_in(self, period: Period, currency: str) -> Money:
        """The part of the amount that falls in ``period``, rounded half up to the minor unit."""
        first = max(self.from_day, period.first_day)
        last = min(self.to_day, period.last_day)
        overlap = max((last - first).days + 1, 0)
        days = (self.to_day - self.from_day).days + 1
        total = Money.parse(self.amount, currency).amount_minor
        minor = (Decimal(total) * overlap / days).quantize(Decimal(1), ROUND_HALF_UP)
        return Money(int(minor), currency)


class CostsDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    costs: list[Cost] = Field(default_factory=list)

    def total(
        self, kind: CostKind, period: Period, currency: str, rule: str | None = None
    ) -> Money:
        shares = (
            cost.share_in(period, currency).amount_minor
            for cost in self.costs
            if cost.kind is kind and (rule is None or cost.rule == rule)
        )
        return Money(sum(shares), currency)

    def campaign_rules(self) -> list[str]:
        return sorted({cost.rule for cost in self.costs if cost.rule is not None})
