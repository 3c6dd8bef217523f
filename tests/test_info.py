"""`raceledger info`: database, schema revision, counts and head hash, in every output format."""

from __future__ import annotations

import csv
import io
import json

from ledger.core.canonical import GENESIS_HASH
from ledger.read.info import FIELDS
from ledger.store.engine import SCHEMA_REVISION


def info(run, *args: str) -> dict:
    result = run("info", "-f", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def last_entry_hash(db: str) -> str:
    from sqlalchemy import text

    from ledger.store.engine import open_engine

    engine, _ = open_engine(db, write=False)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT entry_hash FROM journal ORDER BY seq DESC LIMIT 1")).scalar()
    finally:
        engine.dispose()


def test_info_on_an_empty_ledger(ledger, db):
    assert info(ledger) == {
        "database": db, "backend": "sqlite" if "://" not in db else "postgresql", "read_only": False,
        "schema_revision": SCHEMA_REVISION, "journal_entries": 0, "claims": 0, "athletes": 0,
        "head_seq": 0, "head_hash": GENESIS_HASH,
    }


def test_info_counts_entries_claims_athletes_and_names_the_head(demo, db):
    before = info(demo)
    assert before["claims"] >= 6 and before["athletes"] >= 3
    assert before["journal_entries"] == before["head_seq"]
    assert before["head_hash"] == last_entry_hash(db)

    assert demo("athlete", "add", "Anna Nowak").exit_code == 0
    assert demo("claim", "pyongyang-2025/marathon/amateur-men", "--source", "wojciech-kopec",
                "--athlete", "Anna Nowak", "--position", "2").exit_code == 0
    after = info(demo)
    assert after["journal_entries"] == before["journal_entries"] + 2
    assert after["claims"] == before["claims"] + 1
    assert after["athletes"] == before["athletes"] + 1
    assert after["head_seq"] == before["head_seq"] + 2
    assert after["head_hash"] == last_entry_hash(db) != before["head_hash"]


def test_info_formats(demo, db):
    facts = info(demo)
    table = demo("info").stdout.splitlines()
    assert table[0].split() == ["field", "value"]
    assert [line.split()[0] for line in table[2:]] == list(FIELDS)
    assert f"head_hash        {facts['head_hash']}" in table

    rows = list(csv.DictReader(io.StringIO(demo("info", "-f", "csv").stdout)))
    assert len(rows) == 1 and list(rows[0]) == list(FIELDS)
    assert rows[0]["head_hash"] == facts["head_hash"] and rows[0]["read_only"] == "false"

    lines = demo("info", "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == [facts]

    assert demo("info", "-f", "tsv").stdout.splitlines()[0].split("\t") == list(FIELDS)


def test_info_says_when_there_is_no_ledger(run, db, tmp_path):
    missing = str(tmp_path / "missing.db")
    result = run("--db", missing, "info")
    assert result.exit_code == 1
    assert result.stderr == f"Error: no ledger at {missing}; create one with: raceledger init\n"


def test_info_rejects_an_unknown_format_before_opening_anything(run, db):
    result = run("info", "-f", "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Invalid value for '-f' / '--format': unknown format 'nope'")
