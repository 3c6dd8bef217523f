"""Bib contests only where the names cannot be one runner's.

Migration 0008 filled `bib_contest` with every bib a race's live claims gave to two athlete
records. A ledger recorded before claims were linked by bib holds many such bibs whose two records
bear compatible names (one runner, or namesakes a file told apart by bib): none is a dispute, yet
each was read back and dropped by every `disputes` (63,259 rows, 15 of 23 s of the command under a
profiler, on the benchmark's ledger of 1,000,000 claims). The projection now keeps only the bibs
whose names differ (ledger.projection.bibs); this removes the others. The table is derived: the
journal is untouched, and `verify --deep` compares the result with a replay.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

from ledger.core.names import name_key, order_free

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Who each contested bib's sides say they are: its live claims (the name as written, else the
# athlete's) and the race's current entrant of the bib (its newest start-list row).
SIDES = sa.text(
    "SELECT claim.bib, claim.as_written, athlete.name FROM claim "
    "JOIN category ON claim.category_id = category.id LEFT OUTER JOIN athlete ON claim.athlete_id = athlete.id "
    "WHERE category.race_id = :race AND claim.retracted_seq IS NULL AND claim.bib IS NOT NULL "
    "AND claim.bib IN (SELECT bib FROM bib_contest WHERE race_id = :race) "
    "UNION ALL SELECT entrant.bib, entrant.name, NULL FROM entrant "
    "WHERE entrant.race_id = :race AND entrant.bib IN (SELECT bib FROM bib_contest WHERE race_id = :race) "
    "AND entrant.seq = (SELECT max(newer.seq) FROM entrant AS newer "
    "WHERE newer.race_id = entrant.race_id AND newer.bib = entrant.bib)")


def upgrade() -> None:
    bind = op.get_bind()
    for race_id in bind.execute(sa.text("SELECT DISTINCT race_id FROM bib_contest")).scalars().all():
        keys: dict[str, set[str]] = {}
        for bib, written, athlete in bind.execute(SIDES, {"race": race_id}):
            keys.setdefault(bib, set()).add(order_free(name_key(written or athlete or "")))
        one_runner = [{"race": race_id, "bib": bib} for bib, names in keys.items() if len(names) < 2]
        if one_runner:
            bind.execute(sa.text("DELETE FROM bib_contest WHERE race_id = :race AND bib = :bib"), one_runner)


def downgrade() -> None:
    """Back to 0008's rule: every bib live claims or a current entrant give to two athlete records."""
    op.execute("DELETE FROM bib_contest")
    op.execute(
        "INSERT INTO bib_contest (race_id, bib) SELECT race_id, bib FROM ("
        "SELECT category.race_id AS race_id, claim.bib AS bib, claim.athlete_id AS athlete_id FROM claim "
        "JOIN category ON claim.category_id = category.id "
        "WHERE claim.retracted_seq IS NULL AND claim.bib IS NOT NULL AND claim.athlete_id IS NOT NULL "
        "UNION ALL SELECT entrant.race_id, entrant.bib, entrant.athlete_id FROM entrant "
        "WHERE entrant.seq = (SELECT max(newer.seq) FROM entrant AS newer "
        "WHERE newer.race_id = entrant.race_id AND newer.bib = entrant.bib)) AS sides "
        "GROUP BY race_id, bib HAVING MIN(athlete_id) != MAX(athlete_id)")
