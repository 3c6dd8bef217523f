"""Proofs: the journal's RFC 6962 Merkle tree (`tree_node`) and the log's origin (`log_origin`).

`tree_node` holds the hash of every complete subtree of 2**level leaves (level >= 4) ending at entry
`seq`; the journal's append path writes the ones each new entry completes. Both tables are derived:
a ledger upgraded from 0008 gets the nodes of the entries it already holds here, computed from the
journal's entry hashes exactly as appending them would have (ledger.core.merkle.Frontier).

Revision ID: 0009
Revises: 0008
"""
import json

import sqlalchemy as sa
from alembic import op

from ledger.core.merkle import Frontier, entry_leaf

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 1000
# ledger.journal.tree.LOWEST at this revision: subtrees of 16 leaves or more are stored.
LOWEST = 4


def upgrade() -> None:
    tree_node = op.create_table(
        "tree_node",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("hash", sa.CHAR(length=64), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_tree_node_seq_journal")),
        sa.PrimaryKeyConstraint("seq", "level", name=op.f("pk_tree_node")),
    )
    log_origin = op.create_table(
        "log_origin",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_log_origin_seq_journal")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_log_origin")),
    )
    _backfill(op.get_bind(), tree_node)
    # An origin entry recorded before a downgrade to 0008 and this upgrade again.
    first = op.get_bind().execute(sa.text("SELECT seq, body FROM journal WHERE kind = 'origin' ORDER BY seq")).first()
    if first is not None:
        op.get_bind().execute(log_origin.insert(), {"seq": first.seq, "name": json.loads(first.body)["origin"]})


def _backfill(connection, tree_node: sa.Table) -> None:
    """The nodes of the entries already in the journal, streamed in seq order (memory: one batch)."""
    frontier, rows = Frontier(), []
    entries = connection.execute(sa.text("SELECT seq, entry_hash FROM journal ORDER BY seq"),
                                 execution_options={"yield_per": BATCH})
    for seq, entry_hash in entries:
        if seq != frontier.size + 1:
            raise RuntimeError(f"the journal jumps from entry {frontier.size} to {seq}: its Merkle tree cannot "
                               "be built (run raceledger verify on the ledger before upgrading)")
        rows += [{"seq": seq, "level": level, "hash": node.hex()}
                 for level, node in frontier.add(entry_leaf(entry_hash)) if level >= LOWEST]
        if len(rows) >= BATCH:
            connection.execute(tree_node.insert(), rows)
            rows = []
    if rows:
        connection.execute(tree_node.insert(), rows)


def downgrade() -> None:
    op.drop_table("log_origin")
    op.drop_table("tree_node")
