"""Codes at the till: checked for a quote or a purchase, used by the purchase, given back.

The purchase path calls these in its own unit of work, under the member's
ledger lock (taken first), so a member's codes are checked and used in one
order. Using a code claims it with a conditional update of the coupon row
(``CouponRepository.claim_use``): a shared code used by two members at once, or
a personal code on two purchases at once, is used once; the other purchase is
refused whole (``CouponNotApplicable``, reason ``used-up``) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from loyalo.application.context import new_id
from loyalo.application.coupons.service import CouponService
from loyalo.application.effects import Effect
from loyalo.application.ports import UnitOfWork
from loyalo.domain.coupons.codes import is_code, normalise_code
from loyalo.domain.coupons.coupon import CouponKind, CouponUse
from loyalo.domain.coupons.validation import (
    TEXTS,
    Checked,
    CouponVerdict,
    Reason,
    check_codes,
)
from loyalo.domain.errors import CouponNotApplicable, InvalidInput
from loyalo.domain.money import Money
from loyalo.domain.programme.document.coupons import MAX_CODES_PER_PURCHASE, CouponPolicy
from loyalo.domain.programme.engine.outcome import Outcome
from loyalo.domain.purchases.purchase import Purchase

MAX_CODES = MAX_CODES_PER_PURCHASE  # the most any programme allows


def normalised(codes: Sequence[str]) -> tuple[str, ...]:
    if len(codes) > MAX_CODES:
        raise InvalidInput(f"at most {MAX_CODES} codes per purchase", field="codes")
    return tuple(normalise_code(code) for code in codes)


def check(
    uow: UnitOfWork, codes: Sequence[str], member_id: str, at: datetime, policy: CouponPolicy
) -> Checked:
    """Each code against its coupon, the member and the time; the basket decides the rest."""
    if not codes:
        return Checked((), ())
    found = uow.coupons.by_codes([code for code in codes if is_code(code)])
    member_uses = {
        coupon.coupon_id: uow.coupons.member_uses(coupon.coupon_id, member_id)
        for coupon in found.values()
        if coupon.kind is CouponKind.SHARED and coupon.per_member_limit is not None
    }
    return check_codes(codes, found, member_id, at, member_uses, policy.max_per_purchase)


def verdicts(codes: Sequence[str], checked: Checked, outcome: Outcome) -> tuple[CouponVerdict, ...]:
    """One verdict per code, in the order sent (a code sent again: its repeat's verdict)."""
    repeats = {v.code: v for v in checked.refused if v.reason is Reason.REPEATED}
    first = {
        v.code: v for v in (*checked.refused, *outcome.coupons) if v.reason is not Reason.REPEATED
    }
    seen: set[str] = set()
    found: list[CouponVerdict] = []
    for code in codes:
        found.append(repeats[code] if code in seen else first[code])
        seen.add(code)
    return tuple(found)


def require_all_apply(found: Sequence[CouponVerdict]) -> None:
    """A purchase sent with a code that does not apply is refused whole, before any write."""
    for verdict in found:
        if not verdict.applies:
            assert verdict.reason is not None
            raise CouponNotApplicable(
                f"coupon {verdict.code}: {verdict.detail}",
                code=verdict.code,
                reason=verdict.reason.value,
            )


def use(
    uow: UnitOfWork,
    outcome: Outcome,
    purchase_id: str,
    member_id: str,
    currency: str,
    now: datetime,
) -> tuple[Effect, ...]:
    """Claim one use of every applied code, in a fixed order (coupon id): all, or a refusal."""
    applied = sorted((v for v in outcome.coupons if v.applies), key=lambda v: v.coupon_id or "")
    effects: list[Effect] = []
    for verdict in applied:
        assert verdict.coupon_id is not None
        if not uow.coupons.claim_use(verdict.coupon_id):  # another purchase took the last use
            raise CouponNotApplicable(
                f"coupon {verdict.code}: {TEXTS[Reason.USED_UP]}",
                code=verdict.code,
                reason=Reason.USED_UP.value,
            )
        coupon = uow.coupons.get(verdict.coupon_id)
        assert coupon is not None
        record = CouponUse(
            new_id(),
            verdict.coupon_id,
            purchase_id,
            member_id,
            verdict.amount_minor,
            now,
            position=verdict.sent_at,
        )
        uow.coupons.add_use(record, single_use=coupon.max_uses == 1)
        money = Money(verdict.amount_minor, currency)
        effects.append(
            Effect(
                "coupon_used",
                0,
                f"coupon {verdict.code}: {money} {currency} off ({verdict.detail})",
                None,
                outcome.version,
                f"coupon:{verdict.code}",
                money,
            )
        )
    return tuple(effects)


def give_back(
    uow: UnitOfWork, coupons: CouponService, purchase_id: str, now: datetime
) -> tuple[Effect, ...]:
    """A fully returned purchase: its codes can be used again, what it issued is cancelled."""
    effects: list[Effect] = []
    for record in uow.coupons.uses_of_purchase(purchase_id):
        if uow.coupons.undo_use(record, now):
            coupon = uow.coupons.get(record.coupon_id)
            code = coupon.code if coupon else record.coupon_id
            text = f"coupon {code} can be used again: the purchase was returned"
            effects.append(Effect("coupon_restored", 0, text, rule_id=f"coupon:{code}"))
    for coupon in coupons.cancel_unused(uow, source_type="purchase", source_id=purchase_id):
        text = f"coupon {coupon.code}, issued by this purchase, was cancelled"
        effects.append(Effect("coupon_cancelled", 0, text, rule_id=f"coupon:{coupon.code}"))
    return tuple(effects)


def fully_returned(
    purchase: Purchase, already: Mapping[int, int], returning: Mapping[int, int]
) -> bool:
    """Every unit of every line is back once this return is recorded."""
    return all(
        already.get(i, 0) + returning.get(i, 0) >= line.quantity
        for i, line in enumerate(purchase.lines)
    )
