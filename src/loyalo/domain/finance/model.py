"""The financial model: accrual and burn of points, their cost, and what pays for them.

Each month the members buy ``monthly_sales x member_share``, and an incentive
worth having lifts that by ``incremental_lift``. Points are issued on all member
sales. A point lives ``months_to_redeem`` months on average: each month that
share (1 / months) of the opening liability leaves it, ``redemption_rate`` of it
redeemed and the rest expired (breakage) - so over time ``redemption_rate`` of
the points are redeemed, as the inputs say. The cost of rewards is accrued when
the points are issued, at the value they are expected to be redeemed for
(issued x point value x redemption rate); fixed costs come on top. The lift's
gross margin pays for it: ROI = (incremental margin - cost) / cost.

Break-even: the lift at which the incremental margin equals the cost,
L = (m x e x v x r + F) / (m x (g - e x v x r)), with member sales m, earning
rate e, point value v, redemption rate r, fixed costs F and gross margin g; no
lift breaks even when every 1.00 of sales costs as much in points as it earns in
margin (g <= e x v x r).

The figures are exact decimals; the workbook computes the same formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from loyalo.domain.errors import InvalidInput

MAX_MONTHS = 120
# Fractions of a point are kept to this scale, so a month's flows add up exactly.
POINT_SCALE = Decimal("1e-10")


@dataclass(frozen=True, slots=True)
class FinancialInputs:
    """Defaults: the brief's example programme - 1 point per 1.00, 100 points pay 10.00."""

    monthly_sales: Decimal = Decimal("100000.00")  # all sales, members or not
    member_share: Decimal = Decimal("0.60")  # of sales made by members
    earn_points_per_unit: Decimal = Decimal(1)  # points per 1.00 spent
    point_value: Decimal = Decimal("0.10")  # money a point pays (1 / redeem_points_per_unit)
    redemption_rate: Decimal = Decimal("0.80")  # share of points ever redeemed
    months_to_redeem: Decimal = Decimal(6)  # a point's average life
    gross_margin: Decimal = Decimal("0.35")  # of sales
    fixed_costs: Decimal = Decimal("2000.00")  # per month: platform, staff, communications
    incremental_lift: Decimal = Decimal("0.10")  # extra member sales the programme must bring
    opening_liability: Decimal = Decimal(0)  # points outstanding at the start
    months: int = 12

    def __post_init__(self) -> None:
        for name in ("monthly_sales", "earn_points_per_unit", "fixed_costs", "opening_liability"):
            _require(getattr(self, name) >= 0, name, "must not be negative")
        for name in ("member_share", "redemption_rate", "gross_margin"):
            _require(Decimal(0) <= getattr(self, name) <= 1, name, "must be between 0 and 1")
        _require(self.point_value > 0, "point_value", "must be positive")
        _require(self.months_to_redeem >= 1, "months_to_redeem", "must be at least 1")
        _require(self.incremental_lift >= 0, "incremental_lift", "must not be negative")
        _require(1 <= self.months <= MAX_MONTHS, "months", f"must be 1 to {MAX_MONTHS}")

    @property
    def breakage_rate(self) -> Decimal:
        return 1 - self.redemption_rate

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def _require(ok: bool, field: str, message: str) -> None:
    if not ok:
        raise InvalidInput(f"{field} {message}", field=field)


@dataclass(frozen=True, slots=True)
class MonthProjection:
    month: int  # 1, 2, ...
    sales: Decimal
    member_sales: Decimal
    incremental_sales: Decimal
    points_issued: Decimal
    opening_liability: Decimal  # points
    points_redeemed: Decimal
    points_expired: Decimal
    closing_liability: Decimal  # points
    liability_value: Decimal  # money
    redeemed_value: Decimal  # money: rewards handed out this month
    cost_of_rewards: Decimal  # money, accrued on issue
    fixed_costs: Decimal
    incremental_margin: Decimal


@dataclass(frozen=True, slots=True)
class FinancialResult:
    inputs: FinancialInputs
    months: tuple[MonthProjection, ...]
    cost: Decimal  # rewards accrued + fixed costs, over the horizon
    incremental_margin: Decimal
    roi: Decimal | None  # None when nothing costs anything
    break_even_lift: Decimal | None  # None when no lift can pay for the points
    break_even_sales: Decimal | None  # incremental member sales per month at break-even


def project(inputs: FinancialInputs) -> FinancialResult:
    rows: list[MonthProjection] = []
    opening = inputs.opening_liability
    for month in range(1, inputs.months + 1):
        row = _month(inputs, month, opening)
        rows.append(row)
        opening = row.closing_liability
    cost = sum((r.cost_of_rewards + r.fixed_costs for r in rows), Decimal(0))
    margin = sum((r.incremental_margin for r in rows), Decimal(0))
    lift = break_even_lift(inputs)
    member_sales = inputs.monthly_sales * inputs.member_share
    return FinancialResult(
        inputs=inputs,
        months=tuple(rows),
        cost=cost,
        incremental_margin=margin,
        roi=(margin - cost) / cost if cost > 0 else None,
        break_even_lift=lift,
        break_even_sales=member_sales * lift if lift is not None else None,
    )


def _month(inputs: FinancialInputs, month: int, opening: Decimal) -> MonthProjection:
    member_sales = inputs.monthly_sales * inputs.member_share
    incremental = member_sales * inputs.incremental_lift
    issued = (member_sales + incremental) * inputs.earn_points_per_unit
    leaving = (opening / inputs.months_to_redeem).quantize(POINT_SCALE)
    redeemed = (leaving * inputs.redemption_rate).quantize(POINT_SCALE)
    expired = leaving - redeemed
    closing = opening + issued - redeemed - expired
    return MonthProjection(
        month=month,
        sales=inputs.monthly_sales,
        member_sales=member_sales,
        incremental_sales=incremental,
        points_issued=issued,
        opening_liability=opening,
        points_redeemed=redeemed,
        points_expired=expired,
        closing_liability=closing,
        liability_value=closing * inputs.point_value,
        redeemed_value=redeemed * inputs.point_value,
        cost_of_rewards=issued * inputs.point_value * inputs.redemption_rate,
        fixed_costs=inputs.fixed_costs,
        incremental_margin=incremental * inputs.gross_margin,
    )


def reward_cost_rate(inputs: FinancialInputs) -> Decimal:
    """What 1.00 of member sales costs in points expected to be redeemed."""
    return inputs.earn_points_per_unit * inputs.point_value * inputs.redemption_rate


def break_even_lift(inputs: FinancialInputs) -> Decimal | None:
    member_sales = inputs.monthly_sales * inputs.member_share
    rate = reward_cost_rate(inputs)
    headroom = inputs.gross_margin - rate
    if member_sales <= 0 or headroom <= 0:
        return None
    return (member_sales * rate + inputs.fixed_costs) / (member_sales * headroom)
