"""The money wallet in SQL: a balance row per member, append-only entries.

As in ``ledger.py``, the write-path statements are built once with bind
parameters and run as Core statements on the transaction's connection. The
wallet row is created the first time it is locked: the caller already holds the
member's ``member_balances`` lock, so no second writer can race the insert.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update

from loyalo.adapters.storage.ledger import provenance_of
from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import (
    MemberWalletRow,
    PurchaseLineCashbackRow,
    WalletEntryRow,
    WalletPostingRow,
)
from loyalo.domain.errors import CurrencyMismatch
from loyalo.domain.ledger.chain import GENESIS_HASH, entry_hash
from loyalo.domain.ledger.stored import provenance_fields
from loyalo.domain.wallet.entries import (
    StoredWalletEntry,
    WalletAccount,
    WalletBalance,
    WalletEntry,
    WalletEntryKind,
    WalletHead,
    WalletPosting,
    wallet_chained_content,
)

_WALLETS = cast(Table, MemberWalletRow.__table__)
_ENTRIES = cast(Table, WalletEntryRow.__table__)
_POSTINGS = cast(Table, WalletPostingRow.__table__)
_LINE_CASHBACK = cast(Table, PurchaseLineCashbackRow.__table__)

_LOCK = (
    select(
        _WALLETS.c.currency,
        _WALLETS.c.balance_minor,
        _WALLETS.c.debt_minor,
        _WALLETS.c.chain_seq,
        _WALLETS.c.chain_hash,
    )
    .where(_WALLETS.c.member_id == bindparam("lock_member_id"))
    .with_for_update()
)
_BALANCE = select(_WALLETS.c.currency, _WALLETS.c.balance_minor, _WALLETS.c.debt_minor).where(
    _WALLETS.c.member_id == bindparam("wallet_member_id")
)
_OPEN = insert(_WALLETS)
# The SET columns come from the parameters; the WHERE names must not be column names.
_ADVANCE = (
    update(_WALLETS)
    .where(_WALLETS.c.member_id == bindparam("head_member_id"))
    .where(_WALLETS.c.chain_seq == bindparam("head_seq"))
)
_INSERT_ENTRY = insert(_ENTRIES)
_INSERT_POSTING = insert(_POSTINGS)
_INSERT_LINE_CASHBACK = insert(_LINE_CASHBACK)
_LINE_CASHBACK_OF = (
    select(_LINE_CASHBACK.c.line_no, _LINE_CASHBACK.c.rule_id, _LINE_CASHBACK.c.amount_minor)
    .where(_LINE_CASHBACK.c.purchase_id == bindparam("cashback_purchase_id"))
    .order_by(_LINE_CASHBACK.c.line_no, _LINE_CASHBACK.c.rule_id)
)
_ENTRIES_AFTER = (
    select(_ENTRIES)
    .where(_ENTRIES.c.member_id == bindparam("entries_member_id"))
    .where(_ENTRIES.c.seq > bindparam("entries_after_seq"))
    .order_by(_ENTRIES.c.seq)
    .limit(500)
)


class WalletForked(RuntimeError):
    """Two writers extended one member's wallet chain: the lock was not held. A bug."""


