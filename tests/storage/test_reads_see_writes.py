"""Inside one unit of work, every read sees the writes before it.

Repositories write with Core statements on the transaction's connection; an ORM
identity map would not see those, so what they read back must not come from one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from loyalo.application import ledger_ops
from loyalo.application.members import MemberDraft
from loyalo.bootstrap.container import Container
from loyalo.domain.ledger.journal import EntryKind, Provenance
from loyalo.domain.ledger.lots import draw_oldest_first

EARNED = datetime(2026, 1, 5, tzinfo=UTC)


def test_lots_read_after_a_draw_show_what_is_left(container: Container) -> None:
    with container.ctx.uow() as uow:
        member = container.members.enrol(uow, MemberDraft(email="lots@example.pl"))
        head = uow.ledger.lock(member.member_id)
        for day, points in ((0, 10), (1, 20)):  # the older lot is drawn first
            head, _, _ = ledger_ops.credit(
                uow,
                head,
                points,
                kind=EntryKind.EARN,
                pending_days=0,
                provenance=Provenance(source_type="test"),
                occurred_at=EARNED + timedelta(days=day),
                now=EARNED + timedelta(days=day),
            )
        first = uow.ledger.lots(member.member_id, pending=False)
        uow.ledger.draw(draw_oldest_first(first, 15))
        after = uow.ledger.lots(member.member_id, pending=False)
        uow.ledger.draw(draw_oldest_first(after, 10))
        last = uow.ledger.lots(member.member_id, pending=False)
    assert [lot.points_remaining for lot in first] == [10, 20]
    assert [lot.points_remaining for lot in after] == [15]
    assert [lot.points_remaining for lot in last] == [5]


def test_a_member_read_after_an_update_shows_the_change(container: Container) -> None:
    with container.ctx.uow() as uow:
        member = container.members.enrol(uow, MemberDraft(email="old@example.pl"))
        assert uow.members.get(member.member_id) is not None
        container.members.update(uow, f"id:{member.member_id}", {"email": "new@example.pl"})
        found = uow.members.get(member.member_id)
    assert found is not None
    assert found.email == "new@example.pl"
