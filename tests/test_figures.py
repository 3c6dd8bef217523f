"""Figures (issue 15): topics, figure claims, their verdicts by the rule, retraction, rulings,
disputes, history, and the journal round trip; through the CLI, on SQLite and PostgreSQL.

The rule itself is tested in tests/test_figure_rule.py; here, what the ledger makes of it.
"""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal

import pytest
from click.testing import CliRunner
from helpers import connect
from sqlalchemy import text

from cli import cli
from ledger.core.errors import LedgerError

FIGURE_KEYS = {"id", "subject", "measure", "value", "low", "high", "approximately", "unit", "kind", "period", "at",
               "source", "via", "quote", "url", "verdict", "comparisons"}
VERDICTS = {"single-source", "consistent", "disputed", "not-comparable"}
ARTICLE = "rare-glimpse-inside"
FIGURE_TABLES = ("topic", "measure", "figure", "figure_ruling", "source")


def state(db: str) -> tuple:
    """The journal's head and the row count of every table a figure command writes."""
    with connect(db) as conn:
        head = conn.execute(text("SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1")).first()
        counts = tuple(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() for table in FIGURE_TABLES)
    return (tuple(head) if head else None), counts


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result


def figures(run, *args: str) -> list[dict]:
    return as_json(run("figures", *args, "-f", "json"))


def by_source(found: list[dict], subject: str) -> dict[str, dict]:
    return {f["source"]: f for f in found if f["subject"] == subject}


def the_figure(found: list[dict], subject: str, measure: str) -> dict:
    (figure,) = [f for f in found if f["subject"] == subject and f["measure"] == measure]
    return figure


# --- the demo's figures ---------------------------------------------------------------------------


def test_every_demo_figure_has_the_fixed_keys_and_types(demo):
    found = figures(demo)
    assert len(found) == 12
    for figure in found:
        assert FIGURE_KEYS <= set(figure)
        assert isinstance(figure["low"], str) and isinstance(figure["high"], str)
        assert figure["value"] == (figure["low"] if figure["low"] == figure["high"] else None)
        assert isinstance(figure["approximately"], bool)
        assert figure["period"] is None or (isinstance(figure["period"], list) and len(figure["period"]) == 2)
        assert figure["verdict"] in VERDICTS
        assert figure["quote"]
        for compared in figure["comparisons"]:
            assert set(compared) == {"with", "verdict", "why"}
    assert len({f["id"] for f in found}) == 12


def test_the_race_figures_as_the_article_states_them(demo):
    found = figures(demo, "pyongyang-2025")
    runners = the_figure(found, "pyongyang-2025", "participants")
    assert (runners["value"], runners["approximately"], runners["unit"], runners["kind"], runners["at"]) == (
        "200", True, "persons", "at-date", "2025-04-06")
    assert (runners["source"], runners["via"]) == (ARTICLE, None)
    assert "around 200 runners" in runners["quote"]
    dewonder = the_figure(found, "pyongyang-2025", "dewonder-participants")
    assert (dewonder["value"], dewonder["approximately"]) == ("22", False)
    assert "DeWonder, also brought 22 participants" in dewonder["quote"]
    spectators = the_figure(found, "pyongyang-2025", "stadium-spectators")
    assert (spectators["value"], spectators["source"], spectators["via"]) == ("50000", "cameron-mofid", ARTICLE)
    assert "filled with 50,000 spectators" in spectators["quote"]
    tour = the_figure(found, "pyongyang-2025", "tour-fee")
    assert (tour["value"], tour["approximately"], tour["unit"]) == ("2750", True, "USD")


@pytest.mark.parametrize("race, fee", [("marathon", "155"), ("half-marathon", "104"), ("10k", "72"), ("5k", "72")])
def test_each_race_fee_is_on_its_race(demo, race, fee):
    (figure,) = figures(demo, f"pyongyang-2025/{race}")
    assert (figure["subject"], figure["measure"], figure["value"], figure["unit"]) == (
        f"pyongyang-2025/{race}", "fee", fee, "USD")
    assert figure["approximately"] is True
    assert figure["verdict"] == "single-source"


