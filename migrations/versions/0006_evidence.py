"""Evidence: a claim's reporting source (`via`), its further citations, and sources that rely on others.

Derived tables only, projected from `claim`, `import`, `cite`, `source` and `source-relies` entries;
a ledger upgraded from 0005 holds none of the new fields, so `via_id` starts empty, and so do the
new tables.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_claim_via_id_source"), "source", ["via_id"], ["id"])
    op.create_table(
        "citation",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("via_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("retrieved", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_citation_seq_journal")),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_citation_claim_id_claim")),
        sa.ForeignKeyConstraint(["via_id"], ["source.id"], name=op.f("fk_citation_via_id_source")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_citation")),
    )
    with op.batch_alter_table("citation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citation_claim_id"), ["claim_id"], unique=False)
    op.create_table(
        "reliance",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("relies_on_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], name=op.f("fk_reliance_source_id_source")),
        sa.ForeignKeyConstraint(["relies_on_id"], ["source.id"], name=op.f("fk_reliance_relies_on_id_source")),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_reliance_seq_journal")),
        sa.PrimaryKeyConstraint("source_id", "relies_on_id", name=op.f("pk_reliance")),
    )


def downgrade() -> None:
    op.drop_table("reliance")
    op.drop_table("citation")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_claim_via_id_source"), type_="foreignkey")
        batch_op.drop_column("via_id")
