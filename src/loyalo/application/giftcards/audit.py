"""``loyalo giftcards verify``: every card's balance must be the sum of its movements."""

from __future__ import annotations

from dataclasses import dataclass, field

from loyalo.application.context import AppContext
from loyalo.domain.giftcards.audit import CardFinding, audit_card


@dataclass(slots=True)
class GiftCardReport:
    cards_checked: int = 0
    findings: list[CardFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify_gift_cards(ctx: AppContext) -> GiftCardReport:
    """Each card under its lock, in its own short transaction: no write lands mid-check."""
    report = GiftCardReport()
    with ctx.uow() as uow:
        codes = list(uow.gift_cards.codes())
    for code in codes:
        with ctx.uow() as uow:
            card = uow.gift_cards.lock(code)
            assert card is not None, "gift cards are never deleted"
            finding = audit_card(card, uow.gift_cards.movements(card.card_id))
        report.cards_checked += 1
        if finding:
            report.findings.append(finding)
    return report
