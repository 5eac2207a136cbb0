"""Shared building blocks of the programme document."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,79}$", description="lower-case id")]
Amount = Annotated[Decimal, Field(ge=0, description="money in currency units, e.g. 300.00")]
Percent = Annotated[Decimal, Field(gt=0, le=100, description="a percentage, e.g. 5 or 2.5")]
PositiveRate = Annotated[Decimal, Field(gt=0)]


class Part(BaseModel):
    """Every part of the document: immutable, and unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Rounding(StrEnum):
    DOWN = "down"
    HALF_UP = "half_up"
    UP = "up"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    EVER = "ever"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """Monday is 0, as in ``datetime.weekday()``."""
        return list(Weekday).index(self)
