"""Retracted claims by placing: a partial index, so a claim's page finds the withdrawn claims of its
placing without reading its whole category (the placing indexes hold live claims only).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RETRACTED = sa.text("retracted_seq IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_claim_retracted", "claim", ["category_id", "position", "athlete_id"],
                    sqlite_where=RETRACTED, postgresql_where=RETRACTED)


def downgrade() -> None:
    op.drop_index("ix_claim_retracted", "claim")
