"""Partners in API tests: create one with its key, and read its movements straight from
the ledger tables, without the partners' code, to check its settlement against."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
from sqlalchemy import Engine, select

from loyalo.adapters.storage.tables import JournalEntryRow, PostingRow
from tests.conftest import Api


def partner_body(
    partner_id: str, earn: str = "2", issue: str = "0.05", redeem: str = "0.08"
) -> dict[str, Any]:
    return {
        "partner_id": partner_id,
        "name": f"Partner {partner_id}",
        "currency": "PLN",
        "rates": {
            "earn_points_per_unit": earn,
            "issue_price_per_point": issue,
            "redeem_price_per_point": redeem,
        },
    }


def add_partner(api: Api, partner_id: str, **rates: str) -> httpx.Client:
    """The partner, and a client with its own key."""
    created = api.admin.post("/v1/partners", json=partner_body(partner_id, **rates))
    assert created.status_code == 201, created.text
    key = api.admin.post(f"/v1/partners/{partner_id}/keys", json={"name": f"{partner_id} till"})
    assert key.status_code == 201, key.text
    return httpx.Client(
        base_url=api.base_url,
        headers={"Authorization": f"Bearer {key.json()['key']}"},
        timeout=30,
    )


@dataclass
class LedgerTotals:
    """A partner's points as the journal itself shows them, each with the instant it was
    recorded and the instant whose rates price it."""

    issued: list[tuple[int, datetime, datetime]] = field(default_factory=list)
    taken_back: list[tuple[int, datetime, datetime]] = field(default_factory=list)
    redeemed: list[tuple[int, datetime, datetime]] = field(default_factory=list)

    def points(self, name: str, start: datetime, end: datetime) -> int:
        rows: list[tuple[int, datetime, datetime]] = getattr(self, name)
        return sum(points for points, at, _ in rows if start <= at < end)

    def amount(
        self, name: str, start: datetime, end: datetime, price: Callable[[datetime], Decimal]
    ) -> Decimal:
        rows: list[tuple[int, datetime, datetime]] = getattr(self, name)
        return sum(
            (points * price(priced) for points, at, priced in rows if start <= at < end), Decimal()
        )


def ledger_totals(engine: Engine, partner_id: str) -> LedgerTotals:
    """By provenance alone: the partner's sales are recorded under its store ids, a
    return's entry names the purchase, a commit names the hold its till made."""
    prefix = f"partner:{partner_id}/"
    with engine.connect() as connection:
        entries = connection.execute(select(JournalEntryRow.__table__)).all()
        postings = connection.execute(select(PostingRow.__table__)).all()
    by_entry: dict[str, dict[str, int]] = {}
    for posting in postings:
        accounts = by_entry.setdefault(posting.entry_id, {})
        accounts[posting.account] = accounts.get(posting.account, 0) + posting.points
    sale_at = {
        e.source_id: e.recorded_at
        for e in entries
        if e.kind == "earn" and (e.store_id or "").startswith(prefix)
    }
    holds = {
        e.source_id for e in entries if e.kind == "hold" and (e.store_id or "").startswith(prefix)
    }
    totals = LedgerTotals()
    for e in entries:
        accounts = by_entry[e.entry_id]
        if e.kind == "earn" and e.source_id in sale_at:
            totals.issued.append((-accounts["issuance"], e.recorded_at, e.recorded_at))
        elif e.kind == "return" and (e.store_id or "").startswith(prefix):
            purchase = (e.extra or {})["purchase_id"]
            totals.taken_back.append((accounts["issuance"], e.recorded_at, sale_at[purchase]))
        elif e.kind == "commit" and e.source_id in holds and "redemption" in accounts:
            totals.redeemed.append((accounts["redemption"], e.recorded_at, e.recorded_at))
    return totals


def minor(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