def test_the_famine_estimates_are_disputed_with_the_derivation(demo):
    found = by_source(figures(demo, "dprk-famine"), "dprk-famine")
    choe, memo = found["dprk-foreign-ministry"], found["house-irc-memo-1998"]
    assert (choe["value"], choe["kind"], choe["period"], choe["via"]) == ("220000", "total", ["1995", "1998"], ARTICLE)
    assert (memo["value"], memo["low"], memo["high"], memo["kind"], memo["period"]) == (
        None, "300000", "800000", "peak-year", None)
    assert choe["verdict"] == memo["verdict"] == "disputed"
    (compared,) = choe["comparisons"]
    assert compared["with"] == memo["id"] and compared["verdict"] == "disputed"
    assert "220,000 in total over 1995-1998 puts the worst single year at most at 220,000" in compared["why"]
    assert "300,000-800,000 in the peak year is above that: disputed" in compared["why"]
    assert memo["comparisons"] == [{"with": choe["id"], "verdict": "disputed", "why": compared["why"]}]
    assert "Choe Su-hon told UNICEF that 220,000" in choe["quote"]


def test_the_refugee_estimates_are_not_comparable_because_one_has_no_date(demo):
    found = by_source(figures(demo, "nk-refugees-china"), "nk-refugees-china")
    experts, robinson = found["experts-2003"], found["courtland-robinson"]
    assert (experts["low"], experts["high"], experts["kind"], experts["at"]) == ("100000", "300000", "at-date", "2003")
    assert (robinson["value"], robinson["kind"], robinson["at"]) == ("10000", "at-date", None)
    assert experts["verdict"] == robinson["verdict"] == "not-comparable"
    why = robinson["comparisons"][0]["why"]
    assert "gives no date for its 10,000" in why and why.endswith("not-comparable")


def test_a_window_cannot_place_a_figure_without_a_date(demo):
    found = by_source(figures(demo, "nk-refugees-china", "--window", "10000"), "nk-refugees-china")
    assert found["courtland-robinson"]["verdict"] == "not-comparable"
    assert "no window can place a count that has no date" in found["courtland-robinson"]["comparisons"][0]["why"]


def test_demo_prints_the_race_figures_and_the_figures_compared(run):
    out = ok(run("demo", "--width", "0")).stdout  # as wide as the tables are: the reasons stay in theirs
    assert "Figures of pyongyang-2025:" in out and "stadium-spectators" in out and "around 2,750" in out
    assert "Figures compared, on dprk-famine and nk-refugees-china:" in out
    for topic, source in (("dprk-famine", "house-irc-memo-1998"), ("nk-refugees-china", "courtland-robinson")):
        (compared,) = by_source(figures(run, topic), topic)[source]["comparisons"]
        assert compared["verdict"] in out
        for line in textwrap.wrap(compared["why"], 60, break_on_hyphens=False):  # the table wraps it so
            assert line in out


def test_demo_json_stays_the_disputes_of_the_event(demo):
    assert [d["kind"] for d in as_json(demo("demo", "-f", "json"))] == ["position"]


def test_figures_of_the_event_are_its_own_and_its_races(demo):
    found = figures(demo, "pyongyang-2025")
    assert len(found) == 8
    assert all(f["subject"] == "pyongyang-2025" or f["subject"].startswith("pyongyang-2025/") for f in found)


def _figure_ids_under(out: str, heading: str) -> list[int]:
    """The ids in the first column of the figure table under `heading`."""
    below = out.split(heading, 1)[1].splitlines()[1:]
    return [int(line.split()[0]) for line in below if line[:1].isdigit()]


def test_results_table_shows_the_figures_about_the_category_its_race_and_its_event(demo):
    out = ok(demo("results", "pyongyang-2025/marathon/amateur-men", "--width", "0")).stdout
    assert "Wojciech Kopec" in out.split("Figures about")[0]
    ids = _figure_ids_under(out, "Figures about pyongyang-2025/marathon/amateur-men, its race and its event")
    assert sorted(ids) == [1, 2, 3, 4, 5]  # the event's four and the marathon's fee, not the half's


