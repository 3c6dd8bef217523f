"""Figures: numbers a source states (ranges, units, periods), their topics, measures and rulings.

Derived tables only, projected from the `topic`, `figure`, `figure-retract` and `figure-rule`
entries; a ledger upgraded from 0004 holds no such entries, so the new tables start empty.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _seq_column() -> sa.Column:
    return sa.Column("seq", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        _seq_column(),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_topic_seq_journal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic")),
        sa.UniqueConstraint("slug", name=op.f("uq_topic_slug")),
    )
    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        _seq_column(),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_measure_seq_journal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
        sa.UniqueConstraint("slug", name=op.f("uq_measure_slug")),
    )
    op.create_table(
        "figure",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _seq_column(),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("subject_kind", sa.String(length=8), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("low", sa.Text(), nullable=False),
        sa.Column("high", sa.Text(), nullable=False),
        sa.Column("approximately", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.String(length=10), nullable=True),
        sa.Column("period_end", sa.String(length=10), nullable=True),
        sa.Column("at", sa.String(length=10), nullable=True),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("via_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("retracted_seq", sa.Integer(), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_figure_seq_journal")),
        sa.ForeignKeyConstraint(["measure_id"], ["measure.id"], name=op.f("fk_figure_measure_id_measure")),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], name=op.f("fk_figure_source_id_source")),
        sa.ForeignKeyConstraint(["via_id"], ["source.id"], name=op.f("fk_figure_via_id_source")),
        sa.ForeignKeyConstraint(["retracted_seq"], ["journal.seq"], name=op.f("fk_figure_retracted_seq_journal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure")),
    )
    with op.batch_alter_table("figure", schema=None) as batch_op:
        batch_op.create_index("ix_figure_subject", ["subject", "measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_figure_source_id"), ["source_id"], unique=False)
    op.create_table(
        "figure_ruling",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _seq_column(),
        sa.Column("figure_id", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_figure_ruling_seq_journal")),
        sa.ForeignKeyConstraint(["figure_id"], ["figure.id"], name=op.f("fk_figure_ruling_figure_id_figure")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_ruling")),
    )
    with op.batch_alter_table("figure_ruling", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_figure_ruling_figure_id"), ["figure_id"], unique=False)


def downgrade() -> None:
    op.drop_table("figure_ruling")
    op.drop_table("figure")
    op.drop_table("measure")
    op.drop_table("topic")
