"""The guards: no self-referral, and a cap on rewarded referrals per advocate and period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from loyalo.domain.errors import InvalidIdentifier
from loyalo.domain.members.identifiers import normalize_card, normalize_email, normalize_phone
from loyalo.domain.programme.document.base import Period
from loyalo.domain.programme.document.referrals import ReferralCap


@dataclass(frozen=True, slots=True)
class Identity:
    """The identifiers that make two accounts one person."""

    member_id: str | None  # None: a member not enrolled yet
    email: str | None = None
    phone: str | None = None
    card: str | None = None


def _normalized(value: str | None, normalize: Callable[[str], str]) -> str | None:
    if not value or not value.strip():
        return None
    try:
        return normalize(value.strip())
    except InvalidIdentifier:  # not valid, so never stored: compare it as typed
        return value.strip().lower()


_DOTLESS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox(email: str) -> str:
    """The mailbox an address delivers to: ``Ann.Nowak+shop@gmail.com`` is
    ``annnowak@gmail.com``. Two such addresses are two identifiers but one person."""
    local, _, domain = normalize_email(email).rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _DOTLESS:
        local, domain = local.replace(".", ""), _DOTLESS[domain]
    return f"{local}@{domain}"


def self_referral(advocate: Identity, friend: Identity) -> str | None:
    """Which identifier the friend shares with the advocate (``member``, ``email``,
    ``phone`` or ``card``), or None when they are two people. E-mails compare by
    mailbox, so a +tag or Gmail's dots do not make a second person."""
    if advocate.member_id is not None and advocate.member_id == friend.member_id:
        return "member"
    for field, normalize in (
        ("email", mailbox),
        ("phone", normalize_phone),
        ("card", normalize_card),
    ):
        mine = _normalized(getattr(advocate, field), normalize)
        if mine is not None and mine == _normalized(getattr(friend, field), normalize):
            return field
    return None


def period_start(per: Period, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The start of the cap's period containing ``now``, in the programme's time zone
    (None for ``ever``: every rewarded referral counts)."""
    local = now.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    match per:
        case Period.DAY:
            start = midnight
        case Period.WEEK:
            start = midnight - timedelta(days=local.weekday())
        case Period.MONTH:
            start = midnight.replace(day=1)
        case Period.QUARTER:
            start = midnight.replace(month=(local.month - 1) // 3 * 3 + 1, day=1)
        case Period.YEAR:
            start = midnight.replace(month=1, day=1)
        case Period.EVER:
            return None
    # replace() kept the wall clock; rebuild it so a DST change inside the period is right
    return datetime(start.year, start.month, start.day, tzinfo=zone)


def cap_reached(cap: ReferralCap | None, rewarded_in_period: int) -> bool:
    return cap is not None and rewarded_in_period >= cap.times
