"""The member: one person, every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Member:
    member_id: str
    card_number: str
    created_at: datetime
    updated_at: datetime
    external_id: str | None = None
    phone: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
