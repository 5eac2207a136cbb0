"""Paid memberships: each member's subscription to a plan, and its append-only history.

``membership_events`` is append-only (triggers refuse UPDATE and DELETE on both
engines, as 0001 does for the points ledger); its ``payment_reference`` is unique,
so one payment is recorded once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from loyalo.adapters.storage.migrations.append_only import protect, unprotect

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
APPEND_ONLY = "membership_events"


def _member() -> sa.Column[str]:
    return sa.Column("member_id", sa.String(36), sa.ForeignKey("members.member_id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "memberships",
        _member(),
        sa.Column("plan_id", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("anchor_on", sa.Date(), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("benefits_until", sa.Date(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "plan_id", name=op.f("pk_memberships")),
        sa.CheckConstraint("periods >= 1", name=op.f("ck_memberships_periods_positive")),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_memberships_period_not_empty")),
    )
    op.create_index(
        "ix_memberships_status_benefits_until", "memberships", ["status", "benefits_until"]
    )
    op.create_table(
        APPEND_ONLY,
        sa.Column(
            "event_no",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(36), nullable=False),
        _member(),
        sa.Column("plan_id", sa.String(80), nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("paid_at", WHEN, nullable=True),
        sa.Column("payment_reference", sa.String(128), nullable=True),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("event_no", name=op.f("pk_membership_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_membership_events_event_id")),
        sa.UniqueConstraint(
            "payment_reference", name=op.f("uq_membership_events_payment_reference")
        ),
    )
    op.create_index(op.f("ix_membership_events_member_id"), APPEND_ONLY, ["member_id"])
    protect(APPEND_ONLY, "the membership history is append-only")


def downgrade() -> None:
    unprotect(APPEND_ONLY)
    op.drop_index(op.f("ix_membership_events_member_id"), table_name=APPEND_ONLY)
    op.drop_table(APPEND_ONLY)
    op.drop_index("ix_memberships_status_benefits_until", table_name="memberships")
    op.drop_table("memberships")
