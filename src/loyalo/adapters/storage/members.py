"""Members in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, extract, func, insert, or_, select, update

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import MemberRow
from loyalo.domain.members.identifiers import IdentifierKind, MemberRef
from loyalo.domain.members.member import Member

_COLUMN = {
    IdentifierKind.ID: MemberRow.member_id,
    IdentifierKind.EXTERNAL: MemberRow.external_id,
    IdentifierKind.CARD: MemberRow.card_number,
    IdentifierKind.PHONE: MemberRow.phone,
    IdentifierKind.EMAIL: MemberRow.email,
}


_FIELDS = (
    "member_id",
    "card_number",
    "external_id",
    "phone",
    "email",
    "first_name",
    "last_name",
    "birth_date",
    "attributes",
    "created_at",
    "updated_at",
)


# Built once per identifier kind: every purchase and spend starts by finding the member.
# Plain columns, not ORM objects: a look-up needs no identity map.
_FIND = {
    kind: select(*(getattr(MemberRow, name) for name in _FIELDS)).where(
        column == bindparam("find_value")
    )
    for kind, column in _COLUMN.items()
}


_INSERT = insert(MemberRow)


def _to_member(row: Any) -> Member:
    """From an ORM row or a result row: both carry the member's columns by name."""
    return Member(**{name: getattr(row, name) for name in _FIELDS})


def _values(member: Member) -> dict[str, object]:
    return {name: getattr(member, name) for name in _FIELDS}


class SqlMemberRepository(SqlRepository):
    def add(self, member: Member) -> None:
        self._db.execute(_INSERT, _values(member))

    def update(self, member: Member) -> None:
        values = _values(member)
        values.pop("member_id")
        self._db.execute(
            update(MemberRow).where(MemberRow.member_id == member.member_id).values(**values)
        )

    def get(self, member_id: str) -> Member | None:
        return self.find(MemberRef(IdentifierKind.ID, member_id))

    def find(self, ref: MemberRef) -> Member | None:
        row = self._db.execute(_FIND[ref.kind], {"find_value": ref.value}).first()
        return _to_member(row) if row else None

    def search(self, query: str | None, limit: int, after: str | None) -> list[Member]:
        statement = select(MemberRow).order_by(MemberRow.member_id).limit(limit)
        if after:
            statement = statement.where(MemberRow.member_id > after)
        if query:
            pattern = f"%{query.strip().lower()}%"
            statement = statement.where(
                or_(
                    func.lower(MemberRow.first_name).like(pattern),
                    func.lower(MemberRow.last_name).like(pattern),
                    MemberRow.email.like(pattern),
                    MemberRow.phone.like(pattern),
                    MemberRow.card_number.like(pattern),
                    func.lower(MemberRow.external_id).like(pattern),
                )
            )
        return [_to_member(row) for row in self._session.scalars(statement)]

    def count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(MemberRow)) or 0)

    def born_on(self, month: int, day: int, limit: int) -> list[Member]:
        rows = self._session.scalars(
            select(MemberRow)
            .where(extract("month", MemberRow.birth_date) == month)
            .where(extract("day", MemberRow.birth_date) == day)
            .order_by(MemberRow.member_id)
            .limit(limit)
        )
        return [_to_member(row) for row in rows]
