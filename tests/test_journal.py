"""The journal: one entry per write, each hashing the one before it, nothing written on an error.

That verify catches a change to any stored entry (body, author, time, kind, place in the chain) is
tested in test_tamper.py, on the database itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from click.testing import CliRunner
from helpers import connect
from sqlalchemy import text

from cli import cli

CAT = "city-2025/marathon/open-women"
GENESIS = "0" * 64


def entries(db: str) -> list[dict]:
    with connect(db) as conn:
        rows = conn.execute(text(
            "SELECT seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by FROM journal ORDER BY seq"))
        return [dict(row._mapping) for row in rows]


def journal_count(db: str) -> int:
    with connect(db) as conn:
        return conn.execute(text("SELECT COUNT(*) FROM journal")).scalar()


def entry_hash(prev_hash: str, seq: int, kind: str, recorded_at: str, recorded_by: str, body: bytes) -> str:
    """The README's formula, written out independently of the code under test."""
    body_hash = hashlib.sha256(body).hexdigest()
    material = "\n".join([prev_hash, str(seq), kind, recorded_at, recorded_by, body_hash])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def recomputed(entry: dict) -> str:
    return entry_hash(entry["prev_hash"], entry["seq"], entry["kind"], entry["recorded_at"],
                      entry["recorded_by"], entry["body"].encode("utf-8"))


def ok(result) -> None:
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def city(ledger):
    for args in [
        ("event", "add", "city-2025", "--name", "City Marathon", "--date", "2025-10-12", "--place", "City"),
        ("race", "add", "city-2025/marathon", "--name", "Marathon", "--distance", "42195"),
        ("category", "add", CAT, "--name", "Open women", "--sex", "F"),
        ("source", "add", "timing", "--name", "Official timing", "--kind", "official"),
        ("athlete", "add", "Anna Nowak", "--nationality", "POL", "--alias", "Anna Nowakówna"),
    ]:
        ok(ledger(*args))
    return ledger


# --- the chain ----------------------------------------------------------------------------------


def test_seqs_run_from_one_without_gaps(demo, db):
    assert [e["seq"] for e in entries(db)] == list(range(1, len(entries(db)) + 1))


def test_the_first_entry_follows_the_genesis_hash(demo, db):
    assert entries(db)[0]["prev_hash"] == GENESIS


def test_each_prev_hash_is_the_previous_entry_hash(demo, db):
    chain = entries(db)
    assert len(chain) > 1
    for before, after in zip(chain, chain[1:]):
        assert after["prev_hash"] == before["entry_hash"], after["seq"]


def test_each_entry_hash_recomputes_from_its_fields(demo, db):
    for entry in entries(db):
        assert recomputed(entry) == entry["entry_hash"], entry["seq"]


def test_later_writes_leave_earlier_entries_untouched(city, db):
    before = entries(db)
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1"))
    after = entries(db)
    assert after[:len(before)] == before
    assert after[-1]["prev_hash"] == before[-1]["entry_hash"]


# --- what an entry holds ------------------------------------------------------------------------


def test_bodies_are_canonical_json(demo, db):
    for entry in entries(db):
        value = json.loads(entry["body"])
        assert entry["body"] == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_bodies_hold_no_floats(demo, db):
    def refuse(number: str):
        raise AssertionError(f"float {number} in a journal body")

    for entry in entries(db):
        json.loads(entry["body"], parse_float=refuse)


def test_a_claim_body_holds_times_as_integer_milliseconds(city, db):
    ok(city("claim", CAT, "--source", "timing", "--athlete", "anna nowakówna", "--position", "1",
            "--time", "2:31:07.4", "--net-time", "2:30:59"))
    body = json.loads(entries(db)[-1]["body"])
    assert (body["time_ms"], body["time_decimals"], body["net_time_ms"]) == (9_067_400, 1, 9_059_000)
    assert (body["category"], body["source"], body["as_written"]) == (CAT, "timing", "anna nowakówna")


def test_a_race_body_holds_its_distance_in_whole_metres(city, db):
    body = json.loads(entries(db)[1]["body"])
    assert body["distance_m"] == 42195


def test_recorded_at_is_a_utc_timestamp(city, db):
    for entry in entries(db):
        when = dt.datetime.fromisoformat(entry["recorded_at"])
        assert when.utcoffset() == dt.timedelta(0), entry["recorded_at"]


