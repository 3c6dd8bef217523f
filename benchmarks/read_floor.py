"""The floor a reading command is measured against: raw sqlite3 and the json module, nothing else.

It reads the claims the command reads, from the same ledger file through the same indexes (a
category's claims; for disputes, the claims of contested groups, through the `contest` table),
and writes them as one JSON array of rows: no SQLAlchemy, no verdicts, no objects per claim, no
layout. What raceledger adds on top of it is the price of its Python.
Run: python read_floor.py DB category SLUG  |  python read_floor.py DB disputes [SLUG]
"""

from __future__ import annotations

import json
import sqlite3
import sys

CLAIMS = """
SELECT claim.id, category.slug, source.slug, source.kind, claim.athlete_id, athlete.name, claim.unnamed,
       claim.as_written, claim.position, claim.time_ms, claim.time_decimals, claim.net_time_ms,
       claim.net_time_decimals, claim.status, claim.url, claim.quote, claim.published, claim.retracted_seq,
       claim.retraction_reason, claim.status_note
FROM claim JOIN category ON claim.category_id = category.id JOIN source ON claim.source_id = source.id
LEFT OUTER JOIN athlete ON claim.athlete_id = athlete.id
"""
IN_CATEGORY = CLAIMS + "WHERE category.slug = ? ORDER BY claim.id"
CONTESTED = CLAIMS + """WHERE claim.retracted_seq IS NULL AND (
    (claim.category_id, claim.position) IN (SELECT category_id, key FROM contest WHERE kind = 'position')
    OR (claim.category_id, claim.athlete_id) IN (SELECT category_id, key FROM contest WHERE kind = 'athlete'))
"""
IN_ONE = " AND category.slug = ?"


def read(db: str, what: str, *args: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    query = IN_CATEGORY if what == "category" else CONTESTED + (IN_ONE if args else "") + " ORDER BY claim.id"
    rows = conn.execute(query, args).fetchall()
    sys.stdout.write(json.dumps(rows, ensure_ascii=False))
    return len(rows)


if __name__ == "__main__":
    read(*sys.argv[1:])
