"""A partner's till runs the programme with the partner's rate and none of its offers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from loyalo.domain.partners.earning import partner_document
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.engine.compiled import compile_programme
from loyalo.domain.programme.engine.facts import PurchaseFacts
from loyalo.domain.programme.engine.purchase import evaluate_purchase
from loyalo.domain.programme.engine.views import MemberView
from loyalo.domain.purchases.basket import Line

PROGRAMME = ProgrammeDocument.model_validate(
    {
        "currency": "PLN",
        "earning": {"points": 1, "exclude_skus": ["TOBACCO"], "rounding": "half_up"},
        "tiers": {
            "levels": [
                {
                    "id": "bronze",
                    "name": "Bronze",
                    "threshold": 0,
                    "benefits": {"discount_percent": 5, "earn_multiplier": 2},
                },
                {"id": "gold", "name": "Gold", "threshold": 1000},
            ]
        },
        "rules": [{"id": "bonus", "name": "+5", "effect": {"type": "points", "points": 5}}],
    }
)


def _points(document: ProgrammeDocument, lines: tuple[Line, ...]) -> tuple[int, int]:
    programme = compile_programme(document, 1)
    tier = document.tiers.levels[0] if document.tiers else None
    facts = PurchaseFacts(
        lines=lines,
        at=datetime(2026, 3, 1, tzinfo=UTC),
        member=MemberView(id="m1", tier=tier.id if tier else None),
        tier=tier,
    )
    outcome = evaluate_purchase(programme, facts, lambda rule, bucket: 0, lambda rule: None)
    return outcome.points, outcome.discount_minor


def test_the_partner_rate_replaces_the_base_rate_and_the_offers() -> None:
    lines = (Line("FUEL", 1, 10_05), Line("TOBACCO", 1, 20_00))

    # the programme's own till: 5% off, 1 point per 1.00 on 9.55 of fuel, x2, +5
    assert _points(PROGRAMME, lines) == (25, 150)
    partner = partner_document(PROGRAMME, "fuelco", Decimal("3.05"))
    assert _points(partner, lines) == (31, 0)  # 3.05 x 10.05 = 30.6525, half up; no tobacco
    assert [rule.id for rule in partner.rules] == ["partner-fuelco"]


def test_the_tiers_still_count_a_partner_sale_without_their_benefits() -> None:
    partner = partner_document(PROGRAMME, "fuelco", Decimal(1))

    assert partner.tiers is not None
    assert PROGRAMME.tiers is not None
    assert [(t.id, t.threshold) for t in partner.tiers.levels] == [
        (t.id, t.threshold) for t in PROGRAMME.tiers.levels
    ]
    assert all(t.benefits.discount_percent is None for t in partner.tiers.levels)
    assert all(t.benefits.earn_multiplier == 1 for t in partner.tiers.levels)


def test_a_zero_rate_earns_nothing() -> None:
    partner = partner_document(PROGRAMME, "fuelco", Decimal(0))

    assert partner.rules == []
    assert _points(partner, (Line("FUEL", 1, 10_00),)) == (0, 0)
