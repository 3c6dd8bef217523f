"""A covering index of the journal's head fields (`ix_journal_head`: seq, entry_hash, recorded_at).

Every page a server keeps is answered after one read of the newest entry it depends on: its seq,
hash and time. On SQLite those columns lie after the entry's body in the row, so reading them
from an entry with a large inline body (a start list of 100,000 runners, a finish file) walked
the body's overflow pages: 1.2 ms a request, five times the whole kept page. Read from this index
they are a few microseconds, whatever the body. Derived: nothing is filled but the index.

Revision ID: 0012
Revises: 0011
"""
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_journal_head", "journal", ["seq", "entry_hash", "recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_journal_head", table_name="journal")
