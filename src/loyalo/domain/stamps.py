"""Stamp cards, pure: stamps in, cards completed, stamps taken back by returns.

A card holds ``stamps`` toward its goal; every ``goal`` stamps complete it, issue
its reward and the rest carry over. A return takes back the stamps its units
gave. What the card still holds comes off it; stamps that had already completed
a card cannot come off it (the reward was issued, and it stays), so they are
**owed**, and the next stamps on that card settle the debt before they count,
just as a return of spent points leaves a points debt. The card never shows
fewer than zero stamps.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StampCard:
    stamps: int = 0  # toward the goal: 0 <= stamps
    owed: int = 0  # taken back by returns after they had completed a card: 0 <= owed
    completed: int = 0  # cards completed so far (each issued a reward)

    def __post_init__(self) -> None:
        assert self.stamps >= 0, self
        assert self.owed >= 0, self
        assert self.completed >= 0, self


@dataclass(frozen=True, slots=True)
class Stamped:
    card: StampCard
    settled: int  # of the stamps given, those that paid off what was owed
    completed: int  # cards this completed: one reward each


@dataclass(frozen=True, slots=True)
class Unstamped:
    card: StampCard
    from_card: int  # taken off the card
    owed: int  # the rest: now owed


def add_stamps(card: StampCard, stamps: int, goal: int) -> Stamped:
    """Stamps settle what is owed first; the rest fill the card, ``goal`` at a time."""
    assert stamps >= 0
    assert goal >= 1
    settled = min(stamps, card.owed)
    completed, left = divmod(card.stamps + stamps - settled, goal)
    after = StampCard(left, card.owed - settled, card.completed + completed)
    return Stamped(after, settled, completed)


def take_back_stamps(card: StampCard, stamps: int) -> Unstamped:
    """A return takes back what the card holds; what it no longer holds is owed."""
    assert stamps >= 0
    from_card = min(stamps, card.stamps)
    owed = stamps - from_card
    after = StampCard(card.stamps - from_card, card.owed + owed, card.completed)
    return Unstamped(after, from_card, owed)
