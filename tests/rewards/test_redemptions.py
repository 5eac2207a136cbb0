"""Redemptions on both engines: points burned through the ledger, what each reward gives,
every refusal leaving nothing behind, and cancellation giving everything back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from loyalo.adapters.storage.tables import JournalEntryRow
from loyalo.application.audit import verify_ledger
from loyalo.application.purchases import PurchaseCommand
from loyalo.bootstrap.container import Container
from loyalo.domain.coupons.coupon import CouponStatus
from loyalo.domain.errors import (
    RedemptionNotCancellable,
    RewardNotFound,
    RewardNotRedeemable,
)
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from loyalo.domain.rewards.eligibility import Refusal
from loyalo.domain.rewards.redemption import Delivery, RedemptionStatus
from tests.programme.support import buy, enrol, give_back
from tests.rewards.support import apply_catalogue, available, give, redeem
from tests.support.clock import FakeClock


@pytest.fixture
def member(container: Container) -> Member:
    apply_catalogue(container)
    found = enrol(container, first_name="Ola")
    give(container, found, 1000)
    return found


def refusals(error: pytest.ExceptionInfo[RewardNotRedeemable]) -> list[str]:
    return [reason["reason"] for reason in error.value.extensions["reasons"]]


def entries(container: Container, member: Member) -> list[tuple[str, str | None, str | None]]:
    with container.ctx.uow() as uow:
        found = uow.ledger.history(member.member_id, 50, None)
    return [
        (e.entry.kind.value, e.entry.provenance.source_type, e.entry.provenance.source_id)
        for e in found
    ]


def test_a_coupon_reward_burns_its_points_and_issues_its_coupon(
    container: Container, member: Member, clock: FakeClock
) -> None:
    result = redeem(container, member, "coffee")
    redemption = result.redemption
    assert (redemption.points, redemption.delivery, redemption.status) == (
        90,
        Delivery.COUPON,
        RedemptionStatus.ACTIVE,
    )
    assert result.balance.available == 910 == available(container, member)
    assert entries(container, member)[0] == ("redeem", "redemption", redemption.redemption_id)
    with container.ctx.uow() as uow:
        coupon = container.coupons.get(uow, redemption.coupon_code or "")
        stored = container.rewards.get(uow, redemption.redemption_id)
    assert coupon.member_id == member.member_id
    assert coupon.benefit.type == "free_product"
    assert (coupon.source_type, coupon.source_id) == ("redemption", redemption.redemption_id)
    assert coupon.valid_until == clock.now() + timedelta(days=14)
    assert stored == redemption
    assert verify_ledger(container.ctx).ok


def test_a_charity_reward_gives_a_receipt_and_counts_towards_its_cause(
    container: Container, member: Member, clock: FakeClock
) -> None:
    other = enrol(container, first_name="Jan")
    give(container, other, 500)
    first = redeem(container, member, "trees")
    clock.advance(timedelta(minutes=1))
    redeem(container, member, "trees")
    redeem(container, other, "trees")
    assert first.redemption.delivery is Delivery.DONATION
    assert first.donation is not None
    assert first.redemption.coupon_code is None
    with container.ctx.uow() as uow:
        receipts = container.rewards.donations(uow, member.member_id)
        total = container.rewards.cause(uow, "reforestation")
    assert [(d.cause, d.amount_minor, d.points) for d in receipts] == [
        ("reforestation", 1000, 100)
    ] * 2
    assert receipts[0].donation_id == first.donation.donation_id
    assert (total.amount_minor, total.points, total.donations, total.donors) == (3000, 300, 3, 2)
    assert available(container, member) == 800
    assert verify_ledger(container.ctx).ok


def test_a_wallet_cashback_reward_credits_money(container: Container, member: Member) -> None:
    result = redeem(container, member, "cash")
    with container.ctx.uow() as uow:
        wallet = uow.wallets.balance(member.member_id)
    assert (wallet.balance_minor, result.balance.available) == (500, 940)
    assert result.redemption.delivery is Delivery.WALLET
    assert result.redemption.wallet_entry_id is not None
    assert verify_ledger(container.ctx).ok


def test_a_free_reward_writes_no_ledger_entry(container: Container, member: Member) -> None:
    before = entries(container, member)
    result = redeem(container, member, "free-sticker")
    assert result.redemption.entry_id is None
    assert result.redemption.coupon_code
    assert entries(container, member) == before


@pytest.mark.parametrize(
    ("reward", "channel", "expected"),
    [
        ("gala", "app", [Refusal.TIER]),
        ("vip-lounge", "app", [Refusal.FLAG]),
        ("delivery", "pos", [Refusal.CHANNEL]),
        ("winter", "app", [Refusal.NOT_YET_AVAILABLE]),
    ],
)
def test_refusals_change_nothing(
    container: Container, member: Member, reward: str, channel: str, expected: list[Refusal]
) -> None:
    before = entries(container, member)
    with pytest.raises(RewardNotRedeemable) as error:
        redeem(container, member, reward, channel)
    assert refusals(error) == [r.value for r in expected]
    assert entries(container, member) == before
    with container.ctx.uow() as uow:
        assert container.rewards.redemptions(uow, member.member_id, 10, None) == []
        assert container.coupons.of_member(uow, member.member_id) == []


def test_not_enough_points(container: Container) -> None:
    apply_catalogue(container)
    poor = enrol(container, first_name="Ewa")
    give(container, poor, 199)
    with pytest.raises(RewardNotRedeemable) as error:
        redeem(container, poor, "ten-off")
    assert error.value.extensions["reasons"] == [
        {"reason": "not-enough-points", "detail": "costs 200 points, 1 missing"}
    ]
    assert available(container, poor) == 199


def test_a_gold_member_flagged_by_their_tier_may_redeem_the_gold_and_vip_rewards(
    container: Container, member: Member
) -> None:
    buy(container, member, 100_000)  # 1000 points earned: gold, whose benefits flag "vip"
    assert redeem(container, member, "gala").redemption.coupon_code
    assert redeem(container, member, "vip-lounge").redemption.coupon_code


def test_a_member_flag_from_their_attributes(container: Container) -> None:
    apply_catalogue(container)
    flagged = enrol(container, first_name="Iga", attributes={"flags": ["vip"]})
    give(container, flagged, 10)
    assert redeem(container, flagged, "vip-lounge").balance.available == 0


def test_the_window_opens_and_closes_in_the_programme_time_zone(
    container: Container, member: Member, clock: FakeClock
) -> None:
    # 2026-12-01 00:00 in Warsaw is 2026-11-30 23:00 UTC
    clock.advance(datetime(2026, 11, 30, 22, 59, tzinfo=UTC) - clock.now())
    with pytest.raises(RewardNotRedeemable):
        redeem(container, member, "winter")
    clock.advance(timedelta(minutes=1))
    redeem(container, member, "winter")
    clock.advance(datetime(2027, 2, 28, 23, 0, tzinfo=UTC) - clock.now())
    with pytest.raises(RewardNotRedeemable) as error:
        redeem(container, member, "winter")
    assert refusals(error) == ["ended"]


def test_stock_runs_out_and_the_member_limit_holds(container: Container, member: Member) -> None:
    others = [enrol(container, first_name=f"M{i}") for i in range(3)]
    redeem(container, member, "mug")
    with pytest.raises(RewardNotRedeemable) as error:
        redeem(container, member, "mug")
    assert refusals(error) == ["member-limit"]
    for other in others:
        give(container, other, 100)
    redeem(container, others[0], "mug")
    redeem(container, others[1], "mug")
    with pytest.raises(RewardNotRedeemable) as error:
        redeem(container, others[2], "mug")
    assert refusals(error) == ["out-of-stock"]
    assert available(container, others[2]) == 100
    with container.ctx.uow() as uow:
        (view,) = [v for v in container.rewards.catalogue(uow, None, None) if v.reward.id == "mug"]
    assert view.stock_left == 0


def test_a_monthly_limit_opens_again_next_month(
    container: Container, member: Member, clock: FakeClock
) -> None:
    redeem(container, member, "ten-off")
    with pytest.raises(RewardNotRedeemable) as error:
        redeem(container, member, "ten-off")
    assert refusals(error) == ["member-limit"]
    clock.advance(timedelta(days=31))
    redeem(container, member, "ten-off")
    assert available(container, member) == 600


def test_a_weekly_total_is_shared_by_every_member(
    container: Container, member: Member, clock: FakeClock
) -> None:
    golds = []
    for name in ("A", "B", "C"):
        gold = enrol(container, first_name=name)
        buy(container, gold, 100_000)
        golds.append(gold)
    redeem(container, golds[0], "gala")
    redeem(container, golds[1], "gala")
    with pytest.raises(RewardNotRedeemable) as error:
        redeem(container, golds[2], "gala")
    assert refusals(error) == ["period-limit"]
    clock.advance(timedelta(days=7))
    redeem(container, golds[2], "gala")


def test_an_unknown_reward(container: Container, member: Member) -> None:
    with pytest.raises(RewardNotFound):
        redeem(container, member, "nothing")


def test_cancel_gives_back_points_stock_and_the_member_slot(
    container: Container, member: Member
) -> None:
    result = redeem(container, member, "mug")
    with container.ctx.uow() as uow:
        cancelled = container.rewards.cancel(uow, result.redemption.redemption_id, "admin")
        uow.commit()
    assert cancelled.redemption.status is RedemptionStatus.CANCELLED
    assert cancelled.balance.available == 1000 == available(container, member)
    kinds = [kind for kind, _, _ in entries(container, member)]
    assert kinds[:2] == ["redeem_cancel", "redeem"]
    with container.ctx.uow() as uow:
        coupon = container.coupons.get(uow, result.redemption.coupon_code or "")
        (view,) = container.rewards.catalogue(uow, f"id:{member.member_id}", "app")[2:3]
    assert coupon.status is CouponStatus.CANCELLED
    assert view.reward.id == "mug"
    assert view.stock_left == 3
    assert view.decision is not None
    assert view.decision.allowed
    redeem(container, member, "mug")  # the slot and the unit came back
    assert verify_ledger(container.ctx).ok


def test_a_used_coupon_cannot_be_cancelled_nor_a_redemption_twice(
    container: Container, member: Member
) -> None:
    used = redeem(container, member, "coffee").redemption
    kept = redeem(container, member, "ten-off").redemption
    with container.ctx.uow() as uow:
        assert uow.coupons.claim_use(used.coupon_id or "")
        uow.commit()
    with container.ctx.uow() as uow, pytest.raises(RedemptionNotCancellable):
        container.rewards.cancel(uow, used.redemption_id, "admin")
    with container.ctx.uow() as uow:
        container.rewards.cancel(uow, kept.redemption_id, "admin")
        uow.commit()
    with container.ctx.uow() as uow, pytest.raises(RedemptionNotCancellable):
        container.rewards.cancel(uow, kept.redemption_id, "admin")
    assert available(container, member) == 910


@pytest.mark.parametrize("reward", ["trees", "cash"])
def test_a_settled_reward_cannot_be_cancelled(
    container: Container, member: Member, reward: str
) -> None:
    done = redeem(container, member, reward).redemption
    with container.ctx.uow() as uow, pytest.raises(RedemptionNotCancellable):
        container.rewards.cancel(uow, done.redemption_id, "admin")


def test_a_member_with_debt_gets_a_cancelled_redemption_settling_it_first(
    container: Container, member: Member
) -> None:
    """Points given back settle an outstanding debt first, as any credit does."""
    coffee = redeem(container, member, "coffee").redemption
    bought = buy(container, member, 100_00)  # 100 points (no pending days)
    redeem(container, member, "trees")  # spends 100 more
    give(container, member, -(available(container, member)))  # the wallet emptied
    give_back(container, bought.purchase.purchase_id)  # 100 points owed
    with container.ctx.uow() as uow:
        assert uow.ledger.balance(member.member_id).debt == -100
        result = container.rewards.cancel(uow, coffee.redemption_id, "admin")
        uow.commit()
    assert (result.balance.debt, result.balance.available) == (-10, 0)
    assert verify_ledger(container.ctx).ok


def test_redemptions_are_listed_newest_first(
    container: Container, member: Member, clock: FakeClock
) -> None:
    ids = []
    for reward in ("coffee", "trees", "cash"):
        ids.append(redeem(container, member, reward).redemption.redemption_id)
        clock.advance(timedelta(minutes=1))
    with container.ctx.uow() as uow:
        page = container.rewards.redemptions(uow, member.member_id, 2, None)
        rest = container.rewards.redemptions(uow, member.member_id, 2, page[-1].created_at)
    assert [r.redemption_id for r in page + rest] == ids[::-1]


def test_every_redemption_is_one_journal_entry(container: Container, member: Member) -> None:
    for reward in ("coffee", "trees", "cash", "ten-off"):
        redeem(container, member, reward)
    with container.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        redeemed = session.scalar(
            select(func.count())
            .select_from(JournalEntryRow)
            .where(JournalEntryRow.kind == "redeem")
        )
    assert redeemed == 4
    assert available(container, member) == 1000 - 90 - 100 - 60 - 200


def test_a_redeemed_coupon_works_at_the_till_and_then_cannot_be_cancelled(
    container: Container, member: Member
) -> None:
    redemption = redeem(container, member, "ten-off").redemption
    command = PurchaseCommand(
        member=f"id:{member.member_id}",
        store_id="s1",
        receipt_id="R-coupon-1",
        channel="pos",
        occurred_at=container.ctx.clock.now(),
        currency="PLN",
        total_minor=100_00,
        lines=(Line("SKU", 1, 100_00),),
        codes=(redemption.coupon_code or "",),
    )
    with container.ctx.uow() as uow:
        bought = container.purchases.record(uow, command)
        uow.commit()
    assert bought.outcome is not None
    assert bought.outcome.discount_minor == 10_00
    assert available(container, member) == 800 + 90  # points on what was left to pay
    with container.ctx.uow() as uow, pytest.raises(RedemptionNotCancellable):
        container.rewards.cancel(uow, redemption.redemption_id, "admin")
