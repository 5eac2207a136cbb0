"""The rewards catalogue: what members exchange points for, and on what terms."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Self

from pydantic import Field, model_validator

from loyalo.domain.coupons.benefits import Benefit
from loyalo.domain.programme.document.base import Part, Period, Slug

LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


class RewardText(Part):
    """The name and description in one language."""

    name: str = Field(min_length=1)
    description: str = ""


class RewardLimit(Part):
    """At most ``times`` redemptions per ``per`` (``ever``: in all)."""

    times: int = Field(ge=1)
    per: Period = Period.EVER


class RewardLimits(Part):
    per_member: RewardLimit | None = None
    """How often one member may redeem it."""
    total: RewardLimit | None = None
    """How often all members together may redeem it (``per: week``: a weekly allocation)."""


class Eligibility(Part):
    """Who may redeem. Each list, when not empty, must match one of its items."""

    tiers: list[Slug] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    """Segments: the member carries one of these flags (``attributes.flags`` or the tier's)."""
    channels: list[str] = Field(default_factory=list)
    """Where it can be redeemed: ``app``, ``pos``, ``web`` …"""


class Availability(Part):
    """A seasonal or limited-edition window; a time without an offset is in the programme's
    time zone, ``ends`` is exclusive."""

    starts: datetime | None = None
    ends: datetime | None = None


class Reward(Part):
    id: Slug
    name: str = Field(min_length=1)
    description: str = ""
    texts: dict[str, RewardText] = Field(default_factory=dict)
    """Translations by language code (``pl``, ``en``); ``name``/``description`` are the default."""
    images: list[str] = Field(default_factory=list)
    points: int = Field(ge=0)
    """What it costs."""
    benefit: Benefit
    stock: int | None = Field(default=None, ge=0)
    """Units ever available; none: unlimited."""
    limits: RewardLimits = RewardLimits()
    eligibility: Eligibility = Eligibility()
    available: Availability = Availability()
    valid_days: int | None = Field(default=None, ge=1)
    """How long the coupon it issues stays valid; none: until used."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        bad = [lang for lang in self.texts if not _is_language(lang)]
        if bad:
            raise ValueError(f"texts: not language codes: {bad}")
        if any(not url.strip() for url in self.images):
            raise ValueError("images: an empty address")
        return self


def _is_language(code: str) -> bool:
    return re.fullmatch(LANGUAGE, code) is not None