def test_results_json_and_csv_stay_the_placings_alone(demo):
    placings = as_json(demo("results", "pyongyang-2025/marathon/amateur-men", "-f", "json"))
    assert all("position" in p for p in placings)
    assert "Figures" not in ok(demo("results", "pyongyang-2025/marathon/amateur-men", "-f", "csv")).stdout


def test_an_event_and_a_race_list_their_figures_under_the_catalog(demo):
    event = ok(demo("race", "list", "pyongyang-2025", "--width", "0")).stdout
    assert sorted(_figure_ids_under(event, "Figures about pyongyang-2025 and its races")) == list(range(1, 9))
    race = ok(demo("category", "list", "pyongyang-2025/half-marathon")).stdout
    assert _figure_ids_under(race, "Figures about pyongyang-2025/half-marathon and what it holds") == [6]
    assert "Figures" not in ok(demo("race", "list")).stdout
    assert [r["slug"] for r in as_json(demo("race", "list", "pyongyang-2025", "-f", "json"))][0] == "pyongyang-2025/10k"


def test_figures_table_lists_each_figure_with_its_verdict(demo):
    out = ok(demo("figures", "dprk-famine")).stdout
    assert "220,000" in out and "300,000-800,000" in out and "verdict: disputed" in out  # said once, above
    why = " ".join(out.split("Why:", 1)[1].split())  # under the table: the rule's words on the pair
    assert why.startswith("figures 9 and 10, disputed: taking the peak year to fall within 1995-1998")


def test_figure_show_is_the_figure_whole_with_the_entry_that_recorded_it(demo, db):
    memo = by_source(figures(demo, "dprk-famine"), "dprk-famine")["house-irc-memo-1998"]
    shown = as_json(demo("figure", "show", str(memo["id"]), "-f", "json"))
    assert shown == memo
    with connect(db) as conn:
        kind, entry_hash = conn.execute(text("SELECT kind, entry_hash FROM journal WHERE seq = :seq"),
                                        {"seq": shown["seq"]}).one()
    assert (kind, entry_hash) == ("figure", shown["entry_hash"])
    table = ok(demo("figure", "show", str(memo["id"]))).stdout
    assert f"journal entry {shown['seq']}, hash {entry_hash}" in table
    assert "disputed" in table and "House International Relations Committee" in table


def test_figure_show_of_an_unknown_id_is_one_error_line(demo):
    result = demo("figure", "show", "999")
    assert result.exit_code == 1
    assert result.stderr == "Error: no figure 999; figure ids are shown by: raceledger figures\n"


# --- disputes ---------------------------------------------------------------------------------------


def figure_disputes(run, *args: str) -> list[dict]:
    return [d for d in as_json(run("disputes", *args, "-f", "json")) if d["kind"] == "figure"]


def test_disputes_list_the_famine_pair_once_beside_the_placing_dispute(demo):
    listed = as_json(demo("disputes", "-f", "json"))
    assert [d["kind"] for d in listed] == ["position", "figure"]
    (famine,) = [d for d in listed if d["kind"] == "figure"]
    assert (famine["subject"], famine["measure"], famine["verdict"]) == ("dprk-famine", "deaths", "disputed")
    assert (famine["category"], famine["position"], famine["athlete"], famine["claims"]) == (None, None, None, [])
    assert [f["source"] for f in famine["figures"]] == ["dprk-foreign-ministry", "house-irc-memo-1998"]
    assert "above that: disputed" in famine["why"]


def test_placing_disputes_keep_their_json_beside_figure_disputes(demo):
    everywhere = [d for d in as_json(demo("disputes", "-f", "json")) if d["kind"] != "figure"]
    assert everywhere == as_json(demo("disputes", "pyongyang-2025", "-f", "json"))
    assert set(everywhere[0]) == {"category", "kind", "position", "athlete", "verdict", "ruling", "claims"}


