"""Referrals: a code per member, a friend enrolled with it, and the points of each step.

Every reward is an ``earn`` entry through the ledger (provenance ``referral``),
pending for the referrals' hold (the longer of the section's ``hold_days`` and the
programme's ``pending_days``): a full return of the first purchase inside it takes
the first-purchase rewards back. Two members are locked, always
the friend first and then the advocate: the advocate enrolled before the friend,
so no chain of referrals can lock two members in the opposite order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from loyalo.application import ledger_ops
from loyalo.application.context import AppContext, new_id
from loyalo.application.effects import Effect
from loyalo.application.members import MemberDraft, resolve
from loyalo.application.ports import UnitOfWork
from loyalo.application.referrals.ports import (
    ReferralReward,
    ReferralTally,
    Settled,
    StoredReferral,
)
from loyalo.domain.errors import SelfReferral, UnknownReferralCode
from loyalo.domain.ledger import movements
from loyalo.domain.ledger.journal import EntryKind, Provenance
from loyalo.domain.ledger.lots import draw_oldest_first
from loyalo.domain.ledger.stored import ChainHead
from loyalo.domain.members.member import Member
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.purchases.purchase import Purchase
from loyalo.domain.referrals.codes import new_referral_code, normalize_referral_code, referral_link
from loyalo.domain.referrals.decisions import (
    Decision,
    ReferralStatus,
    RefusalReason,
    Side,
    Stage,
    at_join,
    at_purchase,
    shown_status,
)
from loyalo.domain.referrals.guards import Identity, period_start, self_referral

SOURCE_TYPE = "referral"


@dataclass(frozen=True, slots=True)
class ReferralSummary:
    member_id: str
    code: str
    link: str | None
    tally: ReferralTally


@dataclass(frozen=True, slots=True)
class Friend:
    referral: StoredReferral
    member: Member
    status: ReferralStatus  # as shown: ``rewarded`` once the points are available
    points: int  # what this referral gave the advocate, net of reversals


class ReferralService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    # -- codes ---------------------------------------------------------------

    def code_for(self, uow: UnitOfWork, member_id: str) -> str:
        """The member's code, created on first use (members enrolled before referrals)."""
        while True:  # 40 random bits: a collision is rare, and then we draw again
            code = uow.referrals.code_of(member_id)
            if code is not None:
                return code
            uow.referrals.add_code(member_id, new_referral_code(), self._ctx.clock.now())

    def advocate_of_code(self, uow: UnitOfWork, raw: str) -> str:
        """The member whose code this is, or ``UnknownReferralCode``."""
        code = normalize_referral_code(raw)
        owner = uow.referrals.owner_of(code) if code else None
        if owner is None:
            raise UnknownReferralCode(f"no member has the referral code {raw!r}", code=raw)
        return owner

    # -- enrolment -----------------------------------------------------------

    def check(self, uow: UnitOfWork, draft: MemberDraft, referral_code: str) -> None:
        """Refuse a self-referral before anything is written (an unknown code is not
        refused: the member is enrolled and the referral recorded as refused)."""
        code = normalize_referral_code(referral_code)
        advocate_id = uow.referrals.owner_of(code) if code else None
        if advocate_id is not None:
            friend = Identity(None, draft.email, draft.phone)
            _refuse_self_referral(resolve(uow, f"id:{advocate_id}"), friend)

    def enrolled(self, uow: UnitOfWork, member: Member, referral_code: str | None) -> None:
        """Every new member gets a code; one who enrolled with a friend's code is referred."""
        self.code_for(uow, member.member_id)
        if referral_code is not None:
            self._join(uow, member, referral_code)

    def _join(self, uow: UnitOfWork, friend: Member, raw: str) -> None:
        programme = self._ctx.programmes.compiled(uow)
        now = self._ctx.clock.now()
        code = normalize_referral_code(raw)
        advocate_id = uow.referrals.owner_of(code) if code else None
        if code is None or advocate_id is None:
            refused = Decision(ReferralStatus.REFUSED, RefusalReason.UNKNOWN_CODE)
            uow.referrals.add(_referral(friend, None, raw[:64], refused, programme, now))
            return
        _refuse_self_referral(resolve(uow, f"id:{advocate_id}"), _identity(friend))
        heads = self._lock(uow, friend.member_id, advocate_id)
        policy = programme.document.referrals
        decision = at_join(policy, self._rewarded_in_period(uow, programme, advocate_id, now))
        referral = _referral(friend, advocate_id, code, decision, programme, now)
        uow.referrals.add(referral)
        self._credit(uow, programme, referral, Stage.JOIN, decision, heads, now)

    # -- purchases and returns -----------------------------------------------

    def members_to_lock(
        self, uow: UnitOfWork, member_id: str, returned_purchase: str | None = None
    ) -> tuple[str, ...]:
        """The advocate a friend's purchase may reward (a pending referral), or the return of
        the qualifying purchase may take points back from: the purchase path locks it right
        after the friend, before any shared row (the friend → advocate order stays)."""
        referral = uow.referrals.of_friend(member_id)
        if referral is None or referral.advocate_id is None:
            return ()
        if returned_purchase is None:
            pending = referral.status is ReferralStatus.PENDING
            return (referral.advocate_id,) if pending else ()
        qualified = referral.status is ReferralStatus.QUALIFIED
        if qualified and referral.purchase_id == returned_purchase:
            return (referral.advocate_id,)
        return ()

    def purchased(self, uow: UnitOfWork, purchase: Purchase) -> tuple[Effect, ...]:
        """A purchase of a friend whose referral is pending may qualify it, exactly once:
        the friend's lock is held, and the status changes only from ``pending``."""
        referral = uow.referrals.of_friend(purchase.member_id)
        if referral is None or referral.status is not ReferralStatus.PENDING:
            return ()
        assert referral.advocate_id is not None  # a pending referral has an advocate
        programme = self._ctx.programmes.compiled(uow)
        policy, exponent = programme.document.referrals, programme.exponent
        cap_aside = at_purchase(
            policy, purchase.total_minor, exponent, already_counted=True, rewarded_in_period=0
        )
        if cap_aside is None:
            return ()  # this purchase cannot qualify: the advocate need not be locked
        now = self._ctx.clock.now()
        heads = self._lock(uow, referral.friend_id, referral.advocate_id)
        counted = referral.rewarded_at is not None
        rewarded = (
            0 if counted else self._rewarded_in_period(uow, programme, referral.advocate_id, now)
        )
        decision = at_purchase(
            policy,
            purchase.total_minor,
            exponent,
            already_counted=counted,
            rewarded_in_period=rewarded,
        )
        assert decision is not None  # it qualified above; the cap refuses, it never skips
        qualified = decision.status is ReferralStatus.QUALIFIED
        settled = Settled(
            decision.status,
            decision.reason,
            now,
            purchase.purchase_id if qualified else None,
            rewarded=decision.counts_against_cap and not counted,
        )
        if not uow.referrals.settle(referral.referral_id, ReferralStatus.PENDING, settled):
            return ()
        effects = self._credit(uow, programme, referral, Stage.FIRST_PURCHASE, decision, heads, now)
        if not qualified:
            effects += (_refused_effect(decision, programme.version),)
        return effects

    def returned(
        self, uow: UnitOfWork, purchase: Purchase, *, fully: bool, return_id: str
    ) -> tuple[Effect, ...]:
        """The qualifying purchase returned in full while its referral points are still
        pending: both sides' first-purchase points are taken back, and the referral is
        reversed. Once the points are available, a return leaves them where they are."""
        referral = uow.referrals.of_friend(purchase.member_id)
        if (
            not fully
            or referral is None
            or referral.status is not ReferralStatus.QUALIFIED
            or referral.purchase_id != purchase.purchase_id
        ):
            return ()
        assert referral.advocate_id is not None
        now = self._ctx.clock.now()
        due = [
            reward
            for reward in uow.referrals.rewards_of_referral(referral.referral_id)
            if reward.stage is Stage.FIRST_PURCHASE
            and reward.reversed_at is None
            and reward.available_at > now
        ]
        if not due:
            return ()
        heads = self._lock(uow, referral.friend_id, referral.advocate_id)
        reversed_ = Settled(ReferralStatus.REVERSED, RefusalReason.RETURNED, now)
        if not uow.referrals.settle(referral.referral_id, ReferralStatus.QUALIFIED, reversed_):
            return ()
        effects: list[Effect] = []
        for reward in due:
            heads[reward.side], effect = self._take_back(
                uow, heads[reward.side], reward, return_id, now
            )
            if reward.side is Side.FRIEND:
                effects.append(effect)
        return tuple(effects)

    def _take_back(
        self,
        uow: UnitOfWork,
        head: ChainHead,
        reward: ReferralReward,
        return_id: str,
        now: datetime,
    ) -> tuple[ChainHead, Effect]:
        own = [
            lot
            for lot in uow.ledger.lots(reward.member_id, pending=True)
            if lot.source_id == reward.reward_id
        ]
        plan = movements.clawback(
            head.balance, reward.points, sum(lot.points_remaining for lot in own)
        )
        head, entry_id = ledger_ops.post(
            uow,
            head,
            EntryKind.RETURN,
            plan.postings,
            Provenance(
                source_type=SOURCE_TYPE,
                source_id=reward.reward_id,
                reason="the friend returned the first purchase in full",
                extra={"referral_id": reward.referral_id, "return_id": return_id},
            ),
            now,
            now,
        )
        uow.ledger.draw(draw_oldest_first(own, plan.from_pending))
        ledger_ops.spend_lots(uow, reward.member_id, plan.from_available)
        uow.referrals.reverse_reward(reward.reward_id, now, entry_id)
        text = f"{reward.points} referral points taken back: the first purchase was returned"
        return head, Effect("points_returned", -reward.points, text, entry_id)

    # -- reads ---------------------------------------------------------------

    def summary(self, uow: UnitOfWork, identifier: str) -> ReferralSummary:
        member = resolve(uow, identifier)
        programme = self._ctx.programmes.compiled(uow)
        now = self._ctx.clock.now()
        code = self.code_for(uow, member.member_id)
        policy = programme.document.referrals
        link = referral_link(policy.link if policy else None, code)
        return ReferralSummary(
            member.member_id, code, link, uow.referrals.tally(member.member_id, now)
        )

    def friends(self, uow: UnitOfWork, identifier: str, limit: int) -> list[Friend]:
        """The advocate's friends, newest first."""
        advocate = resolve(uow, identifier)
        now = self._ctx.clock.now()
        result = []
        for referral in uow.referrals.of_advocate(advocate.member_id, limit):
            rewards = uow.referrals.rewards_of_referral(referral.referral_id)
            points = sum(
                r.points for r in rewards if r.side is Side.ADVOCATE and r.reversed_at is None
            )
            friend = resolve(uow, f"id:{referral.friend_id}")
            result.append(Friend(referral, friend, _shown_of(referral, rewards, now), points))
        return result

    def of_friend(self, uow: UnitOfWork, member_id: str) -> StoredReferral | None:
        return uow.referrals.of_friend(member_id)

    def shown_status(self, uow: UnitOfWork, referral: StoredReferral) -> ReferralStatus:
        """The status as members see it: ``rewarded`` once every point is available."""
        if referral.status is not ReferralStatus.QUALIFIED:
            return referral.status
        rewards = uow.referrals.rewards_of_referral(referral.referral_id)
        return _shown_of(referral, rewards, self._ctx.clock.now())

    # -- shared --------------------------------------------------------------

    def _lock(self, uow: UnitOfWork, friend_id: str, advocate_id: str) -> dict[Side, ChainHead]:
        """Both members locked, friend first (see the module's doc), their timers settled
        as before any write: matured points available, expired holds released."""
        now = self._ctx.clock.now()
        friend = ledger_ops.settle_member_timers(uow, uow.ledger.lock(friend_id), now)
        advocate = ledger_ops.settle_member_timers(uow, uow.ledger.lock(advocate_id), now)
        return {Side.FRIEND: friend, Side.ADVOCATE: advocate}

    def _rewarded_in_period(
        self, uow: UnitOfWork, programme: CompiledProgramme, advocate_id: str, now: datetime
    ) -> int:
        """Called under the advocate's lock, so two friends joining at once count each other."""
        policy = programme.document.referrals
        if policy is None or policy.cap is None:
            return 0
        since = period_start(policy.cap.per, now, programme.zone)
        return uow.referrals.rewarded_since(advocate_id, since)

    def _credit(
        self,
        uow: UnitOfWork,
        programme: CompiledProgramme,
        referral: StoredReferral,
        stage: Stage,
        decision: Decision,
        heads: dict[Side, ChainHead],
        now: datetime,
    ) -> tuple[Effect, ...]:
        """Credit each side's points, pending for the referrals' hold; the friend's effects."""
        policy = programme.document.referrals
        assert policy is not None  # a decision with rewards comes from the section
        hold_days = policy.hold(programme.document.pending_days)
        effects: list[Effect] = []
        for side, points in decision.rewards:
            reward_id = new_id()
            provenance = Provenance(
                source_type=SOURCE_TYPE,
                source_id=reward_id,
                reason=f"referral: the friend's {stage.value.replace('_', ' ')} ({side.value})",
                programme_version=programme.version,
                extra={
                    "referral_id": referral.referral_id,
                    "stage": stage.value,
                    "side": side.value,
                },
            )
            heads[side], entry_id, _ = ledger_ops.credit(
                uow,
                heads[side],
                points,
                kind=EntryKind.EARN,
                pending_days=hold_days,
                provenance=provenance,
                occurred_at=now,
                now=now,
            )
            assert entry_id is not None  # decisions carry no zero rewards
            reward = ReferralReward(
                reward_id,
                referral.referral_id,
                heads[side].member_id,
                stage,
                side,
                points,
                entry_id,
                now,
                now + timedelta(days=hold_days),
            )
            uow.referrals.add_reward(reward)
            if side is Side.FRIEND:
                effects.append(_earned_effect(reward, hold_days, programme.version))
        return tuple(effects)


