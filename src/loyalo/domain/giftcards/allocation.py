"""Which gift card pays how much of a basket, and what a return gives back to each.

Gift cards are a tender: they pay what is left after every discount, in the
order the till gives them, each taking ``min(balance, left)`` — or exactly the
amount the till asks of it (what the quote said), refused when the card holds
less. Points are
earned on the goods, so nothing here touches what a purchase earns.

A return gives back to each card its share of the value returned, computed
cumulatively like points (``share_floor`` of what the card paid, by the value
returned so far over the receipt's total): returned in any number of parts, a
receipt gives each card back exactly what it paid, never a minor unit more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from loyalo.domain.errors import GiftCardInsufficientBalance, InvalidInput
from loyalo.domain.giftcards.card import display_code
from loyalo.domain.money import Money
from loyalo.domain.purchases.returns import share_floor


@dataclass(frozen=True, slots=True)
class Claim:
    """A card offered at the till: its balance, and the amount asked of it, if any."""

    code: str
    balance_minor: int
    currency: str
    requested_minor: int | None = None  # None: as much as it can


@dataclass(frozen=True, slots=True)
class Allocation:
    code: str
    balance_before_minor: int
    amount_minor: int  # what the card pays

    @property
    def balance_after_minor(self) -> int:
        return self.balance_before_minor - self.amount_minor


@dataclass(frozen=True, slots=True)
class Tendered:
    allocations: tuple[Allocation, ...]
    left_to_pay_minor: int  # after the gift cards

    @property
    def paid_minor(self) -> int:
        return sum(a.amount_minor for a in self.allocations)


def _amount(claim: Claim, left_minor: int) -> int:
    if claim.requested_minor is None:
        return min(max(claim.balance_minor, 0), left_minor)
    requested = claim.requested_minor
    money = Money(requested, claim.currency)
    if requested <= 0:
        raise InvalidInput("a gift card amount must be positive", field="gift_cards")
    if requested > claim.balance_minor:
        raise GiftCardInsufficientBalance(
            f"gift card {display_code(claim.code)} holds "
            f"{Money(claim.balance_minor, claim.currency)}, {money} was asked",
            code=display_code(claim.code),
            balance=str(Money(claim.balance_minor, claim.currency)),
            requested=str(money),
        )
    if requested > left_minor:
        raise InvalidInput(
            f"gift card {display_code(claim.code)}: {money} asked, "
            f"{Money(left_minor, claim.currency)} is left to pay",
            field="gift_cards",
        )
    return requested


def allocate(claims: Sequence[Claim], to_pay_minor: int) -> Tendered:
    """Each card in the order given pays what was asked of it, else ``min(balance, left)``."""
    if to_pay_minor < 0:
        raise ValueError("nothing can be left to pay below zero")
    codes = [claim.code for claim in claims]
    if len(set(codes)) != len(codes):
        raise InvalidInput("a gift card may be given only once per purchase", field="gift_cards")
    left = to_pay_minor
    allocations: list[Allocation] = []
    for claim in claims:
        amount = _amount(claim, left)
        allocations.append(Allocation(claim.code, claim.balance_minor, amount))
        left -= amount
    return Tendered(tuple(allocations), left)


def refund_share(
    paid_minor: int, total_minor: int, returned_before_minor: int, returning_minor: int
) -> int:
    """What a card that paid ``paid_minor`` of a receipt gets back for this return."""
    after = share_floor(paid_minor, returned_before_minor + returning_minor, total_minor)
    return after - share_floor(paid_minor, returned_before_minor, total_minor)
