"""Batches of codes: personal codes for named members, or N codes drawn from a pattern.

A batch is written in the caller's unit of work, so it is all or nothing: a
failure halfway leaves no code behind. Codes are drawn and inserted in chunks
(``CHUNK``) so memory stays flat and a progress callback can follow 100 000
codes; every chunk is checked against the codes already stored, those of the
earlier chunks included, so no two coupons share a code.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from loyalo.application.context import AppContext, new_id
from loyalo.application.coupons.drawing import check_validity, fresh_codes
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.domain.coupons.benefits import Benefit
from loyalo.domain.coupons.codes import (
    DEFAULT_PERSONAL_PATTERN,
    CodePattern,
    RandomBits,
    parse_pattern,
    require_personal_entropy,
    require_room_for,
)
from loyalo.domain.coupons.coupon import Coupon, CouponBatch, CouponKind, CouponStatus
from loyalo.domain.errors import CouponCodeTaken, InvalidInput

CHUNK = 1000
MAX_CODES = 100_000

Progress = Callable[[int, int], None]  # (codes written so far, codes in the batch)


@dataclass(frozen=True, slots=True)
class BatchRequest:
    name: str
    kind: CouponKind
    benefit: Benefit
    valid_from: datetime
    valid_until: datetime | None = None
    pattern: str | None = None  # personal codes: at least 60 bits; default ####-####-####
    count: int | None = None  # codes drawn from the pattern
    members: tuple[str, ...] = ()  # or: one personal code for each of these members
    max_uses: int | None = None  # a shared code's uses in total (None: no limit)
    per_member_limit: int | None = None  # a shared code's uses per member
    combinable: bool = True


@dataclass(frozen=True, slots=True)
class BatchResult:
    batch: CouponBatch
    coupons: tuple[Coupon, ...]


def _check(request: BatchRequest) -> tuple[CodePattern, int]:
    """The pattern and the number of codes; every refusal before anything is written."""
    if not request.name.strip():
        raise InvalidInput("a batch has a name", field="name")
    check_validity(request.valid_from, request.valid_until)
    if (request.count is None) == (not request.members):
        raise InvalidInput("give either 'count' or 'members'", field="count")
    count = request.count if request.count is not None else len(request.members)
    if not 1 <= count <= MAX_CODES:
        raise InvalidInput(f"a batch has 1 to {MAX_CODES} codes", field="count")
    for field, value in (
        ("max_uses", request.max_uses),
        ("per_member_limit", request.per_member_limit),
    ):
        if value is not None and value < 1:
            raise InvalidInput(f"'{field}' is at least 1", field=field)
    if request.kind is CouponKind.PERSONAL:
        if request.max_uses not in (None, 1) or request.per_member_limit is not None:
            raise InvalidInput(
                "a personal code is used once: no 'max_uses' or 'per_member_limit'",
                field="max_uses",
            )
        pattern = parse_pattern(request.pattern or DEFAULT_PERSONAL_PATTERN)
        require_personal_entropy(pattern)
    else:
        if request.members:
            raise InvalidInput("shared codes are not for named members", field="members")
        if request.pattern is None:
            raise InvalidInput("shared codes need a 'pattern' (or a code)", field="pattern")
        pattern = parse_pattern(request.pattern)
    require_room_for(pattern, count)
    return pattern, count


class CouponBatches:
    def __init__(self, ctx: AppContext, random: RandomBits | None = None) -> None:
        self._ctx = ctx
        self._random: RandomBits = random or secrets.SystemRandom()

    def generate(
        self, uow: UnitOfWork, request: BatchRequest, progress: Progress | None = None
    ) -> BatchResult:
        pattern, count = _check(request)
        member_ids = [resolve(uow, member).member_id for member in request.members]
        now = self._ctx.clock.now()
        batch = CouponBatch(
            batch_id=new_id(),
            name=request.name.strip(),
            kind=request.kind,
            pattern=pattern.text,
            count=count,
            benefit=request.benefit,
            valid_from=request.valid_from,
            valid_until=request.valid_until,
            max_uses=1 if request.kind is CouponKind.PERSONAL else request.max_uses,
            per_member_limit=request.per_member_limit,
            combinable=request.combinable,
            created_at=now,
        )
        if pattern.slots == 0 and uow.coupons.taken([pattern.text]):
            raise CouponCodeTaken(f"the code {pattern.text} is taken", code=pattern.text)
        uow.coupons.add_batch(batch)
        written: list[Coupon] = []
        for start in range(0, count, CHUNK):
            size = min(CHUNK, count - start)
            owners: list[str | None] = [*member_ids[start : start + size]] or [None] * size
            codes = fresh_codes(uow, pattern, size, self._random)
            chunk = _coupons(batch, codes, owners)
            uow.coupons.add(chunk)
            written.extend(chunk)
            if progress is not None:
                progress(len(written), count)
        return BatchResult(batch, tuple(written))


def _coupons(
    batch: CouponBatch, codes: Sequence[str], owners: Sequence[str | None]
) -> list[Coupon]:
    return [
        Coupon(
            coupon_id=new_id(),
            code=code,
            kind=batch.kind,
            benefit=batch.benefit,
            member_id=owner,
            valid_from=batch.valid_from,
            valid_until=batch.valid_until,
            max_uses=batch.max_uses,
            uses=0,
            status=CouponStatus.ACTIVE,
            source_type="batch",
            source_id=batch.batch_id,
            batch_id=batch.batch_id,
            created_at=batch.created_at,
            per_member_limit=batch.per_member_limit,
            combinable=batch.combinable,
        )
        for code, owner in zip(codes, owners, strict=True)
    ]
