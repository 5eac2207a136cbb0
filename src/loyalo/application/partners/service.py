"""Partners: their agreements and keys (admin), their transactions and settlement."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from loyalo.application.access import AccessService, IssuedSecret
from loyalo.application.context import AppContext
from loyalo.application.partners.ports import PartnerTransaction
from loyalo.application.partners.till import PartnerTill
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Role
from loyalo.domain.errors import InvalidInput, PartnerNotFound, PartnerRatesConflict
from loyalo.domain.partners.partner import (
    Partner,
    PartnerStatus,
    RateChange,
    Rates,
    change_at,
    check_currency,
    check_partner_id,
)
from loyalo.domain.partners.settlement import Settlement, settle

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class PartnerDraft:
    partner_id: str
    name: str
    currency: str
    rates: Rates


@dataclass(frozen=True, slots=True)
class PartnerChange:
    name: str | None = None
    status: PartnerStatus | None = None
    rates: Rates | None = None
    effective_from: date | None = None  # None: the new rates apply from now


@dataclass(frozen=True, slots=True)
class PartnerView:
    partner: Partner
    in_force: RateChange  # now
    schedule: tuple[RateChange, ...]  # every change, oldest first (future ones included)


class PartnerService:
    def __init__(self, ctx: AppContext, access: AccessService) -> None:
        self._ctx = ctx
        self._access = access
        self.till = PartnerTill(ctx)  # the partner's own tills, with a partner key

    def create(self, uow: UnitOfWork, draft: PartnerDraft) -> PartnerView:
        now = self._ctx.clock.now()
        if not draft.name.strip():
            raise InvalidInput("a partner needs a name", field="name")
        partner = Partner(
            check_partner_id(draft.partner_id),
            draft.name,
            PartnerStatus.ACTIVE,
            check_currency(draft.currency),
            now,
            now,
        )
        uow.partners.add(partner)
        uow.partners.put_rates(partner.partner_id, RateChange(now, draft.rates), now)
        return self._view(uow, partner, now)

    def get(self, uow: UnitOfWork, partner_id: str) -> PartnerView:
        return self._view(uow, self.partner(uow, partner_id), self._ctx.clock.now())

    def all(self, uow: UnitOfWork) -> list[PartnerView]:
        now = self._ctx.clock.now()
        return [self._view(uow, partner, now) for partner in uow.partners.all()]

    def change(self, uow: UnitOfWork, partner_id: str, change: PartnerChange) -> PartnerView:
        partner = self.partner(uow, partner_id)
        now = self._ctx.clock.now()
        if change.effective_from is not None and change.rates is None:
            raise InvalidInput("effective_from dates a change of rates: send rates", field="rates")
        if change.name is not None and not change.name.strip():
            raise InvalidInput("a partner needs a name", field="name")
        if change.rates is not None:
            starts = self._effective_from(uow, change.effective_from, now)
            self._put_rates(uow, partner_id, RateChange(starts, change.rates), now)
        partner = replace(
            partner,
            name=change.name if change.name is not None else partner.name,
            status=change.status or partner.status,
            updated_at=now,
        )
        uow.partners.update(partner)
        return self._view(uow, partner, now)

    def create_key(self, partner_id: str, name: str) -> IssuedSecret:
        with self._ctx.uow() as uow:
            self.partner(uow, partner_id)
        return self._access.create_key(name, Role.PARTNER, partner_id)

    def partner(self, uow: UnitOfWork, partner_id: str) -> Partner:
        partner = uow.partners.get(partner_id)
        if partner is None:
            raise PartnerNotFound(f"no partner {partner_id}", partner_id=partner_id)
        return partner

    def transactions(
        self,
        uow: UnitOfWork,
        partner_id: str,
        first_day: date | None,
        last_day: date | None,
        limit: int,
        after_seq: int | None,
    ) -> list[PartnerTransaction]:
        self.partner(uow, partner_id)
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit is between 1 and {MAX_PAGE}", field="limit")
        start = self._day_start(uow, first_day) if first_day else None
        end = self._day_start(uow, last_day + timedelta(days=1)) if last_day else None
        return uow.partners.transactions(partner_id, start, end, limit, after_seq)

    def settlement(
        self, uow: UnitOfWork, partner_id: str, first_day: date, last_day: date
    ) -> Settlement:
        """Days are the programme's, both included; each movement counts on the day the
        ledger recorded it, so a settled period never changes afterwards."""
        partner = self.partner(uow, partner_id)
        if last_day < first_day:
            raise InvalidInput("'to' is before 'from'", field="to")
        start = self._day_start(uow, first_day)
        end = self._day_start(uow, last_day + timedelta(days=1))
        items = uow.partners.settlement_items(partner_id, start, end)
        schedule = uow.partners.rates(partner_id)
        return settle(partner_id, partner.currency, schedule, items, start, end)

    def settlements(
        self, uow: UnitOfWork, first_day: date, last_day: date, partner_id: str | None = None
    ) -> list[Settlement]:
        ids = [partner_id] if partner_id else [p.partner_id for p in uow.partners.all()]
        return [self.settlement(uow, each, first_day, last_day) for each in ids]

    def _view(self, uow: UnitOfWork, partner: Partner, now: datetime) -> PartnerView:
        schedule = tuple(uow.partners.rates(partner.partner_id))
        return PartnerView(partner, change_at(schedule, now), schedule)

    def _day_start(self, uow: UnitOfWork, day: date) -> datetime:
        return datetime.combine(day, time(0), self._ctx.programmes.compiled(uow).zone)

    def _effective_from(self, uow: UnitOfWork, day: date | None, now: datetime) -> datetime:
        if day is None:
            return now
        starts = self._day_start(uow, day)
        if starts <= now:
            raise InvalidInput(
                "rates change from a future day, or from now (omit effective_from): "
                "the rates that priced past transactions stay as they were",
                field="effective_from",
            )
        return starts

    def _put_rates(
        self, uow: UnitOfWork, partner_id: str, change: RateChange, now: datetime
    ) -> None:
        taken = [
            c for c in uow.partners.rates(partner_id) if c.effective_from == change.effective_from
        ]
        if taken and change.effective_from <= now:
            raise PartnerRatesConflict(
                "rates already changed at this instant and may have priced transactions"
            )
        uow.partners.put_rates(partner_id, change, now)
