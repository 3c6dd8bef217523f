"""Race day: start lists (entrants by bib), derived categories, vacated places, and claims by bib.

`entrant` is projected from `entrants` entries; a later start list adds rows, the newest row of a
race's bib is its entrant. `category.derived_from_id` names the category a derived one ranks from;
`ruling.vacate` marks a disqualification that leaves its place empty. `ix_claim_bib` finds a race's
live claims by bib (one runner across sources, bib disputes) without reading its categories whole.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LIVE_BIBS = sa.text("retracted_seq IS NULL AND bib IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "entrant",
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("bib", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("born", sa.SmallInteger(), nullable=True),
        sa.Column("age", sa.SmallInteger(), nullable=True),
        sa.Column("nationality", sa.String(length=3), nullable=True),
        sa.Column("club", sa.String(length=300), nullable=True),
        sa.Column("start_category", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["race_id"], ["race.id"], name=op.f("fk_entrant_race_id_race")),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_entrant_seq_journal")),
        sa.ForeignKeyConstraint(["athlete_id"], ["athlete.id"], name=op.f("fk_entrant_athlete_id_athlete")),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], name=op.f("fk_entrant_source_id_source")),
        sa.PrimaryKeyConstraint("race_id", "bib", "seq", name=op.f("pk_entrant")),
    )
    op.create_index("ix_entrant_athlete", "entrant", ["race_id", "athlete_id"])
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.add_column(sa.Column("derived_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_category_derived_from_id_category"), "category",
                                    ["derived_from_id"], ["id"])
    with op.batch_alter_table("ruling", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vacate", sa.Boolean(), nullable=True))
    op.create_index("ix_claim_bib", "claim", ["category_id", "bib", "athlete_id"],
                    sqlite_where=LIVE_BIBS, postgresql_where=LIVE_BIBS)
    op.create_table(
        "bib_contest",
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("bib", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["race_id"], ["race.id"], name=op.f("fk_bib_contest_race_id_race")),
        sa.PrimaryKeyConstraint("race_id", "bib", name=op.f("pk_bib_contest")),
    )
    # A ledger upgraded from 0007: the bibs its live claims already give to two athletes.
    op.execute("INSERT INTO bib_contest (race_id, bib) SELECT category.race_id, claim.bib FROM claim "
               "JOIN category ON claim.category_id = category.id "
               "WHERE claim.retracted_seq IS NULL AND claim.bib IS NOT NULL AND claim.athlete_id IS NOT NULL "
               "GROUP BY category.race_id, claim.bib HAVING MIN(claim.athlete_id) != MAX(claim.athlete_id)")


def downgrade() -> None:
    op.drop_table("bib_contest")
    op.drop_index("ix_claim_bib", "claim")
    with op.batch_alter_table("ruling", schema=None) as batch_op:
        batch_op.drop_column("vacate")
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_category_derived_from_id_category"), type_="foreignkey")
        batch_op.drop_column("derived_from_id")
    op.drop_index("ix_entrant_athlete", "entrant")
    op.drop_table("entrant")
