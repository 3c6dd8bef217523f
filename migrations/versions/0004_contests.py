"""Contests: the groups of live claims that may hold a dispute, kept as claims are written.

`disputes` used to find them by grouping every live claim at read time, which on a ledger of a
million claims costs seconds. `contest` (derived) holds one row per placing or athlete of a
category whose live claims could disagree under any tolerance; this migration fills it from the
claims already recorded, with the same rule ledger.projection.contests keeps it by afterwards.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Two identities at one placing (every unnamed athlete is one identity, 0).
CONTESTED_PLACINGS = (
    "INSERT INTO contest (category_id, kind, key) "
    "SELECT category_id, 'position', position FROM claim "
    "WHERE retracted_seq IS NULL AND position IS NOT NULL GROUP BY category_id, position "
    "HAVING min(coalesce(athlete_id, 0)) <> max(coalesce(athlete_id, 0))"
)
# One athlete given two positions, statuses, times or net times.
CONTESTED_ATHLETES = (
    "INSERT INTO contest (category_id, kind, key) "
    "SELECT category_id, 'athlete', athlete_id FROM claim "
    "WHERE retracted_seq IS NULL AND athlete_id IS NOT NULL GROUP BY category_id, athlete_id "
    "HAVING min(position) <> max(position) OR min(status) <> max(status) "
    "OR min(time_ms) <> max(time_ms) OR min(net_time_ms) <> max(net_time_ms)"
)


def upgrade() -> None:
    op.create_table(
        "contest",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], name=op.f("fk_contest_category_id_category")),
        sa.PrimaryKeyConstraint("category_id", "kind", "key", name=op.f("pk_contest")),
    )
    op.execute(CONTESTED_PLACINGS)
    op.execute(CONTESTED_ATHLETES)


def downgrade() -> None:
    op.drop_table("contest")
