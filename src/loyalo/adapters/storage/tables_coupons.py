"""The coupon tables, on the same metadata as ``tables.py`` (migration 0008).

The store refuses what must never happen: ``coupons.uses`` cannot pass
``max_uses`` (a CHECK), a purchase uses a coupon once (unique per purchase), and
a single-use coupon has at most one use that was not undone (a partial unique
index), whatever the application does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.tables import ID, Base

CODE = String(64)


class CouponBatchRow(Base):
    """A batch of codes generated at once: its pattern and the terms every code shares."""

    __tablename__ = "coupon_batches"

    batch_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    pattern: Mapped[str | None] = mapped_column(CODE)
    count: Mapped[int] = mapped_column(Integer)
    benefit: Mapped[dict[str, Any]]
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    max_uses: Mapped[int | None] = mapped_column(Integer)
    per_member_limit: Mapped[int | None] = mapped_column(Integer)
    combinable: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]


class CouponRow(Base):
    __tablename__ = "coupons"
    __table_args__ = (
        CheckConstraint("uses >= 0", name="uses_not_negative"),
        CheckConstraint("max_uses IS NULL OR uses <= max_uses", name="uses_within_max"),
        Index("ix_coupons_member", "member_id", "created_at"),
        Index("ix_coupons_source", "source_type", "source_id"),
        Index("ix_coupons_batch", "batch_id"),
    )

    coupon_id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(CODE, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    benefit: Mapped[dict[str, Any]]
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.member_id"))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    max_uses: Mapped[int | None] = mapped_column(Integer)
    per_member_limit: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    combinable: Mapped[bool] = mapped_column(Boolean)
    cancelled_at: Mapped[datetime | None]
    source_type: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(128))
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("coupon_batches.batch_id"))
    created_at: Mapped[datetime]


class CouponUseRow(Base):
    """One row per use, naming the purchase; a full return marks it undone."""

    __tablename__ = "coupon_uses"
    __table_args__ = (
        Index("uq_coupon_uses_purchase", "coupon_id", "purchase_id", unique=True),
        Index(
            "uq_coupon_uses_single_use",
            "coupon_id",
            unique=True,
            sqlite_where=sql("single_use = 1 AND undone_at IS NULL"),
            postgresql_where=sql("single_use AND undone_at IS NULL"),
        ),
        Index("ix_coupon_uses_member", "coupon_id", "member_id"),
        Index("ix_coupon_uses_purchase_id", "purchase_id"),
    )

    use_id: Mapped[str] = mapped_column(ID, primary_key=True)
    coupon_id: Mapped[str] = mapped_column(ForeignKey("coupons.coupon_id"))
    purchase_id: Mapped[str] = mapped_column(ForeignKey("purchases.purchase_id"))
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    single_use: Mapped[bool] = mapped_column(Boolean)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)
    used_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]
