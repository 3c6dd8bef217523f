"""Every error is one `Error: ...` line on stderr, exit 1 (2 for usage), no traceback, nothing written."""

from __future__ import annotations

import datetime
import re
import sqlite3
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from helpers import city_marathon
from sqlalchemy import create_engine, inspect, text

from cli import cli
from ledger.store.engine import SCHEMA_REVISION, resolve_target

CAT = "city-2025/marathon/open-women"


@contextmanager
def connect(db: str):
    engine = create_engine(resolve_target(db).url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def row_counts(db: str) -> dict[str, int]:
    """How many rows every table holds: the journal and everything projected from it."""
    with connect(db) as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        return {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in tables}


def set_revision(db: str, revision: str) -> None:
    """Stamp the database with another schema revision, as an older raceledger would have left it."""
    target = resolve_target(db)
    if target.is_sqlite:
        with sqlite3.connect(target.sqlite_path) as conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        return
    with connect(db) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def assert_one_line_error(result, message: str | None = None, exit_code: int = 1) -> None:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    if message is not None:
        assert lines[0] == message


# The City Marathon each test's `city` ledger starts from (see the `city` fixture in conftest.py).
pytestmark = pytest.mark.city([
    *city_marathon({"open-women": ("Open women", "F")}),
    ("athlete", "add", "Anna Nowak", "--nationality", "POL"),
    ("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07"),
])


CLAIM = ("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak")

ERRORS = [
    # a rule of the library, not of click's option parsing: exit 1
    ("athlete-and-unnamed", ("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--unnamed",
                             "a local athlete", "--position", "2"),
     "Error: give exactly one of --athlete NAME or --unnamed TEXT"),
    ("neither-athlete-nor-unnamed", ("claim", CAT, "--source", "timing", "--position", "2"),
     "Error: give exactly one of --athlete NAME or --unnamed TEXT"),
    # unknown slugs, with did-you-mean
    ("unknown-category", ("claim", "city-2025/marathon/open-wmen", "--source", "timing", "--athlete", "Anna Nowak",
                          "--position", "2"),
     "Error: no category 'city-2025/marathon/open-wmen'; did you mean 'city-2025/marathon/open-women'?"),
    ("unknown-category-results", ("results", "city-2025/marathon/open-wmen"),
     "Error: no category 'city-2025/marathon/open-wmen'; did you mean 'city-2025/marathon/open-women'?"),
    ("unknown-source", ("claim", CAT, "--source", "timng", "--athlete", "Anna Nowak", "--position", "2"),
     "Error: no source 'timng'; did you mean 'timing'?"),
    ("unknown-event-for-race", ("race", "add", "cty-2025/10k", "--name", "10 km", "--distance", "10000"),
     "Error: no event 'cty-2025'; did you mean 'city-2025'?"),
    ("unknown-race-for-category", ("category", "add", "city-2025/marathn/open-men", "--name", "Open men"),
     "Error: no race 'city-2025/marathn'; did you mean 'city-2025/marathon'?"),
    ("unknown-race-scope", ("disputes", "city-2025/marathn"),
     "Error: no race 'city-2025/marathn'; did you mean 'city-2025/marathon'?"),
    ("unknown-event-no-suggestion", ("disputes", "berlin-2024"), "Error: no event 'berlin-2024'"),
    ("unknown-athlete", ("athlete", "show", "Ana Nowak"),
     "Error: no athlete 'Ana Nowak'; did you mean 'Anna Nowak'?"),  # a reader's lookup suggests, never a duplicate
    ("unknown-athlete-in-claim", ("claim", CAT, "--source", "timing", "--athlete", "Zofia Kowalska", "--position", "2"),
     "Error: no athlete 'Zofia Kowalska'; add them with: raceledger athlete add 'Zofia Kowalska'"),
    ("unknown-athlete-id", ("athlete", "show", "#99"), "Error: no athlete with id #99"),
    # duplicate slugs
    ("duplicate-event", ("event", "add", "city-2025", "--name", "Again", "--date", "2025-10-12"),
     "Error: event 'city-2025' already exists"),
    ("duplicate-race", ("race", "add", "city-2025/marathon", "--name", "Again", "--distance", "42195"),
     "Error: race 'city-2025/marathon' already exists"),
    ("duplicate-category", ("category", "add", CAT, "--name", "Again"),
     f"Error: category '{CAT}' already exists"),
    ("duplicate-source", ("source", "add", "timing", "--name", "Again", "--kind", "official"),
     "Error: source 'timing' already exists"),
    # dates
    ("bad-date-month", ("event", "add", "berlin-2025", "--name", "Berlin", "--date", "2025-13-01"),
     "Error: bad date '2025-13-01': expected YYYY-MM-DD, e.g. 2025-04-06"),
    ("bad-date-shape", ("event", "add", "berlin-2025", "--name", "Berlin", "--date", "12/10/2025"),
     "Error: bad date '12/10/2025': expected YYYY-MM-DD, e.g. 2025-04-06"),
    ("bad-date-day", ("event", "add", "berlin-2025", "--name", "Berlin", "--date", "2025-02-30"),
     "Error: bad date '2025-02-30': expected YYYY-MM-DD, e.g. 2025-04-06"),
    ("bad-published-date", (*CLAIM, "--position", "2", "--published", "yesterday"),
     "Error: bad --published date 'yesterday': expected YYYY-MM-DD, e.g. 2025-04-06"),
    # times
    ("bad-time-range", (*CLAIM, "--time", "25:99:00"), "Error: bad time '25:99:00': minutes must be below 60"),
    ("bad-time-text", (*CLAIM, "--time", "abc"),
     "Error: bad time 'abc': expected H:MM:SS, M:SS or MM:SS (e.g. 2:05:31 or 2:05:31.4)"),
    ("bad-time-negative", (*CLAIM, "--time", "-1:00:00"),
     "Error: bad time '-1:00:00': expected H:MM:SS, M:SS or MM:SS (e.g. 2:05:31 or 2:05:31.4)"),
    ("bad-net-time-seconds", (*CLAIM, "--net-time", "2:31:60"), "Error: bad time '2:31:60': seconds must be below 60"),
    # positions and statuses
    ("position-zero", (*CLAIM, "--position", "0"), "Error: bad position 0: must be 1 or more"),
    ("position-negative", (*CLAIM, "--position", "-2"), "Error: bad position -2: must be 1 or more"),
    ("unknown-status", (*CLAIM, "--status", "XYZ"), "Error: unknown status 'XYZ': expected FIN, DNF, DNS or DQ"),
    ("dnf-with-position", (*CLAIM, "--status", "DNF", "--position", "3"),
     "Error: a claim with status DNF cannot have a position; drop --position or use FIN"),
    ("dq-with-position", (*CLAIM, "--status", "dq", "--position", "3"),
     "Error: a claim with status DQ cannot have a position; drop --position or use FIN"),
    ("claim-says-nothing", CLAIM,
     "Error: a claim needs at least one of --position, --time, --net-time or --status"),
    ("empty-unnamed", ("claim", CAT, "--source", "timing", "--unnamed", " ", "--position", "2"),
     "Error: --unnamed must not be empty"),
    # other values
    ("unknown-source-kind", ("source", "add", "gazette", "--name", "The Gazette", "--kind", "newspaper"),
     "Error: unknown source kind 'newspaper': expected one of official, organizer, state-media, press, "
     "participant, tour-operator, other"),
    ("unknown-sex", ("category", "add", "city-2025/marathon/open-men", "--name", "Open men", "--sex", "Q"),
     "Error: unknown sex 'Q': expected M, F or X"),
    ("bad-nationality", ("athlete", "add", "Maria Silva", "--nationality", "PO"),
     "Error: bad nationality 'PO': expected a three-letter code such as POL or PRK"),
    ("bad-birth-year", ("athlete", "add", "Maria Silva", "--born", "1850"),
     f"Error: bad birth year 1850: expected a year between 1900 and {datetime.date.today().year}"),
    ("empty-athlete-name", ("athlete", "add", "  "), "Error: athlete name must not be empty"),
    ("empty-event-name", ("event", "add", "berlin-2025", "--name", " ", "--date", "2025-09-21"),
     "Error: --name must not be empty"),
    ("bad-event-slug", ("event", "add", "Berlin 2025", "--name", "Berlin", "--date", "2025-09-21"),
     "Error: bad event slug 'Berlin 2025': expected EVENT in lowercase letters, digits and hyphens"),
    ("bad-race-slug", ("race", "add", "city-2025", "--name", "Marathon", "--distance", "42195"),
     "Error: bad race slug 'city-2025': expected EVENT/RACE in lowercase letters, digits and hyphens"),
    ("bad-distance", ("race", "add", "city-2025/10k", "--name", "10 km", "--distance", "0"),
     "Error: bad distance 0: must be 1 or more"),
    ("bad-age-range", ("category", "add", "city-2025/marathon/m40", "--name", "M40", "--age-min", "49",
                       "--age-max", "40"),
     "Error: bad age range 49-40: the minimum is above the maximum"),
    ("bad-scope-depth", ("disputes", "a/b/c/d"),
     "Error: bad scope 'a/b/c/d': expected EVENT, EVENT/RACE or EVENT/RACE/CATEGORY"),
]


@pytest.mark.parametrize("args, message", [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_error_is_one_line_exit_1_and_writes_nothing(city, db, args, message):
    before = row_counts(db)
    result = city(*args)
    assert_one_line_error(result, message)
    assert row_counts(db) == before


USAGE_ERRORS = [
    ("missing-required-option", ("event", "add", "berlin-2025", "--date", "2025-09-21"),
     "Error: Missing option '--name'.", "event add"),
    ("position-not-a-number", (*CLAIM, "--position", "first"),
     "Error: Invalid value for '--position': 'first' is not a valid integer.", "claim"),
    ("unknown-command", ("resluts", CAT), "Error: No such command 'resluts'. Did you mean 'results'?", ""),
    ("unknown-option", ("results", CAT, "--xyzzy"), "Error: No such option '--xyzzy'.", "results"),
]


@pytest.mark.parametrize("args, message, command", [case[1:] for case in USAGE_ERRORS],
                         ids=[case[0] for case in USAGE_ERRORS])
def test_usage_error_is_one_line_exit_2_and_writes_nothing(city, db, args, message, command):
    before = row_counts(db)
    result = city(*args)
    assert_one_line_error(result, exit_code=2)
    # The program's name in the hint is whatever it was invoked as.
    assert re.fullmatch(re.escape(message) + r" \(see '\S+" + re.escape(f" {command}".rstrip()) + r" --help'\)",
                        result.stderr.rstrip()), result.stderr
    assert row_counts(db) == before


def test_an_ambiguous_name_asks_for_an_id_and_writes_nothing(city, db):
    assert city("athlete", "add", "Anna Nowak", "--nationality", "CZE").exit_code == 0
    before = row_counts(db)
    result = city(*CLAIM, "--position", "2")
    assert_one_line_error(
        result, "Error: 'Anna Nowak' matches 2 athletes (#1 Anna Nowak, #2 Anna Nowak); name one by its id, e.g. '#1'")
    assert row_counts(db) == before


def test_a_bad_tolerance_is_named_as_a_tolerance(city):
    result = city("results", CAT, "--tolerance", "soon")
    assert_one_line_error(result, exit_code=2)
    assert "tolerance" in result.stderr, result.stderr


# --- the database itself ------------------------------------------------------------------------


@pytest.fixture
def not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my race notes, not a ledger\n")
    return path


@pytest.mark.parametrize("args", [("results", CAT), ("event", "list"), ("init",),
                                  ("event", "add", "berlin-2025", "--name", "Berlin", "--date", "2025-09-21")])
def test_a_file_that_is_not_a_database_is_refused_untouched(not_a_database, args):
    result = CliRunner().invoke(cli, ["--db", str(not_a_database), *args])
    assert_one_line_error(result, f"Error: {not_a_database} is not a raceledger database")
    assert not_a_database.read_text() == "these are my race notes, not a ledger\n"


@pytest.mark.parametrize("args", [("results", CAT), ("init",), ("demo",)])
def test_a_database_holding_other_tables_is_not_a_ledger(run, db, args):
    with connect(db) as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)"))
    result = run(*args)
    assert_one_line_error(result, f"Error: {resolve_target(db).display} is not a raceledger database")
    with connect(db) as conn:
        assert set(inspect(conn).get_table_names()) == {"invoices"}


@pytest.mark.parametrize("args", [("results", CAT), ("disputes",), ("sources",), ("event", "list"),
                                  ("athlete", "show", "Anna Nowak"),
                                  ("event", "add", "berlin-2025", "--name", "Berlin", "--date", "2025-09-21")])
def test_a_database_at_an_older_schema_says_to_run_init(city, db, args):
    set_revision(db, "0001")
    before = row_counts(db)
    result = city(*args)
    assert_one_line_error(
        result, f"Error: {resolve_target(db).display} is at schema revision 0001, this raceledger needs "
                f"{SCHEMA_REVISION}; upgrade it with: raceledger init")
    assert row_counts(db) == before


def test_init_on_an_unknown_schema_revision_is_a_one_line_error(city, db):
    set_revision(db, "0000")
    result = city("init")
    assert_one_line_error(result)


def test_a_database_from_a_newer_raceledger_is_not_told_to_run_init(city, db):
    """Following that advice fails: this raceledger's migrations do not know the newer revision."""
    set_revision(db, "9999")
    result = city("event", "list")
    assert_one_line_error(result)
    assert "9999" in result.stderr
    assert "raceledger init" not in result.stderr


def test_a_ledger_at_the_first_revision_is_upgraded_by_init(run, db):
    from ledger.store.engine import make_engine
    from ledger.store.migrate import upgrade

    engine = make_engine(resolve_target(db))
    try:
        upgrade(engine, "0001")
    finally:
        engine.dispose()
    if SCHEMA_REVISION == "0001":
        pytest.skip("only one schema revision exists")
    refused = run("event", "list")
    assert_one_line_error(refused)
    assert refused.stderr.rstrip().endswith("upgrade it with: raceledger init")
    upgraded = run("init")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert "upgraded" in upgraded.stdout
    assert run("event", "list").exit_code == 0


@pytest.mark.parametrize("args", [("results", CAT), ("disputes",), ("sources",), ("event", "list"),
                                  ("race", "list"), ("category", "list"), ("athlete", "list"),
                                  ("athlete", "show", "Anna Nowak")])
def test_a_missing_database_file_is_an_error_and_is_not_created(tmp_path, args):
    path = tmp_path / "missing.db"
    result = CliRunner().invoke(cli, ["--db", str(path), *args])
    assert_one_line_error(result, f"Error: no ledger at {path}; create one with: raceledger init")
    assert not path.exists()


@pytest.mark.parametrize("args", [("results", CAT), ("sources",),
                                  ("event", "add", "berlin-2025", "--name", "Berlin", "--date", "2025-09-21")])
def test_a_database_with_no_ledger_yet_says_to_run_init_and_creates_nothing(run, db, args):
    result = run(*args)
    assert_one_line_error(result)
    assert result.stderr.rstrip().endswith("create one with: raceledger init")
    target = resolve_target(db)
    if target.is_sqlite:
        import os

        assert not os.path.exists(target.sqlite_path)
    else:
        with connect(db) as conn:
            assert inspect(conn).get_table_names() == []