class SqlWalletRepository(SqlRepository):
    def lock(self, member_id: str, currency: str) -> WalletHead:
        """The member's wallet, locked; opened (empty, in ``currency``) on first use."""
        row = self._db.execute(_LOCK, {"lock_member_id": member_id}).first()
        if row is None:
            self._db.execute(
                _OPEN,
                {
                    "member_id": member_id,
                    "currency": currency,
                    "balance_minor": 0,
                    "debt_minor": 0,
                    "chain_seq": 0,
                    "chain_hash": GENESIS_HASH,
                },
            )
            return WalletHead(member_id, currency, WalletBalance(), 0, GENESIS_HASH)
        if row.currency != currency:
            raise CurrencyMismatch(f"the wallet holds {row.currency}, not {currency}")
        balance = WalletBalance(int(row.balance_minor), int(row.debt_minor))
        return WalletHead(member_id, row.currency, balance, row.chain_seq, row.chain_hash)

    def balance(self, member_id: str) -> WalletBalance:
        return self.stored_balance(member_id) or WalletBalance()

    def stored_balance(self, member_id: str) -> WalletBalance | None:
        """None when the member never had a wallet row (the audit tells the two apart)."""
        row = self._db.execute(_BALANCE, {"wallet_member_id": member_id}).first()
        return WalletBalance(int(row.balance_minor), int(row.debt_minor)) if row else None

    def append(
        self, head: WalletHead, entry_id: str, entry: WalletEntry, at: datetime
    ) -> WalletHead:
        if entry.currency != head.currency:
            raise CurrencyMismatch(f"the wallet holds {head.currency}, not {entry.currency}")
        seq = head.seq + 1
        content = wallet_chained_content(entry_id, head.member_id, seq, entry, at, head.hash)
        digest = entry_hash(content)
        self._db.execute(
            _INSERT_ENTRY,
            {
                "entry_id": entry_id,
                "member_id": head.member_id,
                "seq": seq,
                "kind": entry.kind.value,
                "currency": entry.currency,
                "occurred_at": entry.occurred_at,
                "recorded_at": at,
                **provenance_fields(entry.provenance),
                "prev_hash": head.hash,
                "hash": digest,
            },
        )
        self._db.execute(
            _INSERT_POSTING,
            [
                {
                    "entry_id": entry_id,
                    "member_id": head.member_id,
                    "account": p.account.value,
                    "amount_minor": p.amount_minor,
                }
                for p in entry.postings
            ],
        )
        balance = head.balance.apply(entry.postings)
        result = self._db.execute(
            _ADVANCE,
            {
                "head_member_id": head.member_id,
                "head_seq": head.seq,
                "balance_minor": balance.balance_minor,
                "debt_minor": balance.debt_minor,
                "chain_seq": seq,
                "chain_hash": digest,
            },
        )
        if result.rowcount != 1:
            raise WalletForked(f"member {head.member_id} wallet moved past seq {head.seq}")
        return WalletHead(head.member_id, head.currency, balance, seq, digest)

    def add_purchase_cashback(
        self, purchase_id: str, lines: Sequence[tuple[int, str, int]]
    ) -> None:
        if lines:
            self._db.execute(
                _INSERT_LINE_CASHBACK,
                [
                    {
                        "purchase_id": purchase_id,
                        "line_no": index,
                        "rule_id": rule_id,
                        "amount_minor": amount,
                    }
                    for index, rule_id, amount in lines
                ],
            )

    def purchase_cashback(self, purchase_id: str) -> list[tuple[int, str, int]]:
        rows = self._db.execute(_LINE_CASHBACK_OF, {"cashback_purchase_id": purchase_id})
        return [(r.line_no, r.rule_id, int(r.amount_minor)) for r in rows]

    def entries(self, member_id: str) -> Iterator[StoredWalletEntry]:
        """Every entry of the member's wallet, oldest first, in batches."""
        last_seq = 0
        while True:
            rows = list(
                self._db.execute(
                    _ENTRIES_AFTER, {"entries_member_id": member_id, "entries_after_seq": last_seq}
                )
            )
            yield from self._with_postings(rows)
            if len(rows) < 500:
                return
            last_seq = rows[-1].seq

    def _with_postings(self, rows: Sequence[Any]) -> list[StoredWalletEntry]:
        if not rows:
            return []
        postings: dict[str, list[WalletPosting]] = {row.entry_id: [] for row in rows}
        for entry_id, account, amount in self._db.execute(
            select(_POSTINGS.c.entry_id, _POSTINGS.c.account, _POSTINGS.c.amount_minor)
            .where(_POSTINGS.c.entry_id.in_(list(postings)))
            .order_by(_POSTINGS.c.posting_id)
        ):
            postings[entry_id].append(WalletPosting(WalletAccount(account), int(amount)))
        return [_stored(row, tuple(postings[row.entry_id])) for row in rows]


def _stored(row: Any, postings: tuple[WalletPosting, ...]) -> StoredWalletEntry:
    provenance = provenance_of(row)
    entry = WalletEntry.restore(
        WalletEntryKind(row.kind), row.currency, postings, provenance, row.occurred_at
    )
    return StoredWalletEntry(
        row.entry_id, row.member_id, row.seq, entry, row.recorded_at, row.prev_hash, row.hash
    )
