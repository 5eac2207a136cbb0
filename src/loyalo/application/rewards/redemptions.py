"""Redeeming a catalogue reward, and cancelling a redemption.

One unit of work, under the member's ledger lock, in a fixed lock order
(member balance → reward stock → the member's limit counter → the total
counter → the wallet): decide, take a unit of stock and the limit slots with
conditional updates, burn the points through the ledger, then give what the
reward gives (a coupon, a donation receipt, or money in the wallet). Any refusal
raises, and the caller's transaction (or savepoint) discards all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from loyalo.application import ledger_ops
from loyalo.application.context import AppContext, new_id
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.application.rewards.catalogue import (
    RewardView,
    buckets_now,
    find_reward,
    member_facts,
    usage_of,
    views,
)
from loyalo.application.rewards.issuing import RewardCoupons, delivery_of, issue_coupon
from loyalo.application.rewards.ports import ALL_MEMBERS
from loyalo.application.tiers import TierService
from loyalo.domain.coupons.benefits import CharityBenefit, WalletCashbackBenefit
from loyalo.domain.errors import (
    CauseNotFound,
    RedemptionNotCancellable,
    RedemptionNotFound,
    RewardNotRedeemable,
)
from loyalo.domain.ledger import movements
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.expiry import lot_expires_at
from loyalo.domain.ledger.journal import EntryKind, Provenance
from loyalo.domain.ledger.stored import ChainHead
from loyalo.domain.money import Money
from loyalo.domain.programme.document.rewards import Reward
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.rewards.eligibility import Buckets, Decision, Reason, Refusal
from loyalo.domain.rewards.redemption import (
    CauseTotal,
    Delivery,
    Donation,
    Redemption,
    RedemptionStatus,
)
from loyalo.domain.wallet import movements as wallet_movements
from loyalo.domain.wallet.entries import WalletEntry, WalletEntryKind

SOURCE_TYPE = "redemption"


@dataclass(frozen=True, slots=True)
class RedeemCommand:
    member: str
    reward_id: str
    channel: str = "app"
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class RedemptionResult:
    redemption: Redemption
    balance: MemberBalance
    donation: Donation | None = None


class RewardService:
    def __init__(self, ctx: AppContext, coupons: RewardCoupons) -> None:
        self._ctx = ctx
        self._coupons = coupons
        self._tiers = TierService(ctx)

    def catalogue(
        self, uow: UnitOfWork, member: str | None, channel: str | None
    ) -> list[RewardView]:
        """Every reward of the programme in force; with a member, what they may redeem."""
        programme = self._ctx.programmes.compiled(uow)
        return self._views(uow, programme, list(programme.document.rewards), member, channel)

    def reward(
        self, uow: UnitOfWork, reward_id: str, member: str | None, channel: str | None
    ) -> RewardView:
        programme = self._ctx.programmes.compiled(uow)
        rewards = [find_reward(programme, reward_id)]
        return self._views(uow, programme, rewards, member, channel)[0]

    def _views(
        self,
        uow: UnitOfWork,
        programme: CompiledProgramme,
        rewards: list[Reward],
        member: str | None,
        channel: str | None,
    ) -> list[RewardView]:
        now = self._ctx.clock.now()
        by_reward = buckets_now(programme, rewards, now)
        if member is None:
            return views(
                programme, rewards, usage_of(uow, rewards, None, by_reward), None, now, channel
            )
        found = resolve(uow, member)
        available = uow.ledger.balance(found.member_id).available
        facts = member_facts(uow, self._tiers, programme, found, available, now)
        usage = usage_of(uow, rewards, found.member_id, by_reward)
        return views(programme, rewards, usage, facts, now, channel)

    def redeem(self, uow: UnitOfWork, command: RedeemCommand) -> RedemptionResult:
        programme = self._ctx.programmes.compiled(uow)
        reward = find_reward(programme, command.reward_id)
        member = resolve(uow, command.member)
        now = self._ctx.clock.now()
        head = uow.ledger.lock(member.member_id)  # serialises this member's writes
        head = ledger_ops.settle_member_timers(uow, head, now)
        by_reward = buckets_now(programme, [reward], now)
        usage = usage_of(uow, [reward], member.member_id, by_reward)
        facts = member_facts(uow, self._tiers, programme, member, head.balance.available, now)
        (view,) = views(programme, [reward], usage, facts, now, command.channel)
        assert view.decision is not None
        _refuse_unless_allowed(reward, view.decision)
        slots = by_reward[reward.id]
        _take_stock_and_slots(uow, reward, member.member_id, slots)
        redemption_id = new_id()
        head, entry_id = self._burn(uow, head, programme, reward, redemption_id, command, now)
        redemption = Redemption(
            redemption_id=redemption_id,
            member_id=member.member_id,
            reward_id=reward.id,
            points=reward.points,
            benefit=reward.benefit.model_dump(mode="json"),
            delivery=delivery_of(reward.benefit),
            programme_version=programme.version,
            channel=command.channel,
            status=RedemptionStatus.ACTIVE,
            created_at=now,
            entry_id=entry_id,
            member_bucket=slots.member,
            total_bucket=slots.total,
            took_stock=reward.stock is not None,
        )
        redemption, donation = self._deliver(uow, programme, reward, redemption, now)
        uow.rewards.add(redemption)
        if donation is not None:
            uow.rewards.add_donation(donation)
        return RedemptionResult(redemption, head.balance, donation)

    def _burn(
        self,
        uow: UnitOfWork,
        head: ChainHead,
        programme: CompiledProgramme,
        reward: Reward,
        redemption_id: str,
        command: RedeemCommand,
        now: datetime,
    ) -> tuple[ChainHead, str | None]:
        if reward.points == 0:
            return head, None
        provenance = Provenance(
            channel=command.channel,
            source_type=SOURCE_TYPE,
            source_id=redemption_id,
            reason=f"reward {reward.id}",
            actor=command.actor,
            programme_version=programme.version,
            extra={"reward_id": reward.id},
        )
        postings = movements.redeem(head.balance, reward.points)
        head, entry_id = ledger_ops.post(
            uow, head, EntryKind.REDEEM, postings, provenance, now, now
        )
        ledger_ops.spend_lots(uow, head.member_id, reward.points)
        return head, entry_id

    def _deliver(
        self,
        uow: UnitOfWork,
        programme: CompiledProgramme,
        reward: Reward,
        redemption: Redemption,
        now: datetime,
    ) -> tuple[Redemption, Donation | None]:
        benefit = reward.benefit
        currency = programme.document.currency
        if isinstance(benefit, CharityBenefit):
            donation = Donation(
                new_id(),
                redemption.redemption_id,
                redemption.member_id,
                benefit.cause,
                Money.parse(benefit.amount, currency).amount_minor,
                currency,
                reward.points,
                now,
            )
            return replace(redemption, donation_id=donation.donation_id), donation
        if isinstance(benefit, WalletCashbackBenefit):
            amount = Money.parse(benefit.amount, currency).amount_minor
            entry_id = _credit_wallet(uow, programme, redemption, amount, now)
            return replace(redemption, wallet_entry_id=entry_id), None
        coupon = issue_coupon(
            self._coupons,
            uow,
            reward,
            redemption.member_id,
            now,
            (SOURCE_TYPE, redemption.redemption_id),
        )
        return (
            replace(
                redemption,
                coupon_id=coupon.coupon_id,
                coupon_code=coupon.code,
                coupon_valid_until=coupon.valid_until,
            ),
            None,
        )

    def cancel(self, uow: UnitOfWork, redemption_id: str, actor: str) -> RedemptionResult:
        """Give the points, the unit of stock and the limit slots back; cancel the coupon."""
        found = uow.rewards.get(redemption_id)
        if found is None:
            raise RedemptionNotFound(f"no redemption {redemption_id}")
        now = self._ctx.clock.now()
        head = uow.ledger.lock(found.member_id)
        redemption = uow.rewards.get(redemption_id)  # read again under the member's lock
        assert redemption is not None
        _refuse_cancel(redemption)
        cancelled = self._coupons.cancel_unused(
            uow, source_type=SOURCE_TYPE, source_id=redemption.redemption_id
        )
        if not cancelled:
            raise RedemptionNotCancellable(
                "its coupon was already used (or cancelled)", redemption_id=redemption_id
            )
        programme = self._ctx.programmes.compiled(uow)
        expires_at = lot_expires_at(programme.document.expiry, now, programme.zone)
        head, entry_id = _refund(uow, head, redemption, actor, now, expires_at)
        if not uow.rewards.cancel(redemption_id, now, entry_id):
            raise RedemptionNotCancellable("the redemption was already cancelled")
        _give_back_stock_and_slots(uow, redemption)
        stored = uow.rewards.get(redemption_id)
        assert stored is not None
        return RedemptionResult(stored, head.balance)

    def get(self, uow: UnitOfWork, redemption_id: str) -> Redemption:
        found = uow.rewards.get(redemption_id)
        if found is None:
            raise RedemptionNotFound(f"no redemption {redemption_id}")
        return found

    def redemptions(
        self, uow: UnitOfWork, member_id: str, limit: int, before: datetime | None
    ) -> list[Redemption]:
        return uow.rewards.of_member(member_id, limit, before)

    def donations(self, uow: UnitOfWork, member_id: str) -> list[Donation]:
        return uow.rewards.donations(member_id)

    def causes(self, uow: UnitOfWork) -> list[CauseTotal]:
        """Every cause the catalogue names or someone gave to, with its totals (one per
        currency, should the programme's currency ever have changed)."""
        programme = self._ctx.programmes.compiled(uow)
        currency = programme.document.currency
        totals = {(t.cause, t.currency): t for t in uow.rewards.cause_totals()}
        for cause in _catalogue_causes(programme):
            totals.setdefault((cause, currency), CauseTotal(cause, currency, 0, 0, 0, 0))
        return [totals[key] for key in sorted(totals)]

    def cause(self, uow: UnitOfWork, cause: str) -> CauseTotal:
        """One cause's totals in the programme's currency."""
        currency = self._ctx.programmes.compiled(uow).document.currency
        for total in self.causes(uow):
            if total.cause == cause and total.currency == currency:
                return total
        raise CauseNotFound(f"no cause {cause}", cause=cause)


def _catalogue_causes(programme: CompiledProgramme) -> set[str]:
    return {
        reward.benefit.cause
        for reward in programme.document.rewards
        if isinstance(reward.benefit, CharityBenefit)
    }


def _refuse_unless_allowed(reward: Reward, decision: Decision) -> None:
    if not decision.allowed:
        _refuse(reward, decision.reasons)


def _refuse(reward: Reward, reasons: tuple[Reason, ...]) -> None:
    raise RewardNotRedeemable(
        f"{reward.id}: " + "; ".join(reason.detail for reason in reasons),
        reward_id=reward.id,
        reasons=[{"reason": r.refusal.value, "detail": r.detail} for r in reasons],
    )


def _take_stock_and_slots(uow: UnitOfWork, reward: Reward, member_id: str, slots: Buckets) -> None:
    """The store's word on stock and limits: conditional updates, whatever was read before."""
    limits, rewards = reward.limits, uow.rewards
    if reward.stock is not None and not rewards.take_stock(reward.id, reward.stock):
        _refuse(reward, (Reason(Refusal.OUT_OF_STOCK, "none left"),))
    mine = limits.per_member
    if (
        mine
        and slots.member
        and not rewards.take_slot(reward.id, member_id, slots.member, mine.times)
    ):
        _refuse(reward, (Reason(Refusal.MEMBER_LIMIT, "the member's limit is reached"),))
    total = limits.total
    if (
        total
        and slots.total
        and not rewards.take_slot(reward.id, ALL_MEMBERS, slots.total, total.times)
    ):
        _refuse(reward, (Reason(Refusal.PERIOD_LIMIT, "this period's allocation is taken"),))


def _give_back_stock_and_slots(uow: UnitOfWork, redemption: Redemption) -> None:
    if redemption.took_stock:
        uow.rewards.give_back_stock(redemption.reward_id)
    if redemption.member_bucket is not None:
        uow.rewards.give_back_slot(
            redemption.reward_id, redemption.member_id, redemption.member_bucket
        )
    if redemption.total_bucket is not None:
        uow.rewards.give_back_slot(redemption.reward_id, ALL_MEMBERS, redemption.total_bucket)


def _refuse_cancel(redemption: Redemption) -> None:
    if redemption.status is not RedemptionStatus.ACTIVE:
        raise RedemptionNotCancellable(
            "the redemption was already cancelled", redemption_id=redemption.redemption_id
        )
    if redemption.delivery is not Delivery.COUPON:
        raise RedemptionNotCancellable(
            f"a {redemption.delivery.value} is settled at once and cannot be cancelled",
            redemption_id=redemption.redemption_id,
        )


def _refund(
    uow: UnitOfWork,
    head: ChainHead,
    redemption: Redemption,
    actor: str,
    now: datetime,
    expires_at: datetime | None,
) -> tuple[ChainHead, str | None]:
    """The redemption's points back into the wallet as a new lot, dated now (debt settled
    first): the lots it drew were spent, so the points come back like an issue of today."""
    if redemption.points == 0:
        return head, None
    plan = movements.cancel_redemption(head.balance, redemption.points)
    provenance = Provenance(
        source_type=SOURCE_TYPE,
        source_id=redemption.redemption_id,
        reason="redemption cancelled",
        actor=actor,
        programme_version=redemption.programme_version,
        extra={"reward_id": redemption.reward_id},
    )
    head, entry_id = ledger_ops.post(
        uow, head, EntryKind.REDEEM_CANCEL, plan.postings, provenance, now, now
    )
    if plan.credited:
        uow.ledger.add_lot(
            head.member_id, plan.credited, now, None, redemption.redemption_id, entry_id, expires_at
        )
    return head, entry_id


def _credit_wallet(
    uow: UnitOfWork,
    programme: CompiledProgramme,
    redemption: Redemption,
    amount_minor: int,
    now: datetime,
) -> str:
    """Money into the member's wallet; the member's ledger lock is already held."""
    head = uow.wallets.lock(redemption.member_id, programme.document.currency)
    plan = wallet_movements.credit_cashback(head.balance, amount_minor)
    provenance = Provenance(
        channel=redemption.channel,
        source_type=SOURCE_TYPE,
        source_id=redemption.redemption_id,
        reason=f"reward {redemption.reward_id}",
        programme_version=programme.version,
    )
    entry_id = new_id()
    entry = WalletEntry(WalletEntryKind.CASHBACK, head.currency, plan.postings, provenance, now)
    uow.wallets.append(head, entry_id, entry, now)
    return entry_id
