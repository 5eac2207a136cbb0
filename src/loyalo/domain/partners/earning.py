"""What a partner's sales earn: the partner's own rate, and nothing the programme funds.

A partner pays for every point its sales issue, at one agreed price, so its
sales earn exactly its rate: the programme's base rate, promotions, tier
discounts and multipliers, paid plans' benefits, stamps and cashback are the
programme's own offers and do not apply at a partner's tills (nor do its coupon
codes: ``PartnerTill`` refuses them). The tiers still count a partner sale
(same metric, same thresholds), because the member has one account.
"""

from __future__ import annotations

from decimal import Decimal

from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.effects import PointsPerAmount
from loyalo.domain.programme.document.programme import BaseEarning
from loyalo.domain.programme.document.rules import Rule
from loyalo.domain.programme.document.tiers import Tier, TierBenefits, TierPolicy


def partner_rule_id(partner_id: str) -> str:
    """The rule the ledger names for a partner sale's points."""
    return f"partner-{partner_id}"


def partner_document(
    document: ProgrammeDocument, partner_id: str, points_per_unit: Decimal
) -> ProgrammeDocument:
    """The programme as a partner's till applies it: one rule, the partner's rate."""
    earning = document.earning
    rules = []
    if points_per_unit > 0:
        rules.append(
            Rule(
                id=partner_rule_id(partner_id),
                name=f"Partner {partner_id}: {points_per_unit} points per 1.00",
                exclude_skus=earning.exclude_skus,
                exclude_labels=earning.exclude_labels,
                include_delivery=earning.include_delivery,
                effect=PointsPerAmount(
                    points=points_per_unit, per=Decimal(1), rounding=earning.rounding
                ),
            )
        )
    return document.model_copy(
        update={
            "earning": BaseEarning(points=Decimal(0)),
            "rules": rules,
            "tiers": _without_benefits(document.tiers),
            "memberships": [],
        }
    )


def _without_benefits(tiers: TierPolicy | None) -> TierPolicy | None:
    if tiers is None:
        return None
    levels = [
        Tier(id=tier.id, name=tier.name, threshold=tier.threshold, benefits=TierBenefits())
        for tier in tiers.levels
    ]
    return tiers.model_copy(update={"levels": levels})
