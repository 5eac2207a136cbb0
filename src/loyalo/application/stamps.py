"""Stamps given back: what a return takes off the member's cards.

The engine says which lines earned a purchase's stamps (``StampAward.lines``),
and the purchase records them; a return takes back the stamps of the units
returned, off the card, and what the card no longer holds is owed
(docs/PROGRAMME.md, "Stamp cards and returns").
"""

from __future__ import annotations

from datetime import datetime

from loyalo.application.effects import Effect
from loyalo.application.ports import UnitOfWork
from loyalo.domain.programme.engine.outcome import Outcome
from loyalo.domain.purchases.purchase import LineStamps, Purchase
from loyalo.domain.purchases.returns import line_points_to_take_back


def line_stamps(outcome: Outcome) -> tuple[LineStamps, ...]:
    """The stamps each line earned, rule by rule, as the purchase stores them."""
    return tuple(
        LineStamps(index, stamp.rule_id, stamp.card, count)
        for stamp in outcome.stamps
        for index, count in sorted(stamp.lines.items())
    )


def stamps_to_take_back(
    purchase: Purchase, already: dict[int, int], returning: dict[int, int]
) -> dict[str, int]:
    """Stamps per rule that the returned units gave, cumulatively (as points are)."""
    return line_points_to_take_back(
        [(s.line_index, s.rule_id, s.stamps) for s in purchase.line_stamps],
        [line.quantity for line in purchase.lines],
        already,
        returning,
    )


def take_back(
    uow: UnitOfWork, purchase: Purchase, by_rule: dict[str, int], now: datetime
) -> tuple[Effect, ...]:
    """Stamps off each card; what a card no longer holds is owed (docs/PROGRAMME.md)."""
    cards = {s.rule_id: s.card for s in purchase.line_stamps}
    effects: list[Effect] = []
    for rule_id, stamps in sorted(by_rule.items()):
        card = cards[rule_id]
        taken = uow.rules.take_back_stamps(purchase.member_id, card, stamps, now)
        text = f"{stamps} stamps taken back from the {card} card for the returned goods"
        if taken.owed:
            text += (
                f"; {taken.owed} had already completed a card whose reward stays issued: "
                "owed, settled by the next stamps on this card"
            )
        version = purchase.programme_version
        effects.append(Effect("stamps_returned", 0, text, None, version, rule_id))
    return tuple(effects)