def test_disputes_of_a_topic(demo):
    assert [d["subject"] for d in figure_disputes(demo, "dprk-famine")] == ["dprk-famine"]
    assert as_json(demo("disputes", "nk-refugees-china", "-f", "json")) == []


def test_disputes_table_shows_figure_disputes_under_their_own_heading(demo):
    out = ok(demo("disputes", "--width", "0")).stdout
    assert "pyongyang-2025/marathon/amateur-men" in out
    assert "Figure disputes:" in out and "dprk-foreign-ministry" in out and "house-irc-memo-1998" in out


def test_disputes_csv_is_one_table(demo):
    lines = ok(demo("disputes", "-f", "csv")).stdout.splitlines()
    header = lines[0].split(",")
    assert {"category", "kind", "subject", "measure", "low", "high", "why"} <= set(header)
    assert len(lines) == 5  # the header, two placing claims, two figures


def test_a_disputed_pair_is_listed_once_each(demo):
    ok(demo("figure", "add", "dprk-famine", "deaths", "--source", "experts-2003", "--value", "600000",
            "--approximately", "--unit", "persons", "--kind", "total", "--period", "1995..1998"))
    pairs = [tuple(f["source"] for f in d["figures"]) for d in figure_disputes(demo)]
    assert sorted(pairs) == [("dprk-foreign-ministry", "experts-2003"), ("dprk-foreign-ministry", "house-irc-memo-1998")]
    table = ok(demo("disputes", "dprk-famine")).stdout  # subject, measure and verdict said above the rows
    paired = [line.split()[:4] for line in table.splitlines() if line[:1].isdigit()]
    assert paired == [["9", "and", "10", "9"], ["9", "and", "10", "10"], ["9", "and", "13", "9"], ["9", "and", "13", "13"]]


# --- adding figures through the CLI -----------------------------------------------------------------


@pytest.fixture
def town(ledger):
    """A ledger with an event, a topic and two sources."""
    for args in (("event", "add", "city-2025", "--name", "City Marathon", "--date", "2025-10-12"),
                 ("topic", "add", "city-floods", "--name", "Floods in the city"),
                 ("source", "add", "paper", "--name", "The Paper", "--kind", "press"),
                 ("source", "add", "mayor", "--name", "The mayor", "--kind", "official")):
        ok(ledger(*args))
    return ledger


def test_figure_add_records_the_figure_as_stated(town):
    result = ok(town("figure", "add", "city-2025", "fee", "--source", "mayor", "--via", "paper", "--value", "2750.50",
                     "--approximately", "--unit", "usd", "--kind", "at-date", "--at", "2025-10-12",
                     "--measure-name", "Entry fee", "--method", "the price list", "--url", "https://paper.example/1",
                     "--quote", "about $2,750.50", "--published", "2025-10-13"))
    assert result.stdout == "Recorded figure 1.\n"
    (figure,) = figures(town)
    assert {key: figure[key] for key in FIGURE_KEYS} == {
        "id": 1, "subject": "city-2025", "measure": "fee", "value": "2750.50", "low": "2750.50", "high": "2750.50",
        "approximately": True, "unit": "USD", "kind": "at-date", "period": None, "at": "2025-10-12",
        "source": "mayor", "via": "paper", "quote": "about $2,750.50", "url": "https://paper.example/1",
        "verdict": "single-source", "comparisons": []}
    assert (figure["method"], figure["published"], figure["measure_name"]) == ("the price list", "2025-10-13",
                                                                              "Entry fee")


def test_a_range_over_a_period_of_days(town):
    ok(town("figure", "add", "city-floods", "deaths", "--source", "mayor", "--low", "10", "--high", "12",
            "--unit", "persons", "--kind", "total", "--period", "2024-07-01..2025-06-30", "--measure-name", "Deaths"))
    (figure,) = figures(town, "city-floods")
    assert (figure["value"], figure["low"], figure["high"], figure["period"]) == (
        None, "10", "12", ["2024-07-01", "2025-06-30"])


