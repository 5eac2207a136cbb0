"""How each business event moves points between accounts.

Each function takes the member's balance before the event and returns the
postings; none of them can produce a negative member balance, and each result
sums to zero by construction (``JournalEntry`` checks it again).
"""

from __future__ import annotations

from dataclasses import dataclass

from loyalo.domain.errors import CommitExceedsHold, InsufficientPoints
from loyalo.domain.ledger.accounts import AccountKind as A
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.journal import Posting, postings


@dataclass(frozen=True, slots=True)
class Credit:
    """Points credited to the member, split into what settled debt and what is new."""

    postings: tuple[Posting, ...]
    debt_settled: int
    credited: int  # goes into a new lot (pending or available)


@dataclass(frozen=True, slots=True)
class Clawback:
    postings: tuple[Posting, ...]
    from_pending: int
    from_available: int
    to_debt: int


def _credit(balance: MemberBalance, points: int, source: A, pending: bool) -> Credit:
    if points < 0:
        raise ValueError("credit must be non-negative")
    debt_settled = min(points, -balance.debt)
    credited = points - debt_settled
    target = A.PENDING if pending else A.WALLET
    return Credit(
        postings((source, -points), (A.DEBT, debt_settled), (target, credited)),
        debt_settled,
        credited,
    )


def earn(balance: MemberBalance, points: int, *, pending: bool) -> Credit:
    """Points issued for a purchase or an action; an outstanding debt is settled first."""
    return _credit(balance, points, A.ISSUANCE, pending)


def adjust_up(balance: MemberBalance, points: int) -> Credit:
    return _credit(balance, points, A.ADJUSTMENT, pending=False)


def adjust_down(balance: MemberBalance, points: int) -> tuple[Posting, ...]:
    if points > balance.available:
        raise InsufficientPoints(
            f"cannot remove {points} points, {balance.available} available",
            available=balance.available,
            requested=points,
        )
    return postings((A.WALLET, -points), (A.ADJUSTMENT, points))


def clawback(balance: MemberBalance, points: int, pending_from_source: int) -> Clawback:
    """Take back points of a return: the purchase's own pending points first, then
    available points, and whatever the member has already spent becomes a debt."""
    from_pending = min(points, pending_from_source, balance.pending)
    from_available = min(points - from_pending, balance.available)
    to_debt = points - from_pending - from_available
    return Clawback(
        postings(
            (A.ISSUANCE, points),
            (A.PENDING, -from_pending),
            (A.WALLET, -from_available),
            (A.DEBT, -to_debt),
        ),
        from_pending,
        from_available,
        to_debt,
    )


def redeem(balance: MemberBalance, points: int) -> tuple[Posting, ...]:
    """Points exchanged for a catalogue reward: from the wallet to redemption."""
    if points <= 0:
        raise ValueError("a redemption burns a positive number of points")
    if points > balance.available:
        raise InsufficientPoints(
            f"{points} points needed, {balance.available} available",
            available=balance.available,
            requested=points,
        )
    return postings((A.WALLET, -points), (A.REDEMPTION, points))


def cancel_redemption(balance: MemberBalance, points: int) -> Credit:
    """A cancelled redemption's points come back; an outstanding debt is settled first."""
    if points <= 0:
        raise ValueError("a cancelled redemption gives back a positive number of points")
    return _credit(balance, points, A.REDEMPTION, pending=False)


def hold(balance: MemberBalance, points: int) -> tuple[Posting, ...]:
    if points <= 0:
        raise ValueError("a hold must be positive")
    if points > balance.available:
        raise InsufficientPoints(
            f"{points} points requested, {balance.available} available",
            available=balance.available,
            requested=points,
        )
    return postings((A.WALLET, -points), (A.HELD, points))


def commit(held_by_hold: int, points: int) -> tuple[Posting, ...]:
    """Post a hold, fully or partly; what is not posted returns to the wallet."""
    if points < 0:
        raise ValueError("a commit cannot be negative")
    if points > held_by_hold:
        raise CommitExceedsHold(
            f"commit of {points} points exceeds the {held_by_hold} reserved",
            reserved=held_by_hold,
            requested=points,
        )
    return postings(
        (A.HELD, -held_by_hold), (A.REDEMPTION, points), (A.WALLET, held_by_hold - points)
    )


def release(held_by_hold: int) -> tuple[Posting, ...]:
    return postings((A.HELD, -held_by_hold), (A.WALLET, held_by_hold))


def make_available(points: int) -> tuple[Posting, ...]:
    return postings((A.PENDING, -points), (A.WALLET, points))


def expire(balance: MemberBalance, points: int) -> tuple[Posting, ...]:
    """Expired points leave the wallet for breakage; held points wait for their hold."""
    if not 0 < points <= balance.available:
        raise ValueError("expire between 1 point and the available balance")
    return postings((A.WALLET, -points), (A.BREAKAGE, points))
