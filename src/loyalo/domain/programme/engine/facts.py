"""What the caller tells the engine about a purchase or an event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from loyalo.domain.coupons.validation import TillCoupon
from loyalo.domain.programme.document.tiers import Tier
from loyalo.domain.programme.engine.views import MemberView
from loyalo.domain.purchases.basket import Line


@dataclass(frozen=True, slots=True)
class PurchaseFacts:
    lines: tuple[Line, ...]
    at: datetime  # timezone-aware
    member: MemberView
    tier: Tier | None = None  # the tier whose benefits this purchase gets
    channel: str = "store"
    store: str = ""
    spent_before_minor: int = 0  # what the member spent before, net of returns
    coupons: tuple[TillCoupon, ...] = ()  # codes checked already; applied after rule discounts


@dataclass(frozen=True, slots=True)
class EventFacts:
    name: str
    at: datetime
    member: MemberView
    tier: Tier | None = None
    channel: str = "app"
    attributes: Mapping[str, Any] = field(default_factory=dict)