def two_around(run, first: str, second: str) -> None:
    for source, value in (("mayor", first), ("paper", second)):
        ok(run("figure", "add", "city-2025", "participants", "--source", source, "--value", value, "--approximately",
               "--unit", "persons", "--kind", "at-date", "--at", "2025-10-12", "--measure-name", "Participants")
           if source == "mayor" else
           run("figure", "add", "city-2025", "participants", "--source", source, "--value", value, "--approximately",
               "--unit", "persons", "--kind", "at-date", "--at", "2025-10-12"))


def test_tolerance_pct_widens_figures_given_as_around(town):
    two_around(town, "100", "115")
    assert {f["verdict"] for f in figures(town)} == {"consistent"}
    assert {f["verdict"] for f in figures(town, "--tolerance-pct", "0")} == {"disputed"}
    assert figure_disputes(town, "--tolerance-pct", "0")[0]["subject"] == "city-2025"
    assert figure_disputes(town) == []


def test_window_lets_counts_at_near_dates_compare(town):
    for source, at in (("mayor", "2025-10-12"), ("paper", "2025-10-20")):
        ok(town("figure", "add", "city-floods", "refugees", "--source", source, "--value", "500", "--unit", "persons",
                "--kind", "at-date", "--at", at, "--measure-name", "Displaced people"))
    assert {f["verdict"] for f in figures(town)} == {"not-comparable"}
    assert {f["verdict"] for f in figures(town, "--window", "8")} == {"consistent"}
    shown = as_json(town("figure", "show", "1", "--window", "8", "-f", "json"))
    assert "8 days apart, within the 8-day window" in shown["comparisons"][0]["why"]


def test_different_units_are_never_consistent(town):
    ok(town("figure", "add", "city-2025", "fee", "--source", "mayor", "--value", "100", "--unit", "USD",
            "--kind", "at-date", "--at", "2025", "--measure-name", "Entry fee"))
    ok(town("figure", "add", "city-2025", "fee", "--source", "paper", "--value", "100", "--unit", "EUR",
            "--kind", "at-date", "--at", "2025"))
    assert {f["verdict"] for f in figures(town)} == {"not-comparable"}


def test_a_known_measure_needs_no_name_and_refuses_another(town):
    ok(town("figure", "add", "city-2025", "fee", "--source", "mayor", "--value", "1", "--unit", "USD",
            "--kind", "at-date", "--measure-name", "Entry fee"))
    ok(town("figure", "add", "city-2025", "fee", "--source", "paper", "--value", "1", "--unit", "USD",
            "--kind", "at-date", "--measure-name", "Entry fee"))
    result = town("figure", "add", "city-2025", "fee", "--source", "paper", "--value", "1", "--unit", "USD",
                  "--kind", "at-date", "--measure-name", "Fee")
    assert result.exit_code == 1
    assert result.stderr == "Error: measure 'fee' is named 'Entry fee' already; drop --measure-name\n"


def test_topic_list(town):
    assert as_json(town("topic", "list", "-f", "json")) == [
        {"slug": "city-floods", "name": "Floods in the city", "figures": 0}]


VALID = ("figure", "add", "city-floods", "deaths", "--source", "mayor", "--unit", "persons", "--measure-name", "Deaths")

