"""Rules engine state: rule usage, budgets, stamp cards, rewards, events, line points.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def _member() -> sa.Column[str]:
    return sa.Column(
        "member_id",
        sa.String(length=36),
        sa.ForeignKey("members.member_id"),
        nullable=False,
    )


def upgrade() -> None:
    with op.batch_alter_table("purchases") as batch:
        batch.add_column(sa.Column("programme_version", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("discount_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("purchase_lines") as batch:
        batch.add_column(sa.Column("labels", JSON, nullable=True))
        batch.add_column(
            sa.Column("delivery", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "purchase_discounts",
        sa.Column(
            "purchase_id", sa.String(36), sa.ForeignKey("purchases.purchase_id"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("purchase_id", "position", name=op.f("pk_purchase_discounts")),
    )
    op.create_table(
        "purchase_line_points",
        sa.Column(
            "purchase_id", sa.String(36), sa.ForeignKey("purchases.purchase_id"), nullable=False
        ),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "purchase_id", "line_no", "rule_id", name=op.f("pk_purchase_line_points")
        ),
    )
    op.create_table(
        "rule_usage",
        _member(),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("bucket", sa.String(200), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "rule_id", "bucket", name=op.f("pk_rule_usage")),
    )
    op.create_table(
        "rule_budgets",
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("points_given", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("rule_id", name=op.f("pk_rule_budgets")),
    )
    op.create_table(
        "stamp_cards",
        _member(),
        sa.Column("card", sa.String(80), nullable=False),
        sa.Column("stamps", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("member_id", "card", name=op.f("pk_stamp_cards")),
    )
    op.create_table(
        "issued_rewards",
        sa.Column("reward_issue_id", sa.String(36), nullable=False),
        _member(),
        sa.Column("reward", sa.String(80), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("issued_at", WHEN, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("reward_issue_id", name=op.f("pk_issued_rewards")),
    )
    op.create_index(op.f("ix_issued_rewards_member_id"), "issued_rewards", ["member_id"])
    op.create_table(
        "member_events",
        sa.Column("event_id", sa.String(36), nullable=False),
        _member(),
        sa.Column("event_key", sa.String(200), nullable=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("attributes", JSON, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("occurred_at", WHEN, nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_member_events")),
        sa.UniqueConstraint("member_id", "event_key", name="uq_member_events_key"),
    )
    op.create_index(op.f("ix_member_events_member_id"), "member_events", ["member_id"])
    op.create_index(op.f("ix_member_events_name"), "member_events", ["name"])
    op.create_index(op.f("ix_member_events_occurred_at"), "member_events", ["occurred_at"])
    op.create_index("ix_purchases_occurred_at", "purchases", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_purchases_occurred_at", "purchases")
    for table in (
        "member_events",
        "issued_rewards",
        "stamp_cards",
        "rule_budgets",
        "rule_usage",
        "purchase_line_points",
        "purchase_discounts",
    ):
        op.drop_table(table)
    with op.batch_alter_table("purchase_lines") as batch:
        batch.drop_column("delivery")
        batch.drop_column("labels")
    with op.batch_alter_table("purchases") as batch:
        batch.drop_column("discount_minor")
        batch.drop_column("programme_version")
