"""The floor the web view is measured against: the smallest ASGI app on the same uvicorn, answering
the same pages from the same ledger with raw sqlite3 (a ledger in PostgreSQL: raw psycopg, the driver
raceledger uses there) and the json module, nothing else.

It reads the claims a page shows, through the same indexes (a category's next 100 positions and
their claims; the claims of the first 100 contested placings, through the `contest` table; one
claim with its rulings and its journal entry) and writes them as JSON rows: no SQLAlchemy, no
verdicts, no templates, no objects per claim, no thread pool. What the web view adds on top of it
is the price of its Python. On PostgreSQL it sends the same statements (psycopg's `%s` for sqlite3's
`?`) on one autocommit connection, each in a read-only transaction as the web view reads, and takes
a date as the text SQLite holds, so that it writes the same JSON.

Run: python web_floor.py DB PORT    (DB: a SQLite file or a postgresql+psycopg://... URL;
                                     pages: /disputes.json, /EVENT/RACE/CATEGORY.json[?after=N],
                                       /claims/ID.json)
"""

from __future__ import annotations

import json
import sqlite3
import sys
from urllib.parse import parse_qs

CLAIM = """
SELECT claim.id, category.slug, source.slug, source.kind, claim.athlete_id, athlete.name, claim.unnamed,
       claim.as_written, claim.position, claim.time_ms, claim.time_decimals, claim.net_time_ms,
       claim.net_time_decimals, claim.status, claim.url, claim.quote, claim.published, claim.retracted_seq,
       claim.retraction_reason, claim.status_note
FROM claim JOIN category ON claim.category_id = category.id JOIN source ON claim.source_id = source.id
LEFT OUTER JOIN athlete ON claim.athlete_id = athlete.id
"""
PAGE = 100
# The category by its slug in a scalar subquery, not a join: PostgreSQL then walks the placing index
# from the position on (0.14 ms), where the join grouped the whole category first (41 ms); SQLite
# plans both alike. A floor is the fastest plain reading of the same rows.
CATEGORY_ID = "(SELECT id FROM category WHERE slug = ?)"
POSITIONS = f"""SELECT DISTINCT claim.position FROM claim
WHERE claim.category_id = {CATEGORY_ID} AND claim.position > ? AND claim.retracted_seq IS NULL ORDER BY claim.position LIMIT ?"""
PLACINGS = CLAIM + f"""WHERE claim.category_id = {CATEGORY_ID} AND claim.position BETWEEN ? AND ?
AND claim.retracted_seq IS NULL ORDER BY claim.position, claim.id"""
CONTESTED = "SELECT category_id, key FROM contest WHERE kind = 'position' ORDER BY category_id, key LIMIT ?"
DISPUTED = CLAIM + """WHERE category.id = ? AND claim.position IN ({}) AND claim.retracted_seq IS NULL
ORDER BY claim.position, claim.id"""
ONE = CLAIM + "WHERE claim.id = ?"
RULINGS = """SELECT ruling.* FROM ruling JOIN claim ON ruling.category_id = claim.category_id
WHERE claim.id = ? AND (ruling.position = claim.position OR ruling.athlete_id = claim.athlete_id)"""
ENTRY = """SELECT journal.seq, journal.kind, journal.entry_hash, journal.recorded_at, journal.recorded_by
FROM journal JOIN claim ON claim.seq = journal.seq WHERE claim.id = ?"""
# The statements as sqlite3 takes them; `statements` gives them with another parameter marker.
SQLITE = {"positions": POSITIONS, "placings": PLACINGS, "contested": CONTESTED, "disputed": DISPUTED, "one": ONE,
          "rulings": RULINGS, "entry": ENTRY, "mark": "?"}


def statements(mark: str) -> dict[str, str]:
    return {name: text.replace("?", mark) for name, text in SQLITE.items()}


def connect(db: str) -> tuple:
    """A connection reading the ledger at `db` (a SQLite file, or a PostgreSQL URL as raceledger takes
    it) with conn.execute(statement, parameters), and the statements in its parameter style."""
    if "://" not in db:
        return sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False), SQLITE
    import psycopg
    from psycopg.types.string import TextLoader

    scheme, rest = db.split("://", 1)
    if not scheme.startswith("postgresql"):
        raise SystemExit(f"web_floor reads SQLite or PostgreSQL, not {scheme}")
    # Each statement its own read-only transaction, as raceledger's read-only engine's connections.
    conn = psycopg.connect(f"postgresql://{rest}", autocommit=True, options="-c default_transaction_read_only=on")
    conn.adapters.register_loader("date", TextLoader)  # 'YYYY-MM-DD', as SQLite holds a date
    return conn, statements("%s")


def grouped(rows: list, key: int) -> list:
    """Rows in groups of one placing: [[row, row], [row], ...]."""
    groups: list = []
    for row in rows:
        if groups and groups[-1][0][key] == row[key] and groups[-1][0][1] == row[1]:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def answer(conn, path: str, query: dict, sql: dict = SQLITE) -> bytes | None:
    if path == "/disputes.json":
        rows = []
        for category_id, position in conn.execute(sql["contested"], (PAGE,)).fetchall():  # by category, a list of positions
            if not rows or rows[-1][0] != category_id:
                rows.append((category_id, []))
            rows[-1][1].append(position)
        found = [row for category_id, positions in rows for row in conn.execute(
            sql["disputed"].format(",".join([sql["mark"]] * len(positions))), (category_id, *positions)).fetchall()]
        return json.dumps(grouped(found, 8), ensure_ascii=False).encode()
    if path.startswith("/claims/") and path.endswith(".json"):
        claim_id = int(path[len("/claims/"):-len(".json")])
        row = conn.execute(sql["one"], (claim_id,)).fetchone()
        if row is None:
            return None
        found = {"claim": row, "rulings": conn.execute(sql["rulings"], (claim_id,)).fetchall(),
                 "entry": conn.execute(sql["entry"], (claim_id,)).fetchone()}
        return json.dumps(found, ensure_ascii=False).encode()
    if path.endswith(".json") and path.count("/") == 3:
        slug = path[1:-len(".json")]
        after = int(query.get("after", ["0"])[0])
        positions = [p for (p,) in conn.execute(sql["positions"], (slug, after, PAGE)).fetchall()]
        rows = conn.execute(sql["placings"], (slug, positions[0], positions[-1])).fetchall() if positions else []
        return json.dumps(grouped(rows, 8), ensure_ascii=False).encode()
    return None


def make_app(db: str):
    conn, sql = connect(db)

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        body = answer(conn, scope["path"], parse_qs(scope["query_string"].decode()), sql)
        status = 200 if body is not None else 404
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body or b"")).encode())]})
        await send({"type": "http.response.body", "body": body or b""})

    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(make_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), access_log=False,
                log_level="warning", lifespan="off")
