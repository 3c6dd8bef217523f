"""Every core command on its happy path: what it says, what it stores, what reading commands show."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import as_json, ok

from cli import cli
from ledger.store.engine import SCHEMA_REVISION

CAT = "city-2025/marathon/open-women"


def pick(records, *keys: str):
    """Only the fields a test is about: later issues may add fields to every record."""
    if isinstance(records, dict):
        return {key: records[key] for key in keys}
    return [pick(record, *keys) for record in records]


# Each test's `city` ledger (the `city` fixture in conftest.py): an event with a race and a category,
# two sources and two athletes.
pytestmark = pytest.mark.city([
    ("event", "add", "city-2025", "--name", "City Marathon", "--date", "2025-10-12", "--place", "City"),
    ("race", "add", "city-2025/marathon", "--name", "Marathon", "--distance", "42195"),
    ("category", "add", CAT, "--name", "Open women", "--sex", "F", "--division", "open"),
    ("source", "add", "timing", "--name", "Official timing", "--kind", "official"),
    ("source", "add", "gazette", "--name", "The Gazette", "--kind", "press", "--url", "https://gazette.example"),
    ("athlete", "add", "Anna Nowak", "--nationality", "POL"),
    ("athlete", "add", "Maria Silva", "--nationality", "POR"),
])


# --- init and where the ledger lives ------------------------------------------------------------


def test_init_creates_the_ledger(run, db):
    assert ok(run("init")).startswith("Ledger created at ")
    assert f"(schema revision {SCHEMA_REVISION})" in ok(run("init"))


def test_init_again_says_already_current(ledger):
    assert ok(ledger("init")).startswith("Ledger already current at ")


def test_default_database_is_raceledger_db_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RACELEDGER_DB", raising=False)
    result = CliRunner().invoke(cli, ["init"])
    assert ok(result) == f"Ledger created at raceledger.db (schema revision {SCHEMA_REVISION}).\n"
    assert (tmp_path / "raceledger.db").exists()


def test_raceledger_db_environment_variable_names_the_database(db):
    runner = CliRunner(env={"RACELEDGER_DB": db, "RACELEDGER_USER": "tester"})
    ok(runner.invoke(cli, ["init"]))
    ok(runner.invoke(cli, ["event", "add", "city-2025", "--name", "City", "--date", "2025-10-12"]))
    assert [e["slug"] for e in json.loads(ok(runner.invoke(cli, ["event", "list", "-f", "json"])))] == ["city-2025"]


# --- events, races, categories, sources ---------------------------------------------------------


def test_event_add_says_what_it_added_and_its_journal_entry(ledger):
    assert ok(ledger("event", "add", "city-2025", "--name", "City Marathon", "--date", "2025-10-12")) == \
        "Added event city-2025 (journal entry 1).\n"


def test_event_list_shows_each_event(city):
    assert pick(as_json(city("event", "list", "-f", "json")), "slug", "name", "date", "place") == [
        {"slug": "city-2025", "name": "City Marathon", "date": "2025-10-12", "place": "City"}]


def test_events_are_listed_by_date(city):
    ok(city("event", "add", "spring-2025", "--name", "Spring Run", "--date", "2025-03-01"))
    assert [e["slug"] for e in as_json(city("event", "list", "-f", "json"))] == ["spring-2025", "city-2025"]


def test_race_add_says_what_it_added(city):
    assert ok(city("race", "add", "city-2025/10k", "--name", "10 km", "--distance", "10000")) == \
        "Added race city-2025/10k (journal entry 8).\n"


def test_race_list_shows_distance_in_metres_and_event(city):
    assert pick(as_json(city("race", "list", "-f", "json")), "slug", "name", "distance_m", "event") == [
        {"slug": "city-2025/marathon", "name": "Marathon", "distance_m": 42195, "event": "city-2025"}]


def test_race_list_of_one_event(city):
    ok(city("event", "add", "spring-2025", "--name", "Spring Run", "--date", "2025-03-01"))
    ok(city("race", "add", "spring-2025/5k", "--name", "5 km", "--distance", "5000"))
    assert [r["slug"] for r in as_json(city("race", "list", "spring-2025", "-f", "json"))] == ["spring-2025/5k"]
    assert len(as_json(city("race", "list", "-f", "json"))) == 2


def test_category_add_keeps_sex_division_and_ages(city):
    assert ok(city("category", "add", "city-2025/marathon/m40", "--name", "Men 40-49", "--sex", "m",
                   "--division", "masters", "--age-min", "40", "--age-max", "49")) == \
        "Added category city-2025/marathon/m40 (journal entry 8).\n"
    (m40,) = [c for c in as_json(city("category", "list", "-f", "json")) if c["slug"].endswith("/m40")]
    assert pick(m40, "slug", "name", "sex", "division", "age_min", "age_max") == {
        "slug": "city-2025/marathon/m40", "name": "Men 40-49", "sex": "M", "division": "masters",
        "age_min": 40, "age_max": 49}


@pytest.mark.parametrize("scope", ["city-2025", "city-2025/marathon", CAT])
def test_category_list_under_a_scope(city, scope):
    ok(city("event", "add", "spring-2025", "--name", "Spring Run", "--date", "2025-03-01"))
    ok(city("race", "add", "spring-2025/5k", "--name", "5 km", "--distance", "5000"))
    ok(city("category", "add", "spring-2025/5k/open", "--name", "Open"))
    assert [c["slug"] for c in as_json(city("category", "list", scope, "-f", "json"))] == [CAT]


def test_source_add_says_what_it_added(ledger):
    assert ok(ledger("source", "add", "kcna", "--name", "KCNA", "--kind", "State-Media")) == \
        "Added source kcna (journal entry 1).\n"
    assert as_json(ledger("sources", "-f", "json"))[0]["kind"] == "state-media"


def test_sources_list_each_source_with_its_counts(city):
    ok(city("claim", CAT, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "1"))
    assert pick(as_json(city("sources", "-f", "json")), "slug", "name", "kind", "url", "claims", "contradicted") == [
        {"slug": "gazette", "name": "The Gazette", "kind": "press", "url": "https://gazette.example", "claims": 1,
         "contradicted": 0},
        {"slug": "timing", "name": "Official timing", "kind": "official", "url": None, "claims": 0,
         "contradicted": 0},
    ]


# --- athletes -----------------------------------------------------------------------------------


def test_athlete_add_says_what_it_added(ledger):
    assert ok(ledger("athlete", "add", "Wojciech Kopec", "--nationality", "pol", "--born", "1990",
                     "--alias", "Wojciech Kopeć")) == "Added athlete Wojciech Kopec (journal entry 1).\n"


def test_athlete_list_shows_nationality_birth_year_and_aliases(ledger):
    ok(ledger("athlete", "add", "Wojciech Kopec", "--nationality", "pol", "--born", "1990",
              "--alias", "Wojciech Kopeć", "--alias", "W. Kopec"))
    assert pick(as_json(ledger("athlete", "list", "-f", "json")), "id", "name", "nationality", "born", "aliases") == [
        {"id": 1, "name": "Wojciech Kopec", "nationality": "POL", "born": 1990,
         "aliases": ["W. Kopec", "Wojciech Kopeć"]}]


def test_athletes_with_the_same_name_get_their_own_ids(city):
    ok(city("athlete", "add", "Anna Nowak", "--nationality", "CZE"))
    nowaks = [a for a in as_json(city("athlete", "list", "-f", "json")) if a["name"] == "Anna Nowak"]
    assert sorted((a["id"], a["nationality"]) for a in nowaks) == [(1, "POL"), (3, "CZE")]


@pytest.mark.parametrize("name", ["Wojciech Kopec", "wojciech kopeć", "W. KOPEC", "#1"])
def test_athlete_show_finds_an_athlete_by_any_spelling_or_id(ledger, name):
    ok(ledger("athlete", "add", "Wojciech Kopec", "--nationality", "POL", "--alias", "W. Kopec"))
    shown = as_json(ledger("athlete", "show", name, "-f", "json"))
    assert (shown["id"], shown["name"], shown["nationality"], shown["aliases"], shown["claims"]) == \
        (1, "Wojciech Kopec", "POL", ["W. Kopec"], [])


def test_athlete_show_table_starts_with_who_it_is(ledger):
    ok(ledger("athlete", "add", "Wojciech Kopec", "--nationality", "POL", "--alias", "Wojciech Kopeć"))
    first = ok(ledger("athlete", "show", "Wojciech Kopec")).splitlines()[0]
    assert first == "Wojciech Kopec (#1, POL); also written Wojciech Kopeć"


def test_athlete_show_lists_every_claim_about_the_athlete(city):
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07"))
    ok(city("claim", CAT, "--source", "gazette", "--athlete", "anna nowak", "--position", "1", "--time", "2:31:07"))
    ok(city("claim", CAT, "--source", "gazette", "--athlete", "Maria Silva", "--position", "2"))
    shown = as_json(city("athlete", "show", "Anna Nowak", "-f", "json"))
    assert [(c["source"], c["category"], c["verdict"]) for c in shown["claims"]] == [
        ("timing", CAT, "agreed"), ("gazette", CAT, "agreed")]


# --- claims -------------------------------------------------------------------------------------


def test_claim_says_the_new_claim_id(city):
    assert ok(city("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1")) == \
        "Recorded claim 1.\n"
    assert ok(city("claim", CAT, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "1")) == \
        "Recorded claim 2.\n"


def test_a_claim_keeps_everything_the_source_said(city):
    ok(city("claim", CAT, "--source", "gazette", "--athlete", "maria silva", "--written-as", "M. Silva",
            "--position", "1", "--time", "2:31:40.25", "--net-time", "2:31:38", "--url", "https://gazette.example/x",
            "--quote", "Silva took the title", "--published", "2025-10-13", "--retrieved", "2025-10-14"))
    (placing,) = as_json(city("results", CAT, "-f", "json"))
    (claim,) = placing["claims"]
    assert {k: claim[k] for k in ("id", "athlete", "unnamed", "as_written", "source", "source_kind", "position",
                                  "time", "net_time", "status", "url", "quote", "published")} == {
        "id": 1, "athlete": "Maria Silva", "unnamed": None, "as_written": "M. Silva", "source": "gazette",
        "source_kind": "press", "position": 1, "time": "2:31:40.25", "net_time": "2:31:38", "status": "FIN",
        "url": "https://gazette.example/x", "quote": "Silva took the title", "published": "2025-10-13"}


def test_a_publication_date_reads_as_iso_whatever_the_session_date_style(city, db, monkeypatch):
    """PostgreSQL writes dates as text by the session's DateStyle (libpq takes it from PGDATESTYLE):
    readers take dates as dates, and show them as ISO."""
    ok(city("claim", CAT, "--source", "gazette", "--athlete", "Maria Silva", "--position", "1",
            "--published", "2025-10-13"))
    monkeypatch.setenv("PGDATESTYLE", "SQL, DMY")
    (placing,) = as_json(city("results", CAT, "-f", "json"))
    assert placing["claims"][0]["published"] == "2025-10-13"


def test_the_name_as_written_defaults_to_the_name_given(city):
    ok(city("claim", CAT, "--source", "gazette", "--athlete", "MARIA SILVA", "--position", "1"))
    claim = as_json(city("results", CAT, "-f", "json"))[0]["claims"][0]
    assert (claim["athlete"], claim["as_written"]) == ("Maria Silva", "MARIA SILVA")


def test_a_claim_about_an_unnamed_athlete_keeps_the_sources_description(city):
    ok(city("claim", CAT, "--source", "gazette", "--unnamed", "a local athlete", "--position", "1"))
    claim = as_json(city("results", CAT, "-f", "json"))[0]["claims"][0]
    assert (claim["athlete"], claim["unnamed"]) == (None, "a local athlete")


def test_a_claim_names_an_athlete_by_id(city):
    ok(city("claim", CAT, "--source", "gazette", "--athlete", "#2", "--position", "1"))
    assert as_json(city("results", CAT, "-f", "json"))[0]["claims"][0]["athlete"] == "Maria Silva"


def test_a_claim_with_only_a_time_is_finished_and_unplaced(city):
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--time", "2:59:59"))
    (placing,) = as_json(city("results", CAT, "-f", "json"))
    assert (placing["position"], placing["verdict"], placing["claims"][0]["status"]) == (None, "single-source", "FIN")


@pytest.mark.parametrize("status", ["DNF", "dns", "DQ"])
def test_a_non_finisher_is_recorded_with_no_position(city, status):
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--status", status))
    claim = as_json(city("results", CAT, "-f", "json"))[0]["claims"][0]
    assert (claim["position"], claim["status"]) == (None, status.upper())


# --- results and disputes -----------------------------------------------------------------------


def test_results_lists_placings_in_order_then_non_finishers(city):
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Maria Silva", "--position", "2", "--time", "2:35:00"))
    ok(city("claim", CAT, "--source", "timing", "--unnamed", "a local athlete", "--status", "DNF"))
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07"))
    assert [(p["position"], p["verdict"]) for p in as_json(city("results", CAT, "-f", "json"))] == [
        (1, "single-source"), (2, "single-source"), (None, "single-source")]


def test_results_of_a_category_without_claims_says_so(city):
    assert ok(city("results", CAT)) == "(no claims)\n"
    assert as_json(city("results", CAT, "-f", "json")) == []


def test_results_table_shows_each_claim_with_its_verdict(city):
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07"))
    ok(city("claim", CAT, "--source", "gazette", "--athlete", "Maria Silva", "--position", "1", "--time", "2:31:40"))
    table = ok(city("results", CAT))
    assert table.count("disputed") == 2
    for shown in ("Anna Nowak", "Maria Silva", "timing", "gazette", "2:31:07", "2:31:40"):
        assert shown in table


def test_disputes_without_a_scope_cover_every_event(city):
    ok(city("event", "add", "spring-2025", "--name", "Spring Run", "--date", "2025-03-01"))
    ok(city("race", "add", "spring-2025/5k", "--name", "5 km", "--distance", "5000"))
    ok(city("category", "add", "spring-2025/5k/open", "--name", "Open"))
    for category in (CAT, "spring-2025/5k/open"):
        ok(city("claim", category, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1"))
        ok(city("claim", category, "--source", "gazette", "--athlete", "Maria Silva", "--position", "1"))
    assert [d["category"] for d in as_json(city("disputes", "-f", "json"))] == [CAT, "spring-2025/5k/open"]
    assert [d["category"] for d in as_json(city("disputes", "spring-2025", "-f", "json"))] == ["spring-2025/5k/open"]


def test_disputes_says_when_there_are_none(city):
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1"))
    assert ok(city("disputes", "city-2025")) == "(no disputes)\n"


# --- imports --------------------------------------------------------------------------------------


def test_a_failed_import_prints_its_warnings_and_its_problems(city, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("Place,Name,YOB,Time\n1,Anna Nowak,2024,2:31:07\nx,Maria Silva,1988,2:35:00\n", encoding="utf-8")
    result = city("import", CAT, str(path), "--source", "timing")
    assert (result.exit_code, result.stdout) == (1, "")
    warning, problem, error = result.stderr.splitlines()
    assert warning.startswith(f"{path}:2: warning: born 2024")
    assert problem.startswith(f"{path}:3: bad position 'x'")
    assert error == (f"Error: {path}: 1 bad row; nothing was imported (fix them, or import the good rows with "
                     "--skip-invalid --rejects FILE)")
    assert as_json(city("results", CAT, "-f", "json")) == []


@pytest.mark.parametrize("options, message", [
    (("--skip-invalid",), "--skip-invalid needs --rejects FILE, so that no rejected row is lost"),
    (("--rejects", "r.csv"), "--rejects FILE goes with --skip-invalid (without it, a bad row stops the import)"),
])
def test_the_import_option_rules_are_the_librarys(city, tmp_path, options, message):
    path = tmp_path / "results.csv"
    path.write_text("Place,Name,Time\n1,Anna Nowak,2:31:07\n", encoding="utf-8")
    result = city("import", CAT, str(path), "--source", "timing", *options)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