ERRORS = [
    pytest.param(("--low", "5", "--high", "3", "--kind", "total"), 1,
                 "Error: low 5 is above high 3: give the smaller bound as low", id="low-above-high"),
    pytest.param(("--value", "many", "--kind", "total"), 2,
                 "Error: Invalid value for '--value': bad number 'many': expected digits with an optional decimal "
                 "point, e.g. 220000 or 2750.5 (see 'cli figure add --help')", id="not-a-number"),
    pytest.param(("--value", "1e5", "--kind", "total"), 2,
                 "Error: Invalid value for '--value': bad number '1e5': expected digits with an optional decimal "
                 "point, e.g. 220000 or 2750.5 (see 'cli figure add --help')", id="no-exponent"),
    pytest.param(("--value", "5", "--kind", "overall"), 2,
                 "Error: Invalid value for '--kind': unknown kind 'overall': expected one of total, per-year, "
                 "peak-year, at-date (see 'cli figure add --help')", id="unknown-kind"),
    pytest.param(("--value", "5", "--kind", "total", "--period", "1998..1995"), 2,
                 "Error: Invalid value for '--period': bad period 1998-1995: its end is before its start; give "
                 "START..END (see 'cli figure add --help')", id="period-end-before-start"),
    pytest.param(("--value", "5", "--kind", "total", "--at", "2003"), 1,
                 "Error: a total figure holds over a period: give it a period, not a date", id="date-for-a-total"),
    pytest.param(("--value", "5", "--kind", "at-date", "--period", "1995..1998"), 1,
                 "Error: an at-date figure holds at one date: give it a date, not a period", id="period-for-at-date"),
    pytest.param(("--value", "5", "--low", "1", "--high", "9", "--kind", "total"), 2,
                 "Error: give --value N, or --low N --high N, not both (see 'cli figure add --help')",
                 id="value-and-range"),
    pytest.param(("--low", "5", "--kind", "total"), 2,
                 "Error: give --value N, or both --low N and --high N (see 'cli figure add --help')",
                 id="half-a-range"),
]


@pytest.mark.parametrize("extra, code, message", ERRORS)
def test_figure_add_errors_are_one_line_and_write_nothing(town, db, extra, code, message):
    before = state(db)
    result = town(*VALID, *extra)
    assert (result.exit_code, result.stderr) == (code, message + "\n")
    assert result.stdout == ""
    assert state(db) == before


MALFORMED = [
    pytest.param({"low": Decimal(5), "high": Decimal(3), "kind": "total"},
                 "low 5 is above high 3: give the smaller bound as low", id="low-above-high"),
    pytest.param({"low": Decimal(5), "high": Decimal(5), "kind": "at-date", "period": (1995, 1998)},
                 "an at-date figure holds at one date: give it a date, not a period", id="period-for-at-date"),
    pytest.param({"low": Decimal(5), "high": Decimal(5), "kind": "total", "at": 2003},
                 "a total figure holds over a period: give it a period, not a date", id="date-for-a-total"),
    pytest.param({"low": Decimal(5), "high": Decimal(5), "kind": "total", "period": (1998, 1995)},
                 "bad period 1998-1995: its end is before its start; give START..END", id="period-backwards"),
]


@pytest.mark.parametrize("shape, message", MALFORMED)
def test_write_figures_add_refuses_a_malformed_figure_whoever_calls_it(town, db, shape, message):
    """The shape checks live in the write service, not only in the CLI that parses options for it."""
    from ledger.store.engine import open_engine, transaction
    from ledger.write import figures as writing

    before = state(db)
    engine, _ = open_engine(db)
    try:
        with pytest.raises(LedgerError) as refused, transaction(engine) as session:
            writing.add(session, "tester", "city-floods", "deaths", "mayor", unit_name="persons",
                        measure_name="Deaths", **shape)
    finally:
        engine.dispose()
    assert str(refused.value) == message
    assert state(db) == before


