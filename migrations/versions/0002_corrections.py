"""Corrections and identity: retractions, rulings, athlete merges, bibs; an append-only journal.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LIVE = sa.text("retracted_seq IS NULL")
APPEND_ONLY_TABLES = ("journal",)


def _create_append_only_triggers(table: str) -> None:
    """The database itself refuses UPDATE and DELETE on the journal."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )
    else:
        op.execute(
            "CREATE OR REPLACE FUNCTION raceledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION raceledger_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION raceledger_append_only()"
        )


def _drop_append_only_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def upgrade() -> None:
    op.create_table(
        "ruling",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("accepted_claim_id", sa.Integer(), nullable=True),
        sa.Column("athlete_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=3), nullable=True),
        sa.Column("decided_by", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["accepted_claim_id"], ["claim.id"], name=op.f("fk_ruling_accepted_claim_id_claim")),
        sa.ForeignKeyConstraint(["athlete_id"], ["athlete.id"], name=op.f("fk_ruling_athlete_id_athlete")),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], name=op.f("fk_ruling_category_id_category")),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_ruling_seq_journal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ruling")),
    )
    op.create_index(op.f("ix_ruling_category_id"), "ruling", ["category_id"])

    with op.batch_alter_table("athlete") as batch_op:
        batch_op.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_athlete_merged_into_athlete"), "athlete", ["merged_into"], ["id"])

    op.drop_index("ix_claim_placing", "claim")
    op.drop_index("ix_claim_athlete", "claim")
    with op.batch_alter_table("claim") as batch_op:
        batch_op.add_column(sa.Column("bib", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("retracted_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retraction_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_claim_retracted_seq_journal"), "journal", ["retracted_seq"], ["seq"])
    op.create_index("ix_claim_category", "claim", ["category_id"])
    op.create_index("ix_claim_placing", "claim", ["category_id", "position", "athlete_id", "source_id", "time_ms"],
                    sqlite_where=LIVE, postgresql_where=LIVE)
    op.create_index("ix_claim_athlete", "claim",
                    ["category_id", "athlete_id", "position", "status", "time_ms", "net_time_ms"],
                    sqlite_where=LIVE, postgresql_where=LIVE)

    for table in APPEND_ONLY_TABLES:
        _create_append_only_triggers(table)


def downgrade() -> None:
    for table in APPEND_ONLY_TABLES:
        _drop_append_only_triggers(table)
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS raceledger_append_only()")

    op.drop_index("ix_claim_athlete", "claim")
    op.drop_index("ix_claim_placing", "claim")
    op.drop_index("ix_claim_category", "claim")
    with op.batch_alter_table("claim") as batch_op:
        batch_op.drop_constraint(op.f("fk_claim_retracted_seq_journal"), type_="foreignkey")
        batch_op.drop_column("retraction_reason")
        batch_op.drop_column("retracted_seq")
        batch_op.drop_column("bib")
    op.create_index("ix_claim_placing", "claim", ["category_id", "position", "athlete_id", "source_id", "time_ms"])
    op.create_index("ix_claim_athlete", "claim",
                    ["category_id", "athlete_id", "position", "status", "time_ms", "net_time_ms"])

    with op.batch_alter_table("athlete") as batch_op:
        batch_op.drop_constraint(op.f("fk_athlete_merged_into_athlete"), type_="foreignkey")
        batch_op.drop_column("merged_into")

    op.drop_index(op.f("ix_ruling_category_id"), "ruling")
    op.drop_table("ruling")
