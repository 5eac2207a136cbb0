"""Initial schema: members, the append-only ledger, purchases, holds, keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 21:26:14.589764
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_api_keys")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=160), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "members",
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("card_number", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column(
            "attributes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_members")),
        sa.UniqueConstraint("card_number", name=op.f("uq_members_card_number")),
        sa.UniqueConstraint("email", name=op.f("uq_members_email")),
        sa.UniqueConstraint("external_id", name=op.f("uq_members_external_id")),
        sa.UniqueConstraint("phone", name=op.f("uq_members_phone")),
    )
    op.create_table(
        "journal_entries",
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("store_id", sa.String(length=64), nullable=True),
        sa.Column("source_type", sa.String(length=32), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("programme_version", sa.Integer(), nullable=True),
        sa.Column("rule_id", sa.String(length=128), nullable=True),
        sa.Column("extra", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.member_id"], name=op.f("fk_journal_entries_member_id_members")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("member_id", "seq", name="uq_journal_entries_member_seq"),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journal_entries_source", ["source_type", "source_id"], unique=False
        )

    op.create_table(
        "member_balances",
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("pending", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.Column("debt", sa.BigInteger(), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "available >= 0", name=op.f("ck_member_balances_available_not_negative")
        ),
        sa.CheckConstraint("debt <= 0", name=op.f("ck_member_balances_debt_not_positive")),
        sa.CheckConstraint("held >= 0", name=op.f("ck_member_balances_held_not_negative")),
        sa.CheckConstraint("pending >= 0", name=op.f("ck_member_balances_pending_not_negative")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.member_id"], name=op.f("fk_member_balances_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_balances")),
    )
    op.create_table(
        "member_tokens",
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.member_id"], name=op.f("fk_member_tokens_member_id_members")
        ),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_member_tokens")),
    )
    with op.batch_alter_table("member_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_tokens_member_id"), ["member_id"], unique=False)

    op.create_table(
        "purchases",
        sa.Column("purchase_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("receipt_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("points_earned", sa.BigInteger(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.member_id"], name=op.f("fk_purchases_member_id_members")
        ),
        sa.PrimaryKeyConstraint("purchase_id", name=op.f("pk_purchases")),
        sa.UniqueConstraint("store_id", "receipt_id", name="uq_purchases_receipt"),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purchases_member_id"), ["member_id"], unique=False)

    op.create_table(
        "reservations",
        sa.Column("hold_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("committed_points", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("store_id", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.CheckConstraint("points > 0", name=op.f("ck_reservations_points_positive")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.member_id"], name=op.f("fk_reservations_member_id_members")
        ),
        sa.PrimaryKeyConstraint("hold_id", name=op.f("pk_reservations")),
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reservations_member_id"), ["member_id"], unique=False)
        batch_op.create_index("ix_reservations_open", ["status", "expires_at"], unique=False)

    op.create_table(
        "lots",
        sa.Column("lot_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("points_original", sa.BigInteger(), nullable=False),
        sa.Column("points_remaining", sa.BigInteger(), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("earned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "points_remaining <= points_original", name=op.f("ck_lots_remaining_within_original")
        ),
        sa.CheckConstraint("points_remaining >= 0", name=op.f("ck_lots_remaining_not_negative")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.entry_id"],
            name=op.f("fk_lots_entry_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.member_id"], name=op.f("fk_lots_member_id_members")
        ),
        sa.PrimaryKeyConstraint("lot_id", name=op.f("pk_lots")),
    )
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lots_member_open", ["member_id", "pending", "earned_at"], unique=False
        )

    op.create_table(
        "postings",
        sa.Column(
            "posting_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.entry_id"],
            name=op.f("fk_postings_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("posting_id", name=op.f("pk_postings")),
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_postings_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_postings_member_id"), ["member_id"], unique=False)

    op.create_table(
        "purchase_lines",
        sa.Column("purchase_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["purchase_id"],
            ["purchases.purchase_id"],
            name=op.f("fk_purchase_lines_purchase_id_purchases"),
        ),
        sa.PrimaryKeyConstraint("purchase_id", "line_no", name=op.f("pk_purchase_lines")),
    )
    op.create_table(
        "purchase_returns",
        sa.Column("return_id", sa.String(length=36), nullable=False),
        sa.Column("purchase_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value_minor", sa.BigInteger(), nullable=False),
        sa.Column("points_taken", sa.BigInteger(), nullable=False),
        sa.Column("debt_points", sa.BigInteger(), nullable=False),
        sa.Column(
            "line_quantities",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("entry_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["purchase_id"],
            ["purchases.purchase_id"],
            name=op.f("fk_purchase_returns_purchase_id_purchases"),
        ),
        sa.PrimaryKeyConstraint("return_id", name=op.f("pk_purchase_returns")),
    )
    with op.batch_alter_table("purchase_returns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_returns_purchase_id"), ["purchase_id"], unique=False
        )

    _protect_ledger()


def downgrade() -> None:
    _unprotect_ledger()
    with op.batch_alter_table("purchase_returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_returns_purchase_id"))

    op.drop_table("purchase_returns")
    op.drop_table("purchase_lines")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postings_member_id"))
        batch_op.drop_index(batch_op.f("ix_postings_entry_id"))

    op.drop_table("postings")
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_index("ix_lots_member_open")

    op.drop_table("lots")
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_open")
        batch_op.drop_index(batch_op.f("ix_reservations_member_id"))

    op.drop_table("reservations")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchases_member_id"))

    op.drop_table("purchases")
    with op.batch_alter_table("member_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_tokens_member_id"))

    op.drop_table("member_tokens")
    op.drop_table("member_balances")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_entries_source")

    op.drop_table("journal_entries")
    op.drop_table("members")
    op.drop_table("idempotency_keys")
    op.drop_table("api_keys")


APPEND_ONLY = ("journal_entries", "postings")


def _protect_ledger() -> None:
    """The store itself refuses to change or delete a ledger row."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION loyalo_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
            END $$ LANGUAGE plpgsql
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION loyalo_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                "BEGIN SELECT RAISE(ABORT, "
                f"'the ledger is append-only: {action} on {table} refused'); END"
            )


def _unprotect_ledger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS loyalo_append_only()")
        return
    for table in APPEND_ONLY:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