@pytest.mark.parametrize("args, message", [
    (("figure", "add", "city-flods", "deaths", "--source", "mayor", "--value", "1", "--unit", "persons",
      "--kind", "total"),
     "Error: no topic or event 'city-flods'; did you mean 'city-floods'? or add a topic with: "
     "raceledger topic add city-flods --name NAME"),
    (("figure", "add", "city-2025/marathon", "fee", "--source", "mayor", "--value", "1", "--unit", "USD",
      "--kind", "total"),
     "Error: no race 'city-2025/marathon'"),
    (("figure", "add", "city-floods", "deaths", "--source", "major", "--value", "1", "--unit", "persons",
      "--kind", "total", "--measure-name", "Deaths"),
     "Error: no source 'major'; did you mean 'mayor'?"),
    (("figure", "add", "city-floods", "deaths", "--source", "mayor", "--via", "newspaper", "--value", "1",
      "--unit", "persons", "--kind", "total", "--measure-name", "Deaths"),
     "Error: no source 'newspaper'; did you mean 'paper'?"),
    (("figure", "add", "city-floods", "deaths", "--source", "mayor", "--value", "1", "--unit", "persns",
      "--kind", "total", "--measure-name", "Deaths"),
     "Error: unknown unit 'persns': did you mean 'persons'? expected one of persons, households, tonnes, km, m, "
     "percent, USD, EUR, GBP, CHF, CNY, HKD, JPY, KRW, KPW, RUB, AUD, SGD"),
    (("figure", "add", "city-floods", "deaths", "--source", "mayor", "--value", "1", "--unit", "persons",
      "--kind", "total"),
     "Error: no measure 'deaths' yet; name the new measure with --measure-name, e.g. --measure-name 'Deaths'"),
    (("figure", "add", "city-floods", "deaths", "--source", "mayor", "--value", "1", "--unit", "persons",
      "--kind", "total", "--measure-name", "Deaths", "--published", "2025-02-30"),
     "Error: bad --published date '2025-02-30': expected YYYY-MM-DD, e.g. 2025-04-06"),
    (("topic", "add", "city-floods", "--name", "Again"), "Error: topic 'city-floods' already exists"),
    (("topic", "add", "city-2025", "--name", "The race"),
     "Error: 'city-2025' is an event already; give the topic a slug of its own"),
    (("topic", "add", "City_Floods", "--name", "x"),
     "Error: bad topic slug 'City_Floods': expected lowercase letters, digits and hyphens, e.g. dprk-famine"),
    (("figure", "retract", "7", "--reason", "gone"), "Error: no figure 7; figure ids are shown by: raceledger figures"),
], ids=["unknown-subject", "unknown-race", "unknown-source", "unknown-via", "unknown-unit", "unnamed-measure",
        "bad-published", "topic-twice", "topic-on-an-event", "bad-topic-slug", "retract-unknown"])
def test_lookup_errors_are_one_line_and_write_nothing(town, db, args, message):
    before = state(db)
    result = town(*args)
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert state(db) == before


@pytest.mark.parametrize("args", [("figures", "--tolerance-pct", "101"), ("figures", "--window", "-1"),
                                  ("figures", "--tolerance-pct", "ten")])
