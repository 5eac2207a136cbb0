"""The ``rewards:`` section of the programme document, and the example catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from loyalo.adapters.programme_files import parse_programme
from loyalo.domain.coupons.benefits import (
    CharityBenefit,
    DiscountBenefit,
    EventInvitationBenefit,
    FreeDeliveryBenefit,
    FreeProductBenefit,
    GiftBenefit,
    WalletCashbackBenefit,
)
from loyalo.domain.programme.diff import diff_documents, render
from loyalo.domain.programme.document import ProgrammeDocument

EXAMPLE = Path(__file__).parents[2] / "programmes" / "example.yaml"
TIERS = {"levels": [{"id": "bronze", "name": "Bronze", "threshold": 0}]}


def document(*rewards: dict[str, Any], **fields: Any) -> ProgrammeDocument:
    return ProgrammeDocument.model_validate({"tiers": TIERS, "rewards": list(rewards), **fields})


def mug(**fields: Any) -> dict[str, Any]:
    return {"id": "mug", "name": "Mug", "points": 100, "benefit": {"type": "gift"}, **fields}


def test_the_example_catalogue_has_one_reward_of_each_kind() -> None:
    example = parse_programme(EXAMPLE.read_text(encoding="utf-8"))
    by_id = {reward.id: reward for reward in example.rewards}
    kinds = {reward_id: type(reward.benefit) for reward_id, reward in by_id.items()}
    assert kinds == {
        "ten-percent-off": DiscountBenefit,
        "free-coffee": FreeProductBenefit,
        "free-delivery": FreeDeliveryBenefit,
        "plant-a-tree": CharityBenefit,
        "winter-mug": GiftBenefit,
        "gold-tasting-evening": EventInvitationBenefit,
        "wallet-cashback": WalletCashbackBenefit,
    }
    assert by_id["winter-mug"].stock == 50
    assert by_id["winter-mug"].available.starts is not None
    assert by_id["gold-tasting-evening"].eligibility.tiers == ["gold"]
    assert by_id["ten-percent-off"].texts["pl"].name == "10% rabatu na koszyk"


def test_every_programme_file_stays_valid() -> None:
    for path in sorted(EXAMPLE.parent.glob("*.yaml")):
        parse_programme(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("rewards", "fields", "message"),
    [
        ([mug(), mug()], {}, "reward ids must be unique: mug"),
        ([mug(eligibility={"tiers": ["gold"]})], {}, "names unknown tiers: ['gold']"),
        (
            [mug(available={"starts": "2026-12-01T00:00:00", "ends": "2026-11-01T00:00:00"})],
            {},
            "'ends' must be after 'starts'",
        ),
        (
            [mug(benefit={"type": "charity", "cause": "trees", "amount": "1.005"})],
            {},
            "too many decimals",
        ),
        (
            [mug(benefit={"type": "wallet_cashback", "amount": "0"})],
            {},
            "must be positive",
        ),
        ([mug(texts={"Polish": {"name": "Kubek"}})], {}, "not language codes"),
        ([mug(points=-1)], {}, "greater than or equal to 0"),
        ([mug(stock=-1)], {}, "greater than or equal to 0"),
        (
            [mug(id="cash", benefit={"type": "wallet_cashback", "amount": "5.00"})],
            {
                "rules": [
                    {
                        "id": "r",
                        "name": "r",
                        "trigger": "event",
                        "event": "app_checkin",
                        "effect": {"type": "issue_reward", "reward": "cash"},
                    }
                ]
            },
            "a rule or a prize may issue only rewards that give a coupon",
        ),
        (
            [mug(id="cash", benefit={"type": "wallet_cashback", "amount": "5.00"})],
            {
                "challenges": [
                    {
                        "id": "one-visit",
                        "name": "One visit",
                        "period": "month",
                        "goal": {"type": "purchases", "count": 1},
                        "reward": {"reward": "cash"},
                    }
                ]
            },
            "challenge one-visit issues cash, a donation or wallet money",
        ),
        (
            [mug(id="trees", benefit={"type": "charity", "cause": "trees", "amount": "1.00"})],
            {"streaks": {"milestones": [{"weeks": 4, "reward": "trees"}]}},
            "the 4-week streak milestone issues trees",
        ),
    ],
)
def test_refused(rewards: list[dict[str, Any]], fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        document(*rewards, **fields)


def test_a_rule_may_name_a_catalogue_reward_or_one_the_catalogue_does_not_know() -> None:
    rules = [
        {
            "id": f"r-{name}",
            "name": name,
            "trigger": "event",
            "event": "app_checkin",
            "effect": {"type": "issue_reward", "reward": name},
        }
        for name in ("mug", "not-in-the-catalogue")
    ]
    assert [r.id for r in document(mug(), rules=rules).rules] == ["r-mug", "r-not-in-the-catalogue"]


def test_a_changed_reward_reads_by_its_id_in_a_diff() -> None:
    before = document(mug(), mug(id="cup", name="Cup"))
    after = document(mug(id="cup", name="Cup"), mug(points=150))
    assert render(diff_documents(before, after)) == ["~ rewards[mug].points: 100 -> 150"]
