"""Members: enrol, change, find by any identifier, search."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from loyalo.application.context import AppContext, new_id
from loyalo.application.ports import UnitOfWork
from loyalo.domain.errors import DuplicateIdentifier, MemberNotFound
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.members.cards import new_card_number
from loyalo.domain.members.identifiers import (
    IdentifierKind,
    MemberRef,
    normalize_email,
    normalize_phone,
    parse_member_ref,
)
from loyalo.domain.members.member import Member


@dataclass(frozen=True, slots=True)
class MemberDraft:
    external_id: str | None = None
    phone: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None
    attributes: dict[str, Any] | None = None


def resolve(uow: UnitOfWork, identifier: str) -> Member:
    ref = parse_member_ref(identifier)
    member = uow.members.find(ref)
    if member is None:
        raise MemberNotFound(f"no member with {ref}", identifier=str(ref))
    return member


def _check_unique(uow: UnitOfWork, member_id: str | None, refs: list[MemberRef]) -> None:
    for ref in refs:
        other = uow.members.find(ref)
        if other is not None and other.member_id != member_id:
            raise DuplicateIdentifier(f"{ref} already belongs to another member", field=ref.kind)


def _identifier_refs(draft: MemberDraft) -> list[MemberRef]:
    refs = []
    if draft.external_id:
        refs.append(MemberRef(IdentifierKind.EXTERNAL, draft.external_id))
    if draft.phone:
        refs.append(MemberRef(IdentifierKind.PHONE, draft.phone))
    if draft.email:
        refs.append(MemberRef(IdentifierKind.EMAIL, draft.email))
    return refs


def _normalized(draft: MemberDraft) -> MemberDraft:
    return replace(
        draft,
        phone=normalize_phone(draft.phone) if draft.phone else None,
        email=normalize_email(draft.email) if draft.email else None,
        external_id=draft.external_id.strip() if draft.external_id else None,
    )


class EnrolmentListener(Protocol):
    """Told of every new member inside the enrolment's transaction (the welcome bonus)."""

    def enrolled(self, uow: UnitOfWork, member: Member) -> None: ...


class ReferralListener(Protocol):
    """Asked before a member with a code is enrolled (refuses a self-referral), and told
    of every new member after the enrolment listener, with the code they gave."""

    def check(self, uow: UnitOfWork, draft: MemberDraft, referral_code: str) -> None: ...
    def enrolled(self, uow: UnitOfWork, member: Member, referral_code: str | None) -> None: ...


class MemberService:
    def __init__(
        self,
        ctx: AppContext,
        listener: EnrolmentListener | None = None,
        referrals: ReferralListener | None = None,
    ) -> None:
        self._ctx = ctx
        self._listener = listener
        self._referrals = referrals

    def enrol(
        self, uow: UnitOfWork, draft: MemberDraft, referral_code: str | None = None
    ) -> Member:
        draft = _normalized(draft)
        if self._referrals is not None and referral_code is not None:
            self._referrals.check(uow, draft, referral_code)  # before: the advocate's own e-mail
        _check_unique(uow, None, _identifier_refs(draft))  # is a self-referral, not a duplicate
        now = self._ctx.clock.now()
        card = self._unused_card_number(uow)
        member = Member(
            member_id=new_id(),
            card_number=card,
            created_at=now,
            updated_at=now,
            external_id=draft.external_id,
            phone=draft.phone,
            email=draft.email,
            first_name=draft.first_name,
            last_name=draft.last_name,
            birth_date=draft.birth_date,
            attributes=draft.attributes or {},
        )
        uow.members.add(member)
        uow.ledger.open_accounts(member.member_id)
        # the referral first: it locks the advocate, and every lock on a member comes before
        # any shared row (a campaign budget the welcome bonus may draw on): no lock cycle
        if self._referrals is not None:
            self._referrals.enrolled(uow, member, referral_code)
        if self._listener is not None:
            self._listener.enrolled(uow, member)
        return member

    def _unused_card_number(self, uow: UnitOfWork) -> str:
        while True:  # 11 random digits: a collision is rare, and then we draw again
            card = new_card_number(self._ctx.terms.card_prefix)
            if uow.members.find(MemberRef(IdentifierKind.CARD, card)) is None:
                return card

    def update(self, uow: UnitOfWork, identifier: str, changes: dict[str, Any]) -> Member:
        """Apply only the fields present in ``changes``; None clears a field."""
        member = resolve(uow, identifier)
        draft = _normalized(
            MemberDraft(
                **{f: changes.get(f, getattr(member, f)) for f in MemberDraft.__dataclass_fields__}
            )
        )
        _check_unique(uow, member.member_id, _identifier_refs(draft))
        updated = replace(
            member,
            external_id=draft.external_id,
            phone=draft.phone,
            email=draft.email,
            first_name=draft.first_name,
            last_name=draft.last_name,
            birth_date=draft.birth_date,
            attributes=draft.attributes or {},
            updated_at=self._ctx.clock.now(),
        )
        uow.members.update(updated)
        return updated

    def get(self, uow: UnitOfWork, identifier: str) -> Member:
        return resolve(uow, identifier)

    def search(
        self, uow: UnitOfWork, query: str | None, limit: int, after: str | None
    ) -> list[Member]:
        return uow.members.search(query, limit, after)

    def balance(self, uow: UnitOfWork, member_id: str) -> MemberBalance:
        return uow.ledger.balance(member_id)