def test_bad_weighing_options_are_usage_errors(town, args):
    result = town(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Invalid value for") and result.stderr.count("\n") == 1


def test_figures_of_an_unknown_scope(town):
    result = town("figures", "city-2024")
    assert (result.exit_code, result.stderr) == (1, "Error: no topic or event 'city-2024'; did you mean 'city-2025'?\n")


# --- retraction and rulings -----------------------------------------------------------------------


def famine(run) -> tuple[dict, dict]:
    found = by_source(figures(run, "dprk-famine"), "dprk-famine")
    return found["dprk-foreign-ministry"], found["house-irc-memo-1998"]


def test_a_retracted_figure_is_shown_but_never_weighed(demo, db):
    choe, memo = famine(demo)
    result = ok(demo("figure", "retract", str(memo["id"]), "--reason", "The memo was withdrawn"))
    assert result.stdout.startswith(f"Retracted figure {memo['id']} (journal entry ")
    choe, memo = famine(demo)
    assert (memo["verdict"], memo["comparisons"], memo["standing"]) == ("retracted", [], "retracted")
    assert memo["standing_reason"] == "The memo was withdrawn"
    assert (choe["verdict"], choe["comparisons"]) == ("single-source", [])
    assert figure_disputes(demo) == []
    table = ok(demo("figures", "dprk-famine", env={"COLUMNS": "200"})).stdout  # the standing wraps at 30
    assert "retracted: The memo was" in table and "withdrawn" in table
    before = state(db)
    again = demo("figure", "retract", str(memo["id"]), "--reason", "again")
    assert again.exit_code == 1 and again.stderr.startswith(f"Error: figure {memo['id']} was already retracted")
    assert state(db) == before


def test_a_ruling_settles_the_famine_dispute_and_keeps_the_verdicts(demo, db):
    choe, memo = famine(demo)
    assert ok(demo("figure", "rule", str(memo["id"]), "--by", "A statistics office", "--reason", "Census",
                   "--decided", "2010-01-01")).stdout == "Recorded figure ruling 1.\n"
    choe, memo = famine(demo)
    assert (memo["standing"], choe["standing"]) == ("accepted", "overruled")
    assert memo["verdict"] == choe["verdict"] == "disputed"
    assert choe["ruling"] == {"id": 1, "seq": choe["ruling"]["seq"], "accepted_figure": memo["id"],
                              "decided_by": "A statistics office", "reason": "Census", "decided": "2010-01-01"}
    assert figure_disputes(demo) == []
    (settled,) = figure_disputes(demo, "--all")
    assert (settled["verdict"], settled["ruling"]["accepted_figure"]) == ("ruled", memo["id"])


def test_a_ruling_on_a_retracted_figure_is_refused(demo, db):
    _, memo = famine(demo)
    ok(demo("figure", "retract", str(memo["id"]), "--reason", "withdrawn"))
    before = state(db)
    result = demo("figure", "rule", str(memo["id"]), "--by", "Office", "--reason", "r")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: figure {memo['id']} is retracted (withdrawn); accept a live figure\n")
    assert state(db) == before


# --- history, export, load, verify ----------------------------------------------------------------


def test_history_of_a_topic_summarises_its_entries(demo):
    _, memo = famine(demo)
    ok(demo("figure", "retract", str(memo["id"]), "--reason", "withdrawn"))
    ok(demo("figure", "rule", str(famine(demo)[0]["id"]), "--by", "Office", "--reason", "sole figure"))
    entries = as_json(demo("history", "dprk-famine", "-f", "json"))
    assert [e["kind"] for e in entries] == ["topic", "figure", "figure", "figure-retract", "figure-rule"]
    summaries = [e["summary"] for e in entries]
    assert summaries[0] == "topic dprk-famine: The Great North Korean Famine of the late 1990s"
    assert summaries[1] == ("figure 9 on dprk-famine, deaths: dprk-foreign-ministry (via rare-glimpse-inside) says "
                            "220,000 persons, total over 1995..1998")
    assert summaries[2].endswith("says 300,000-800,000 persons, peak-year")
    assert summaries[3] == f"figure {memo['id']} retracted: withdrawn"
    assert summaries[4] == "figure ruling 1: figure 9 holds (by Office: sole figure)"


def test_export_load_export_gives_the_same_bytes_and_verify_deep_passes(demo, tmp_path):
    _, memo = famine(demo)
    ok(demo("figure", "retract", str(memo["id"]), "--reason", "withdrawn"))
    ok(demo("figure", "rule", "1", "--by", "Organisers", "--reason", "start list"))
    first, second, copy = tmp_path / "first.jsonl", tmp_path / "second.jsonl", str(tmp_path / "copy.db")
    ok(demo("export", str(first)))
    runner = CliRunner()
    for args in (("load", str(first)), ("export", str(second)), ("verify", "--deep")):
        assert runner.invoke(cli, ["--db", copy, *args]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert '"kind":"figure-retract"' in first.read_text()
    deep = ok(demo("verify", "--deep"))
    assert "Verified" in deep.stdout
    loaded = runner.invoke(cli, ["--db", copy, "figures", "-f", "json"])
    assert json.loads(loaded.stdout) == figures(demo)


def test_verify_deep_finds_a_figure_edited_behind_the_journal(demo, db):
    with connect(db) as conn:
        conn.execute(text("UPDATE figure SET low = '1', high = '1' WHERE id = 9"))
        conn.commit()
    result = demo("verify", "--deep")
    assert result.exit_code == 1
    assert "figure 9: low is '1' in the ledger but '220000' by replaying the journal" in result.stdout
