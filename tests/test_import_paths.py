"""An import writes exactly the rows a replay of its entry writes: both go through one projection.

The importer spools the entry's body and records it with ledger.projection.record.record_chunked,
the code `load` and `verify --deep` replay it with; these tests hold the two to the same rows.
"""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner
from helpers import city_marathon

from cli import cli

CAT = "city-2025/marathon/open-women"
# Every kind of row value: unnamed, linked to an existing athlete, a tie, a DQ with its rule,
# fractions, net times, bibs, missing nationality and birth year.
ROWS = """Place,Bib,Name,Nat,YOB,Gun Time,Chip Time,Status
1,101,Anna Nowak,POL,1990,2:31:07.4,2:31:01.25,FIN
2,102,Maria Silva,POR,,2:32:00,,FIN
2,103,Zoë Ågren,,1985,2:32:00,2:31:58,FIN
,104,(unnamed: a local athlete),,,,,DNF
,105,Eva Berg,SWE,1979,,,DQ TR 54.7.3
3,106,Ida Holm,DEN,2001,2:40:00,2:39:00,
"""
DERIVED = ("athlete", "claim", "import_file", "contest", "journal_chunk")


# The City Marathon each test's `city` ledger starts from (see the `city` fixture in conftest.py).
pytestmark = pytest.mark.city([
    *city_marathon({"open-women": ("Open women", "F")}, ("timing", "gazette")),
    ("athlete", "add", "Anna Nowak", "--nationality", "POL"),
    ("claim", CAT, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:09"),
])


def tables(db: str) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall() for t in DERIVED}


def test_an_import_writes_what_a_replay_of_it_writes(city, db, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(ROWS, encoding="utf-8")
    done = city("import", CAT, str(path), "--source", "timing", "--url", "https://timing.example/r",
                "--published", "2025-10-12")
    assert done.exit_code == 0, done.stderr
    assert "1 linked to existing ones" in done.stdout
    verified = city("verify", "--deep")  # a replay into a scratch database, compared row by row
    assert verified.exit_code == 0, verified.output
    if not db.endswith(".db"):
        return
    written = tables(db)
    assert len(written["claim"]) == 7 and len(written["athlete"]) == 5  # one unnamed row, one linked
    assert written["contest"]  # the tie at 2, Anna Nowak's two times and the shared placing 1
    copy = str(tmp_path / "copy.db")
    assert city("export", str(tmp_path / "ledger.jsonl")).exit_code == 0
    loaded = CliRunner().invoke(cli, ["--db", copy, "load", str(tmp_path / "ledger.jsonl")])
    assert loaded.exit_code == 0, loaded.output
    assert tables(copy) == written
