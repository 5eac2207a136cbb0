"""The money wallet: cashback credited by purchases, taken back by returns, spent at a till.

Every write here runs under the member's ledger lock (``uow.ledger.lock``), taken
before the wallet's own row, so one member's money and points move in one fixed
lock order and in the same transaction as the purchase or return that caused them.

A return takes back wallet cashback line by line, exactly as points are: each
rule's cashback was attributed to the lines it was computed on (in proportion to
their value after discounts), and a line gives back its share in proportion to the
units returned, cumulatively (``line_points_to_take_back``), so a line returned in
parts gives back exactly what it earned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from loyalo.application.context import AppContext, new_id
from loyalo.application.effects import Effect
from loyalo.application.members import resolve
from loyalo.application.outcomes import Source
from loyalo.application.ports import UnitOfWork
from loyalo.domain.ledger.journal import Provenance
from loyalo.domain.money import Money
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.programme.engine.outcome import Outcome
from loyalo.domain.purchases.purchase import Purchase
from loyalo.domain.purchases.returns import line_points_to_take_back
from loyalo.domain.wallet import movements
from loyalo.domain.wallet.entries import (
    WalletBalance,
    WalletEntry,
    WalletEntryKind,
    WalletHead,
    WalletPosting,
)


def credit_cashback(
    uow: UnitOfWork,
    member_id: str,
    programme: CompiledProgramme,
    outcome: Outcome,
    source: Source,
    now: datetime,
) -> tuple[Effect, ...]:
    """One wallet entry per cashback rule, naming the rule and version; remember the lines."""
    if not outcome.cashback:
        return ()
    currency = programme.document.currency
    head = uow.wallets.lock(member_id, currency)
    effects: list[Effect] = []
    lines: list[tuple[int, str, int]] = []
    for cashback in outcome.cashback:
        plan = movements.credit_cashback(head.balance, cashback.amount_minor)
        provenance = Provenance(
            channel=source.channel,
            store_id=source.store_id,
            source_type=source.type,
            source_id=source.id,
            programme_version=programme.version,
            rule_id=cashback.rule_id,
        )
        head, entry_id = _post(
            uow, head, WalletEntryKind.CASHBACK, plan.postings, provenance, source.occurred_at, now
        )
        money = Money(cashback.amount_minor, currency)
        effects.append(
            Effect(
                "cashback_credited",
                0,
                f"{money} {currency} to the wallet: {cashback.description}",
                entry_id,
                programme.version,
                cashback.rule_id,
                money,
            )
        )
        if plan.debt_settled_minor:
            settled = Money(plan.debt_settled_minor, currency)
            effects.append(
                Effect(
                    "wallet_debt_settled",
                    0,
                    f"{settled} {currency} of it settled cashback owed after a return",
                    entry_id,
                    programme.version,
                    cashback.rule_id,
                    settled,
                )
            )
        lines.extend(_lines_of(cashback.rule_id, cashback.amount_minor, cashback.lines))
    uow.wallets.add_purchase_cashback(source.id, lines)
    return tuple(effects)


def _lines_of(
    rule_id: str, amount_minor: int, lines: Mapping[int, int]
) -> list[tuple[int, str, int]]:
    by_line = {index: amount for index, amount in lines.items() if amount}
    rest = amount_minor - sum(by_line.values())
    if rest:  # nothing left to pay on any line: the first line carries it, as for points
        by_line[0] = by_line.get(0, 0) + rest
    return [(index, rule_id, amount) for index, amount in sorted(by_line.items())]


def take_back_cashback(
    uow: UnitOfWork,
    purchase: Purchase,
    already: Mapping[int, int],
    returning: Mapping[int, int],
    return_id: str,
    occurred_at: datetime,
    now: datetime,
) -> tuple[Effect, ...]:
    """The wallet cashback of the returned units, rule by rule; a shortfall becomes a debt."""
    recorded = uow.wallets.purchase_cashback(purchase.purchase_id)
    if not recorded:
        return ()
    quantities = [line.quantity for line in purchase.lines]
    by_rule = line_points_to_take_back(recorded, quantities, already, returning)
    if not by_rule:
        return ()
    head = uow.wallets.lock(purchase.member_id, purchase.currency)
    effects: list[Effect] = []
    for rule_id, amount in sorted(by_rule.items()):
        plan = movements.take_back_cashback(head.balance, amount)
        provenance = Provenance(
            channel=purchase.channel,
            store_id=purchase.store_id,
            source_type="return",
            source_id=return_id,
            programme_version=purchase.programme_version,
            rule_id=rule_id,
            extra={"purchase_id": purchase.purchase_id},
        )
        head, entry_id = _post(
            uow, head, WalletEntryKind.CASHBACK_RETURN, plan.postings, provenance, occurred_at, now
        )
        money = Money(amount, purchase.currency)
        effects.append(
            Effect(
                "cashback_returned",
                0,
                f"{money} {purchase.currency} of {rule_id} cashback taken back from the wallet",
                entry_id,
                purchase.programme_version,
                rule_id,
                money,
            )
        )
        if plan.to_debt_minor:
            owed = Money(plan.to_debt_minor, purchase.currency)
            effects.append(
                Effect(
                    "wallet_debt_recorded",
                    0,
                    f"{owed} {purchase.currency} had already been spent: owed, "
                    "settled from the next cashback",
                    entry_id,
                    purchase.programme_version,
                    rule_id,
                    owed,
                )
            )
    return tuple(effects)


def _post(
    uow: UnitOfWork,
    head: WalletHead,
    kind: WalletEntryKind,
    postings: tuple[WalletPosting, ...],
    provenance: Provenance,
    occurred_at: datetime,
    now: datetime,
) -> tuple[WalletHead, str]:
    entry_id = new_id()
    entry = WalletEntry(kind, head.currency, postings, provenance, occurred_at)
    return uow.wallets.append(head, entry_id, entry, now), entry_id


@dataclass(frozen=True, slots=True)
class WalletSpendCommand:
    member: str
    amount_minor: int
    reference: str
    actor: str | None = None
    channel: str = "pos"


@dataclass(frozen=True, slots=True)
class WalletSpendResult:
    entry_id: str
    member_id: str
    currency: str
    amount_minor: int
    reference: str
    wallet: WalletBalance


class WalletService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def spend(self, uow: UnitOfWork, command: WalletSpendCommand) -> WalletSpendResult:
        """Pay a till from the wallet; refused (``InsufficientWallet``) beyond the balance."""
        member = resolve(uow, command.member)
        currency = self._ctx.terms_in(uow).currency
        now = self._ctx.clock.now()
        uow.ledger.lock(member.member_id)  # the member's lock first, always
        head = uow.wallets.lock(member.member_id, currency)
        postings = movements.spend(head.balance, command.amount_minor, currency)
        provenance = Provenance(
            channel=command.channel,
            source_type="wallet_spend",
            source_id=command.reference,
            actor=command.actor,
        )
        head, entry_id = _post(uow, head, WalletEntryKind.SPEND, postings, provenance, now, now)
        return WalletSpendResult(
            entry_id,
            member.member_id,
            currency,
            command.amount_minor,
            command.reference,
            head.balance,
        )

    def balance(self, uow: UnitOfWork, member_id: str) -> WalletBalance:
        return uow.wallets.balance(member_id)
