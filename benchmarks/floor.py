"""The floor an import is measured against: the csv module and raw sqlite3, nothing else.

The same rows go into an equivalent normalised schema (athletes + results, the same columns and
indexes as raceledger's athlete and claim tables, foreign keys on) with executemany, in one
transaction. It does the least work a correct import must do: no validation, no journal.
Run: python floor.py FILE.csv DB
"""

from __future__ import annotations

import csv
import sqlite3
import sys

SCHEMA = """
CREATE TABLE athletes (id INTEGER PRIMARY KEY, name VARCHAR(300) NOT NULL, key VARCHAR(300) NOT NULL,
    nationality VARCHAR(3), born SMALLINT);
CREATE INDEX ix_athletes_key ON athletes (key);
CREATE TABLE results (id INTEGER PRIMARY KEY, category_id INTEGER NOT NULL, source_id INTEGER NOT NULL,
    athlete_id INTEGER REFERENCES athletes (id), as_written VARCHAR(300), position INTEGER,
    time_ms INTEGER, time_decimals SMALLINT NOT NULL, net_time_ms INTEGER, net_time_decimals SMALLINT NOT NULL,
    status VARCHAR(3) NOT NULL, bib VARCHAR(20), retracted_seq INTEGER);
CREATE INDEX ix_results_placing ON results (category_id, position, athlete_id, source_id, time_ms)
    WHERE retracted_seq IS NULL;
CREATE INDEX ix_results_athlete ON results (category_id, athlete_id, position, status, time_ms, net_time_ms)
    WHERE retracted_seq IS NULL;
CREATE INDEX ix_results_category ON results (category_id);
CREATE INDEX ix_results_source ON results (source_id);
CREATE INDEX ix_results_athlete_id ON results (athlete_id);
"""


def ms(text: str) -> int | None:
    if not text or not text[0].isdigit():
        return None
    h, m, s = text.split(":")
    return (int(h) * 3600 + int(m) * 60 + int(s)) * 1000


ATHLETES = "INSERT INTO athletes VALUES (?, ?, ?, ?, ?)"
RESULTS = ("INSERT INTO results (id, category_id, source_id, athlete_id, as_written, position, time_ms, time_decimals, "
           "net_time_ms, net_time_decimals, status, bib) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
BATCH = 10_000


def load(path: str, db: str) -> int:
    """Stream the file in batches of BATCH rows (memory stays flat, as the import's does)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(SCHEMA)
    conn.execute("BEGIN")
    athletes, results, count = [], [], 0
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        next(reader)
        for i, (place, bib, first, last, _sex, nat, yob, gun, chip, status) in enumerate(reader, 1):
            name = f"{first} {last}"
            athletes.append((i, name, name.lower(), nat or None, int(yob) if yob else None))
            results.append((i, 1, 1, i, name, int(place) if place else None, ms(gun), 0, ms(chip), 0,
                            status or ("DNF" if gun == "DNF" else "FIN"), bib))
            if len(results) == BATCH:
                conn.executemany(ATHLETES, athletes)
                conn.executemany(RESULTS, results)
                count += len(results)
                athletes, results = [], []
    conn.executemany(ATHLETES, athletes)
    conn.executemany(RESULTS, results)
    conn.execute("COMMIT")
    conn.close()
    return count + len(results)


if __name__ == "__main__":
    print(load(sys.argv[1], sys.argv[2]))
