"""--read-only: every reading command answers as usual, every write command fails and writes nothing."""

from __future__ import annotations

import json

import pytest

from ledger.core.errors import LedgerError

AMATEUR = "pyongyang-2025/marathon/amateur-men"

# Every reading command, each with the machine-readable format it offers.
READS = [
    ("results", AMATEUR, "-f", "json"),
    ("disputes", "pyongyang-2025", "-f", "json"),
    ("sources", "-f", "json"),
    ("athlete", "show", "Wojciech Kopec", "-f", "json"),
    ("athlete", "list", "-f", "csv"),
    ("event", "list", "-f", "csv"),
    ("race", "list", "-f", "csv"),
    ("category", "list", "-f", "csv"),
    ("history", "-f", "json"),
    ("head",),
    ("verify", "-f", "json"),
    ("export",),
]

WRITES = [
    ("init",),
    ("demo",),
    ("event", "add", "city-2025", "--name", "City Marathon", "--date", "2025-10-12"),
    ("race", "add", "pyongyang-2025/relay", "--name", "Relay", "--distance", "42195"),
    ("category", "add", f"{AMATEUR}-40", "--name", "Amateur men 40+"),
    ("source", "add", "gazette", "--name", "The Gazette", "--kind", "press"),
    ("athlete", "add", "Anna Nowak"),
    ("claim", AMATEUR, "--source", "wojciech-kopec", "--athlete", "Wojciech Kopec", "--position", "2"),
    ("retract", "1", "--reason", "The source corrected its report"),
    ("rule", AMATEUR, "--athlete", "Wojciech Kopec", "--status", "DQ", "--by", "Referee", "--reason", "Test"),
    ("athlete", "merge", "#1", "#2"),
    ("import", AMATEUR, "results.csv", "--source", "wojciech-kopec", "--again"),  # --again: it repeats a placing
    ("entrants", "import", "pyongyang-2025/marathon", "start.csv", "--source", "wojciech-kopec"),
    ("finish", AMATEUR, "order.txt", "--source", "wojciech-kopec"),
    ("load", "ledger.jsonl"),
    ("db", "grant-reader", "reporter"),
]


def command_name(args: tuple[str, ...]) -> str:
    words = [args[0]]
    if args[0] in ("event", "race", "category", "source", "athlete", "db", "entrants"):
        words.append(args[1])
    return " ".join(words)


def state(run) -> dict:
    result = run("info", "-f", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    return {key: found[key] for key in ("journal_entries", "claims", "athletes", "head_hash")}


@pytest.mark.parametrize("args", WRITES, ids=command_name)
def test_write_commands_fail_read_only_and_write_nothing(demo, args):
    before = state(demo)
    result = demo("--read-only", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: 'raceledger {command_name(args)}' writes to the ledger, but it is open read-only "
        "(--read-only or RACELEDGER_READ_ONLY=1); nothing was written\n"
    )
    assert state(demo) == before


def test_the_environment_variable_makes_it_read_only(demo):
    before = state(demo)
    result = demo("athlete", "add", "Anna Nowak", env={"RACELEDGER_READ_ONLY": "1"})
    assert result.exit_code == 1
    assert "open read-only" in result.stderr
    assert state(demo) == before
    assert demo("athlete", "add", "Anna Nowak", env={"RACELEDGER_READ_ONLY": "0"}).exit_code == 0


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_reading_commands_answer_the_same_read_only(demo, args):
    usual = demo(*args)
    read_only = demo("--read-only", *args)
    assert usual.exit_code == read_only.exit_code == 0, read_only.output
    assert read_only.stdout == usual.stdout


def test_info_says_it_is_read_only(demo):
    result = demo("--read-only", "info", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["read_only"] is True


def test_the_connection_itself_refuses_writes(demo, db):
    """Even a write that got past the CLI is refused by the database, and nothing is written."""
    from ledger.store.engine import open_engine, transaction
    from ledger.write import catalog

    before = state(demo)
    engine, target = open_engine(db, read_only=True)
    assert target.read_only
    try:
        with pytest.raises(LedgerError, match=r"^database error, nothing was written: .*read-?only"):
            with transaction(engine) as session:
                catalog.add_source(session, "tester", "gazette", "The Gazette", "press")
    finally:
        engine.dispose()
    assert state(demo) == before


def test_read_only_on_a_missing_ledger_creates_nothing(run, db, tmp_path):
    missing = tmp_path / "missing.db"
    result = run("--db", str(missing), "--read-only", "results", AMATEUR)
    assert result.exit_code == 1
    assert result.stderr == f"Error: no ledger at {missing}; create one with: raceledger init\n"
    assert not missing.exists()
