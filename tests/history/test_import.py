"""`loyalo import purchases` end to end on both engines: points, returns, resume."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from loyalo.adapters.storage.tables import (
    ImportRejectRow,
    NonMemberSaleRow,
    PurchaseRow,
    UnmatchedReturnRow,
)
from loyalo.application.audit import verify_ledger
from loyalo.application.history.importer import ImportProgress
from loyalo.application.jobs import run_due
from loyalo.bootstrap.container import Container
from loyalo.domain.errors import CurrencyMismatch, InvalidHistory
from loyalo.domain.members.identifiers import parse_member_ref
from tests.history.support import HEADER, SHOP, apply_gbp, run_import, write_history
from tests.support.clock import FakeClock


def _balance(container: Container, customer: str) -> tuple[int, int]:
    with container.ctx.uow() as uow:
        member = uow.members.find(parse_member_ref(f"ext:{customer}"))
        assert member is not None
        balance = uow.ledger.balance(member.member_id)
    return balance.available, balance.pending


def _count(container: Container, table: type, *where: object) -> int:
    with container.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def test_history_earns_returns_and_keeps_non_member_sales(
    container: Container, tmp_path: Path
) -> None:
    apply_gbp(container)
    report = run_import(container, write_history(tmp_path / "shop.csv", SHOP))

    counts = report.counts
    assert counts["lines"] == 9
    assert counts["purchases"] == 3
    assert counts["points_earned"] == 15 + 25 + 10
    assert counts["return_receipts"] == 2
    assert counts["returns"] == 3  # C1004 from 1001; C1006 from 1005 and from 1001
    assert counts["points_taken_back"] == 5 + 10 + 5  # 2/6 of 15; all of 10; then 4/6 of 15
    assert counts["returned_units_matched"] == 8
    assert counts["returned_units_unmatched"] == 1  # Z was never bought here
    assert counts["members_enrolled"] == 2
    assert (counts["non_member_receipts"], counts["non_member_lines"]) == (1, 2)
    assert counts.get("rejected_receipts", 0) == 0

    assert _balance(container, "17850") == (5, 0)  # two units of 1001 are left
    assert _balance(container, "13047") == (25, 0)  # 0.001 a unit is 0 pence
    assert _count(container, NonMemberSaleRow) == 2
    assert _count(container, UnmatchedReturnRow, UnmatchedReturnRow.sku == "Z") == 1
    assert _count(container, PurchaseRow) == 3
    with container.ctx.uow() as uow:
        french = uow.members.find(parse_member_ref("ext:13047"))
        assert french is not None
        assert french.attributes == {"country": "France"}
        assert french.created_at.isoformat() == "2010-12-02T10:00:00+00:00"  # first seen
    assert verify_ledger(container.ctx).ok


def test_the_same_file_again_changes_nothing(container: Container, tmp_path: Path) -> None:
    apply_gbp(container)
    path = write_history(tmp_path / "shop.csv", SHOP)
    first = run_import(container, path)
    again = run_import(container, path)
    assert again.already_done
    assert again.run_id == first.run_id
    assert again.counts == first.counts
    assert _count(container, PurchaseRow) == 3
    assert _balance(container, "17850") == (5, 0)


class _Interrupted(Exception):
    pass


def test_an_interrupted_import_resumes_without_double_counting(
    container: Container, tmp_path: Path
) -> None:
    apply_gbp(container)
    path = write_history(tmp_path / "shop.csv", SHOP)
    batches: list[int] = []

    def stop_after_two(progress: ImportProgress) -> None:
        batches.append(progress.receipts)
        if len(batches) == 2:
            raise _Interrupted

    with pytest.raises(_Interrupted):
        run_import(container, path, stop_after_two, batch_size=1)
    assert _count(container, PurchaseRow) == 1  # receipts 1001 and 1002 are in

    report = run_import(container, path, batch_size=1)
    assert report.resumed_at == 2
    assert report.counts["purchases"] == 3
    assert report.counts["points_earned"] == 50
    assert report.counts["points_taken_back"] == 20
    assert report.counts["lines"] == 9
    assert _count(container, PurchaseRow) == 3
    assert _count(container, NonMemberSaleRow) == 2
    assert _balance(container, "17850") == (5, 0)
    assert verify_ledger(container.ctx).ok


def test_a_receipt_is_written_whole_or_refused_whole(container: Container, tmp_path: Path) -> None:
    apply_gbp(container)
    rows = [
        *SHOP[:1],
        ("2001", "A", 1, "2010-12-01 10:00:00", "1.00", "17850.0", "United Kingdom"),
        ("2001", "B", "two", "2010-12-01 10:00:00", "1.00", "17850.0", "United Kingdom"),
        ("2002", "A", 1, "2010-12-01 11:00:00", "1.00", "17850.0", "United Kingdom"),
        ("2002", "B", 1, "2010-12-01 11:00:00", "1.00", "12000.0", "United Kingdom"),
        ("2003", "A", 1, "2010-12-01 12:00:00", "1.00", "17850.0", "United Kingdom"),
        ("2003", "B", -1, "2010-12-01 12:00:00", "1.00", "17850.0", "United Kingdom"),
    ]
    report = run_import(container, write_history(tmp_path / "bad.csv", rows))
    assert report.counts["purchases"] == 1
    assert report.counts["rejected_receipts"] == 3
    assert report.counts["rejected_lines"] == 6
    reasons = {receipt: reason for _, receipt, reason in report.rejects}
    assert reasons["2001"] == "line 3: quantity 'two' is not a number"
    assert reasons["2002"] == "its lines name different members"
    assert reasons["2003"] == "it both sells and returns: a return needs a receipt of its own"
    assert _count(container, ImportRejectRow) == 3
    assert _balance(container, "17850") == (15, 0)
    with container.ctx.uow() as uow:  # nothing of a refused receipt was written
        assert uow.members.find(parse_member_ref("ext:12000")) is None


def test_pending_points_follow_the_history_clock(
    container: Container, clock: FakeClock, tmp_path: Path
) -> None:
    apply_gbp(container, pending_days=14)
    rows = [SHOP[0], ("1010", "A", 4, "2010-12-20 12:00:00", "2.50", "17850.0", "UK")]
    run_import(container, write_history(tmp_path / "pending.csv", rows))
    # 1001's 15 points matured on 15 December, before 1010 was bought; 1010's wait
    assert _balance(container, "17850") == (15, 10)
    clock.advance(timedelta(days=1))
    run_due(container.ctx)  # today is years later: they are due
    assert _balance(container, "17850") == (25, 0)


def test_a_file_in_another_currency_is_refused_before_anything_is_written(
    container: Container, tmp_path: Path
) -> None:
    apply_gbp(container)
    with pytest.raises(CurrencyMismatch, match="runs in GBP"):
        run_import(container, write_history(tmp_path / "shop.csv", SHOP), currency="EUR")
    with container.engine.connect() as connection:
        assert connection.scalar(text("select count(*) from import_runs")) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("date,amount\n2010-12-01,3\n", "matches no known layout"),
    ],
)
def test_unreadable_files_are_refused(
    container: Container, tmp_path: Path, content: str, message: str
) -> None:
    apply_gbp(container)
    path = tmp_path / "odd.csv"
    path.write_text(content)
    with pytest.raises(InvalidHistory, match=message):
        run_import(container, path)


def test_loyalo_layout_with_stores_and_negative_quantities(
    container: Container, tmp_path: Path
) -> None:
    apply_gbp(container)
    path = tmp_path / "own.csv"
    path.write_text(
        "receipt_id,occurred_at,member,sku,quantity,unit_price,store_id\n"
        "R1,2026-01-10T10:00:00+00:00,shop-1,123,2,10.00,waw-01\n"
        "R1,2026-01-10T10:00:00+00:00,shop-1,456,1,5.00,waw-01\n"
        "R2,2026-01-11T10:00:00+00:00,shop-1,123,-1,10.00,waw-01\n"
    )
    report = run_import(container, path)
    assert (report.counts["purchases"], report.counts["points_earned"]) == (1, 25)
    assert report.counts["points_taken_back"] == 10
    assert _balance(container, "shop-1") == (15, 0)
    with container.engine.connect() as connection:
        store = connection.scalar(select(PurchaseRow.store_id))
    assert store == "waw-01"


def test_header_only_is_an_empty_import(container: Container, tmp_path: Path) -> None:
    apply_gbp(container)
    report = run_import(container, write_history(tmp_path / "empty.csv", [], HEADER))
    assert report.counts.get("lines", 0) == 0
    assert not report.already_done


def test_a_refused_receipt_leaves_no_member_and_no_count_behind(
    container: Container, tmp_path: Path
) -> None:
    apply_gbp(container)
    rows = [
        ("3001", "A", 1, "2010-12-01 10:00:00", "1.00", "100.0", "UK"),
        ("3002", "A", 1, "2010-12-01 10:05:00", "1.00", "100.0", "UK"),
        ("3001", "A", 2, "2010-12-01 10:10:00", "1.00", "200.0", "UK"),  # the same receipt again
        ("3003", "A", 3, "2010-12-01 10:15:00", "1.00", "200.0", "UK"),
    ]
    report = run_import(container, write_history(tmp_path / "again.csv", rows), window=0)
    assert report.counts["rejected_receipts"] == 1
    assert "recorded with different content" in report.rejects[0][2]
    assert report.counts["members_enrolled"] == 2  # 200 was enrolled once for good
    assert report.counts["purchases"] == 3
    assert _balance(container, "200") == (3, 0)
    assert verify_ledger(container.ctx).ok


def test_tiers_are_reviewed_on_the_days_of_the_history(
    container: Container, tmp_path: Path
) -> None:
    apply_gbp(
        container,
        tiers={
            "metric": "money_spent",
            "window": "calendar_year",
            "levels": [
                {"id": "classic", "name": "Classic", "threshold": 0},
                {"id": "trade", "name": "Trade", "threshold": 100},
            ],
        },
    )
    rows = [
        ("4001", "A", 1, "2010-12-01 10:00:00", "150.00", "300.0", "UK"),
        ("4002", "A", 1, "2011-01-05 10:00:00", "1.00", "300.0", "UK"),
    ]
    report = run_import(container, write_history(tmp_path / "tiers.csv", rows))
    assert report.counts["tier_downgrades"] == 1
    with container.ctx.uow() as uow:
        member = uow.members.find(parse_member_ref("ext:300"))
        assert member is not None
        history = container.tiers.history(uow, member.member_id)
    changes = [(entry.reason, entry.to_tier, entry.at.date().isoformat()) for entry in history]
    # spent 150.00 in 2010; on 5 January 2011 nothing yet that year: reviewed before the sale
    assert ("downgrade", "classic", "2011-01-05") in changes
    assert changes[-1][:2] == ("downgrade", "classic")
