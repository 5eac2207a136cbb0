"""One plotly figure per chart, each drawn from one table of the ``ReportData``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import plotly.graph_objects as go

from loyalo.domain.money import currency_exponent
from loyalo.domain.report.data import Cell, ReportData

LAYOUT: dict[str, Any] = {
    "margin": {"l": 70, "r": 30, "t": 60, "b": 50},
    "template": "plotly_white",
}


def _number(cell: Cell) -> float:
    if cell is None:
        return 0
    if not isinstance(cell, int | float):
        raise TypeError(f"{cell!r} is not a number")
    return cell


def _major(minor: Cell, currency: str) -> float:
    # Drawing only: the exact figures stay in minor units in the exported tables.
    return _number(minor) / float(10 ** currency_exponent(currency))


def _month(value: Cell) -> str:
    return value.strftime("%Y-%m") if isinstance(value, date) else str(value)


def _cohort_grid(
    data: ReportData, value: Callable[[dict[str, Cell]], float]
) -> tuple[list[int], list[str], list[list[float | None]]]:
    records = data.cohorts.records()
    cohorts = sorted({_month(r["cohort_month"]) for r in records})
    ages = sorted({int(_number(r["months_since"])) for r in records})
    grid: list[list[float | None]] = [[None] * len(ages) for _ in cohorts]
    for record in records:
        row = grid[cohorts.index(_month(record["cohort_month"]))]
        row[ages.index(int(_number(record["months_since"])))] = value(record)
    return ages, cohorts, grid


def _heatmap(
    ages: list[int], cohorts: list[str], grid: list[list[float | None]], title: str, unit: str
) -> go.Figure:
    figure = go.Figure(
        go.Heatmap(
            z=grid,
            x=ages,
            y=cohorts,
            colorscale="Blues",
            colorbar={"title": unit},
            hovertemplate="cohort %{y}, month %{x}: %{z:,.1f} " + unit + "<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        xaxis={"title": "months since acquisition", "dtick": 1},
        yaxis={"title": "cohort", "autorange": "reversed", "type": "category"},
        **LAYOUT,
    )
    return figure


def cohort_retention(data: ReportData) -> go.Figure:
    ages, cohorts, grid = _cohort_grid(data, lambda r: 100 * _number(r["retention"]))
    title = "Retention by acquisition cohort (% of the cohort buying in month k)"
    return _heatmap(ages, cohorts, grid, title, "%")


def cohort_revenue(data: ReportData) -> go.Figure:
    ages, cohorts, grid = _cohort_grid(data, lambda r: _major(r["revenue_minor"], data.currency))
    title = "Revenue by acquisition cohort and month since acquisition"
    return _heatmap(ages, cohorts, grid, title, data.currency)


def points_over_time(data: ReportData) -> go.Figure:
    table = data.points
    months = [_month(m) for m in table.column("month")]
    bars = [go.Bar(name=n, x=months, y=table.column(n)) for n in ("issued", "redeemed", "expired")]
    figure = go.Figure(bars)
    figure.update_layout(
        title="Points issued, redeemed and expired by month",
        barmode="group",
        yaxis_title="points",
        **LAYOUT,
    )
    return figure


def liability_over_time(data: ReportData) -> go.Figure:
    table = data.liability
    months = [_month(m) for m in table.column("month")]
    money = [_major(v, data.currency) for v in table.column("liability_minor")]
    points = table.column("outstanding_points")
    figure = go.Figure(
        [
            go.Scatter(
                name=f"liability ({data.currency})", x=months, y=money, mode="lines+markers"
            ),
            go.Scatter(name="points", x=months, y=points, yaxis="y2", line={"dash": "dot"}),
        ]
    )
    figure.update_layout(
        title="Outstanding points and their value at the end of each month",
        yaxis={"title": data.currency, "rangemode": "tozero"},
        yaxis2={"title": "points", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        **LAYOUT,
    )
    return figure


def value_distribution(data: ReportData) -> go.Figure:
    values = [_major(v, data.currency) for v in data.member_values.column("value_minor")]
    figure = go.Figure(go.Histogram(x=values, nbinsx=30, name=data.value_label))
    figure.update_layout(
        title=f"Members by {data.value_label}",
        xaxis_title=data.currency,
        yaxis_title="members",
        **LAYOUT,
    )
    return figure


def rfm_segments(data: ReportData) -> go.Figure:
    table = data.rfm_segments
    revenue = [_major(v, data.currency) for v in table.column("revenue_minor")]
    figure = go.Figure(
        go.Bar(
            x=[str(s).replace("_", " ") for s in table.column("segment")],
            y=table.column("members"),
            customdata=revenue,
            hovertemplate=f"%{{x}}: %{{y}} members, %{{customdata:,.2f}} {data.currency}"
            "<extra></extra>",
        )
    )
    figure.update_layout(title="Members per RFM segment", yaxis_title="members", **LAYOUT)
    return figure


def spend_around_joining(data: ReportData) -> go.Figure:
    """Members whose window after joining has passed, by the month they joined: what they
    paid in the window before joining and in the window from it."""
    days, currency = data.window_days, data.currency
    before: dict[str, float] = {}
    after: dict[str, float] = {}
    for record in data.joining.records():
        if not record["window_complete"]:
            continue
        month = _month(record["joined_at"])
        before[month] = before.get(month, 0) + _major(record["spend_before_minor"], currency)
        after[month] = after.get(month, 0) + _major(record["spend_after_minor"], currency)
    months = sorted(before)
    figure = go.Figure(
        [
            go.Bar(name=f"{days} days before joining", x=months, y=[before[m] for m in months]),
            go.Bar(name=f"{days} days from joining", x=months, y=[after[m] for m in months]),
        ]
    )
    figure.update_layout(
        title=f"Spend before and after joining, by month joined ({days} days each side; "
        "members whose days after have passed)",
        barmode="group",
        xaxis={"title": "month joined", "type": "category"},
        yaxis_title=currency,
        **LAYOUT,
    )
    return figure


CHARTS: tuple[Callable[[ReportData], go.Figure], ...] = (
    cohort_retention,
    cohort_revenue,
    points_over_time,
    liability_over_time,
    value_distribution,
    rfm_segments,
    spend_around_joining,
)


def figures(data: ReportData) -> list[tuple[str, go.Figure]]:
    return [(chart.__name__, chart(data)) for chart in CHARTS]