def test_recorded_by_is_the_as_option(city, db):
    assert {e["recorded_by"] for e in entries(db)} == {"tester"}


def test_recorded_by_comes_from_raceledger_user_without_as(city, db):
    result = CliRunner().invoke(cli, ["--db", db, "source", "add", "gazette", "--name", "The Gazette",
                                      "--kind", "press"], env={"RACELEDGER_USER": "desk-editor"})
    ok(result)
    assert entries(db)[-1]["recorded_by"] == "desk-editor"


def test_the_as_option_wins_over_raceledger_user(city, db):
    result = CliRunner().invoke(cli, ["--db", db, "--as", "chief-referee", "source", "add", "gazette", "--name",
                                      "The Gazette", "--kind", "press"], env={"RACELEDGER_USER": "desk-editor"})
    ok(result)
    assert entries(db)[-1]["recorded_by"] == "chief-referee"


# --- one write, one entry -----------------------------------------------------------------------

WRITES = [
    ("event", ("event", "add", "berlin-2025", "--name", "Berlin Marathon", "--date", "2025-09-21")),
    ("race", ("race", "add", "city-2025/10k", "--name", "10 km", "--distance", "10000")),
    ("category", ("category", "add", "city-2025/marathon/m40", "--name", "Men 40+", "--sex", "M",
                  "--division", "masters", "--age-min", "40", "--age-max", "49")),
    ("source", ("source", "add", "gazette", "--name", "The Gazette", "--kind", "press", "--url", "https://g.example")),
    ("athlete", ("athlete", "add", "Wojciech Kopec", "--nationality", "POL", "--born", "1990",
                 "--alias", "Wojciech Kopeć", "--alias", "W. Kopec")),
    ("claim", ("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07",
               "--url", "https://timing.example/1", "--quote", "1. Nowak 2:31:07", "--published", "2025-10-12")),
    ("claim", ("claim", CAT, "--source", "timing", "--unnamed", "a local athlete", "--position", "2")),
]


@pytest.mark.parametrize("kind, args", WRITES, ids=[" ".join(args[:2]) for _, args in WRITES])
def test_one_write_command_is_exactly_one_entry_of_its_kind(city, db, kind, args):
    before = entries(db)
    ok(city(*args))
    after = entries(db)
    assert len(after) == len(before) + 1
    assert after[-1]["kind"] == kind


@pytest.mark.parametrize("args", [
    ("init",), ("event", "list"), ("race", "list"), ("category", "list"), ("athlete", "list"), ("sources",),
    ("athlete", "show", "Anna Nowak"), ("results", CAT), ("disputes",), ("disputes", "city-2025", "-f", "json"),
])
def test_reading_commands_and_init_write_nothing(city, db, args):
    before = entries(db)
    ok(city(*args))
    assert entries(db) == before


FAILED_WRITES = [
    ("event", "add", "city-2025", "--name", "Again", "--date", "2025-10-12"),
    ("event", "add", "berlin-2025", "--name", "Berlin", "--date", "2025-09-31"),
    ("race", "add", "city-2025/marathon", "--name", "Again", "--distance", "42195"),
    ("category", "add", "city-2025/nope/open", "--name", "Open"),
    ("source", "add", "gazette", "--name", "The Gazette", "--kind", "tabloid"),
    ("athlete", "add", "Wojciech Kopec", "--nationality", "POLAND"),
    ("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--time", "25:99:00"),
    ("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "0"),
    ("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--status", "DNF", "--position", "4"),
    ("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--unnamed", "a local athlete", "--position", "1"),
    ("claim", CAT, "--source", "nobody", "--athlete", "Anna Nowak", "--position", "1"),
]


@pytest.mark.parametrize("args", FAILED_WRITES, ids=[" ".join(a[:4]) for a in FAILED_WRITES])
def test_a_failed_write_adds_no_entry_and_keeps_the_head(city, db, args):
    before = entries(db)
    result = city(*args)
    assert result.exit_code in (1, 2)
    assert result.stderr.startswith("Error: ")
    assert journal_count(db) == len(before)
    assert entries(db)[-1]["entry_hash"] == before[-1]["entry_hash"]