def _refuse_self_referral(advocate: Member, friend: Identity) -> None:
    matched = self_referral(_identity(advocate), friend)
    if matched is not None:
        raise SelfReferral(
            f"the friend has the advocate's {matched}: a member cannot refer themself",
            matched=matched,
        )


def _identity(member: Member) -> Identity:
    return Identity(member.member_id, member.email, member.phone, member.card_number)


def _referral(
    friend: Member,
    advocate_id: str | None,
    code: str,
    decision: Decision,
    programme: CompiledProgramme,
    now: datetime,
) -> StoredReferral:
    return StoredReferral(
        referral_id=new_id(),
        friend_id=friend.member_id,
        advocate_id=advocate_id,
        code=code,
        status=decision.status,
        reason=decision.reason,
        programme_version=programme.version,
        created_at=now,
        rewarded_at=now if decision.counts_against_cap else None,
        qualified_at=now if decision.status is ReferralStatus.QUALIFIED else None,
    )


def _shown_of(
    referral: StoredReferral, rewards: list[ReferralReward], now: datetime
) -> ReferralStatus:
    standing = [r.available_at for r in rewards if r.reversed_at is None]
    return shown_status(referral.status, standing, now)


def _earned_effect(reward: ReferralReward, hold_days: int, version: int) -> Effect:
    where = f", pending for {hold_days} days" if hold_days else ""
    step = reward.stage.value.replace("_", " ")
    text = f"{reward.points} points for joining through a friend's code ({step}){where}"
    return Effect("points_earned", reward.points, text, reward.entry_id, version, "referral")


def _refused_effect(decision: Decision, version: int) -> Effect:
    text = f"the referral gives no points: {decision.reason}"
    return Effect("not_applied", 0, text, None, version, "referral")
