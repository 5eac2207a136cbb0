"""Balances, history and adjustments over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import Amount, BalanceOut, EffectOut, Strict
from loyalo.application.adjustments import AdjustmentResult
from loyalo.application.wallets import WalletSpendResult
from loyalo.domain.ledger.stored import StoredEntry
from loyalo.domain.money import Money


class BalanceView(BaseModel):
    member_id: str
    balance: BalanceOut
    point_name: str
    currency: str = Field(description="The currency of the money wallet")
    wallet_balance: str = Field(description="Money in the wallet", examples=["7.60"])
    wallet_debt: str = Field(
        description="Cashback owed after returns of spent money (zero or negative)",
        examples=["0.00"],
    )


class WalletSpendIn(Strict):
    amount: Amount = Field(description="Money to pay from the wallet, more than zero")
    reference: str = Field(min_length=1, max_length=128, description="The till's payment id")


class WalletSpendOut(BaseModel):
    entry_id: str
    member_id: str
    amount: str
    reference: str
    currency: str
    wallet_balance: str
    wallet_debt: str

    @classmethod
    def of(cls, result: WalletSpendResult) -> WalletSpendOut:
        return cls(
            entry_id=result.entry_id,
            member_id=result.member_id,
            amount=str(Money(result.amount_minor, result.currency)),
            reference=result.reference,
            currency=result.currency,
            wallet_balance=str(Money(result.wallet.balance_minor, result.currency)),
            wallet_debt=str(Money(result.wallet.debt_minor, result.currency)),
        )


class PostingOut(BaseModel):
    account: str
    points: int


class EntryOut(BaseModel):
    entry_id: str
    seq: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    available_change: int = Field(description="Change of the member's available points")
    postings: list[PostingOut]
    channel: str | None
    store_id: str | None
    source_type: str | None
    source_id: str | None
    reason: str | None
    actor: str | None
    programme_version: int | None
    rule_id: str | None
    extra: dict[str, Any]
    hash: str

    @classmethod
    def of(cls, stored: StoredEntry) -> EntryOut:
        entry, prov = stored.entry, stored.entry.provenance
        return cls(
            entry_id=stored.entry_id,
            seq=stored.seq,
            kind=entry.kind.value,
            occurred_at=entry.occurred_at,
            recorded_at=stored.recorded_at,
            available_change=sum(p.points for p in entry.postings if p.account.value == "wallet"),
            postings=[PostingOut(account=p.account.value, points=p.points) for p in entry.postings],
            channel=prov.channel,
            store_id=prov.store_id,
            source_type=prov.source_type,
            source_id=prov.source_id,
            reason=prov.reason,
            actor=prov.actor,
            programme_version=prov.programme_version,
            rule_id=prov.rule_id,
            extra=prov.extra,
            hash=stored.hash,
        )


class LedgerPage(BaseModel):
    items: list[EntryOut]
    next_before: int | None = Field(description="Pass as `before` for older entries")


class AdjustmentIn(Strict):
    points: int = Field(description="Positive adds points, negative removes them")
    reason: str = Field(min_length=3, max_length=500)


class AdjustmentOut(BaseModel):
    adjustment_id: str
    member_id: str
    balance: BalanceOut
    effects: list[EffectOut]

    @classmethod
    def of(cls, result: AdjustmentResult) -> AdjustmentOut:
        return cls(
            adjustment_id=result.adjustment_id,
            member_id=result.member_id,
            balance=BalanceOut.of(result.balance),
            effects=[EffectOut.of(e) for e in result.effects],
        )
