"""What a report shows, as plain tables: the seam between the queries and the renderer.

Money is in integer minor units of ``ReportData.currency``; months are the first
day of the month; shares are fractions (0.25, not 25). The tiles hold raw numbers
too (a count, or an amount with its currency): only the page formats them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from loyalo.domain.analytics.filters import DEFAULT_WINDOW_DAYS
from loyalo.domain.money import Money

Cell = str | int | float | date | None


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.name}: a row of {len(row)} cells for {self.columns}")

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Tile:
    """One headline figure: a count or an amount; None when it could not be estimated."""

    kpi: str  # a stable name, the row's key in kpis.csv
    label: str
    value: int | Money | None

    @property
    def currency(self) -> str | None:
        return self.value.currency if isinstance(self.value, Money) else None

    def raw(self) -> str | None:
        """The value as written to the data files: an integer, or a decimal amount."""
        return None if self.value is None else str(self.value)


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything ``loyalo report`` draws; each chart is drawn from exactly one table.

    ``member_values`` is the per-member value behind the value-distribution chart
    (``value_label`` says what it is): today each member's spend in the period; a
    lifetime-value model can hand its discounted CLV here instead. ``joining`` is each
    member who joined in the period with their spend in the ``window_days`` before and
    after; ``notes`` are sentences the page shows under the tiles (how an estimate was made).
    """

    title: str
    first: date
    last: date
    currency: str
    tiles: tuple[Tile, ...]
    cohorts: Table  # cohort_month, months_since, members, active_members, retention, revenue_minor
    points: Table  # month, issued, redeemed, expired
    liability: Table  # month, outstanding_points, liability_minor
    member_values: Table  # member_id, value_minor
    rfm_segments: Table  # segment, members, revenue_minor
    joining: Table  # member_id, joined_at, orders_before, spend_before_minor, orders_after, ...
    value_label: str = "spend in the period"
    window_days: int = DEFAULT_WINDOW_DAYS
    notes: tuple[str, ...] = ()

    def tables(self) -> tuple[Table, ...]:
        tiles = Table(
            "kpis",
            ("kpi", "label", "value", "currency"),
            tuple((t.kpi, t.label, t.raw(), t.currency) for t in self.tiles),
        )
        return (
            tiles,
            self.cohorts,
            self.points,
            self.liability,
            self.member_values,
            self.rfm_segments,
            self.joining,
        )
