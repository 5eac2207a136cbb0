"""A partner merchant and its agreement: what its sales earn, what each side pays.

Prices are money per point in the partner's currency, exact decimals of at most
``PRICE_PLACES`` places (0.045 PLN a point); amounts owed are rounded once per
direction and period (``settlement.py``). Rates change from an instant: each
``RateChange`` is in force from its ``effective_from`` until the next one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from loyalo.domain.errors import InvalidInput
from loyalo.domain.money import currency_exponent

PARTNER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,23}$")
PRICE_PLACES = 6
STORE_PREFIX = "partner:"
STORE_MAX = 64  # the store id column's length


class PartnerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # its keys still read reports; its tills can neither earn nor spend


@dataclass(frozen=True, slots=True)
class Rates:
    earn_points_per_unit: Decimal  # points per 1.00 spent at the partner
    issue_price: Decimal  # what the partner pays the programme per point its sales issue
    redeem_price: Decimal  # what the programme pays the partner per point redeemed at its tills

    def __post_init__(self) -> None:
        for name in ("earn_points_per_unit", "issue_price", "redeem_price"):
            value = getattr(self, name)
            if not value.is_finite() or value < 0:
                raise InvalidInput(f"{name} must be zero or more", field=name)
            if value != value.quantize(Decimal(1).scaleb(-PRICE_PLACES)):
                raise InvalidInput(
                    f"{name} has more than {PRICE_PLACES} decimal places", field=name
                )


@dataclass(frozen=True, slots=True)
class RateChange:
    effective_from: datetime
    rates: Rates


@dataclass(frozen=True, slots=True)
class Partner:
    partner_id: str
    name: str
    status: PartnerStatus
    currency: str  # of its prices and its settlement
    created_at: datetime
    updated_at: datetime

    @property
    def active(self) -> bool:
        return self.status is PartnerStatus.ACTIVE


def check_partner_id(partner_id: str) -> str:
    if not PARTNER_ID.match(partner_id):
        raise InvalidInput(
            "a partner id is 2-24 lower-case letters, digits or hyphens", field="partner_id"
        )
    return partner_id


def check_currency(currency: str) -> str:
    currency_exponent(currency)
    return currency


def change_at(schedule: Sequence[RateChange], at: datetime) -> RateChange:
    """The change in force at ``at``: the last one that took effect by then."""
    found: RateChange | None = None
    for change in schedule:
        if change.effective_from <= at and (
            found is None or change.effective_from > found.effective_from
        ):
            found = change
    if found is None:
        raise InvalidInput(f"no partner rates were in force at {at.isoformat()}")
    return found


def rates_at(schedule: Sequence[RateChange], at: datetime) -> Rates:
    return change_at(schedule, at).rates


def partner_store(partner_id: str, store_id: str) -> str:
    """The store id a partner's sale is recorded under: receipts are unique per
    store, so two partners' tills with the same store id never meet."""
    prefix = f"{STORE_PREFIX}{partner_id}/"
    room = STORE_MAX - len(prefix)
    if not 0 < len(store_id) <= room or "/" in store_id:
        raise InvalidInput(
            f"this partner's store ids have 1 to {room} characters and no '/'", field="store_id"
        )
    return prefix + store_id


def own_store(partner_id: str, stored: str | None) -> str | None:
    """The partner's own store id back from the recorded one."""
    prefix = f"{STORE_PREFIX}{partner_id}/"
    if stored is None or not stored.startswith(prefix):
        return stored
    return stored[len(prefix) :]
