"""Mutation survivors found in review (issue 23), each pinned by what a user sees; on SQLite and PostgreSQL.

Two dates exactly the window apart; a 10-digit id that is valid but unknown; carriage return, vertical
tab and form feed in quotes and reasons; a retracted `via` claim; an ETag from a server with another
tolerance; an export line with only its prev_hash edited.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import MARATHON, as_json, city_marathon, ok

from cli import cli

WOMEN = f"{MARATHON}/open-women"
LARGEST_ID = "2147483647"  # ten digits, the largest id the ledger takes (README, "Limits and bad input")

pytestmark = pytest.mark.city([*city_marathon({"open-women": ("Open women", "F")}, ("timing", "gazette", "state-tv")),
                               ("athlete", "add", "Anna Nowak")])


@pytest.fixture
def client(client_of):
    """The web view of the ledger at `db`, as `raceledger serve` opens it; make(tolerance_ms=...) -> TestClient."""
    return client_of


def claim(run, source: str, *args: str):
    return ok(run("claim", WOMEN, "--source", source, "--athlete", "Anna Nowak", "--position", "1", *args))


# --- the figure rule's window: a bound that holds ---------------------------------------------------------


@pytest.mark.parametrize("window,verdict", [("365", "consistent"), ("364", "not-comparable")])
def test_counts_exactly_the_window_apart_compare_and_a_day_more_do_not(city, window, verdict):
    ok(city("topic", "add", "city-floods", "--name", "Floods in the city"))
    for source, at in (("timing", "2025-01-01"), ("gazette", "2026-01-01")):  # 365 days apart
        ok(city("figure", "add", "city-floods", "displaced", "--source", source, "--value", "500", "--unit",
                "persons", "--kind", "at-date", "--at", at, "--measure-name", "Displaced people"))
    found = as_json(city("figures", "city-floods", "--window", window, "-f", "json"))
    assert [f["verdict"] for f in found] == [verdict, verdict]
    why = found[0]["comparisons"][0]["why"]
    if verdict == "consistent":
        assert "(365 days apart, within the 365-day window)" in why
    else:
        assert "are not at the same date, nor within the 364-day window" in why


# --- a valid id no row has is unknown, not bad ------------------------------------------------------------


@pytest.mark.parametrize("number", [LARGEST_ID, "1000000000"])
def test_claim_show_of_a_ten_digit_id_no_claim_has_says_no_claim(city, number):
    result = city("claim", "show", number)
    assert result.exit_code == 1
    assert result.stderr == f"Error: no claim {number}; claim ids are shown by: raceledger results CATEGORY\n"


def test_an_id_past_the_largest_is_bad(city):
    result = city("claim", "show", "2147483648")
    assert result.exit_code == 1
    assert result.stderr == "Error: bad claim id 2147483648: must be from 1 to 2147483647\n"


@pytest.mark.parametrize("number", [LARGEST_ID, "1000000000"])
def test_the_web_page_of_a_ten_digit_claim_id_no_claim_has_says_no_claim(city, client, number):
    web = client()
    page = web.get(f"/claims/{number}.json")
    assert page.status_code == 404
    assert json.loads(page.text)["error"] == f"no claim {number}; claim ids are shown by: raceledger results CATEGORY"
    bad = web.get("/claims/21474836470.json")
    assert bad.status_code == 404
    assert json.loads(bad.text)["error"] == "no claim '21474836470': claims are numbered, e.g. /claims/9"


# --- carriage return, vertical tab and form feed are no newline -------------------------------------------


@pytest.mark.parametrize("control", ["\r", "\x0b", "\x0c"])
def test_a_quote_holding_a_control_character_other_than_newline_or_tab_is_refused(city, control):
    head = ok(city("head"))
    result = city("claim", WOMEN, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1",
                  "--quote", f"first{control}line")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: claim quote holds the control character {control!r} at character 6; only "
                             f"newlines and tabs are allowed: {f'first{control}line'!r}\n")
    assert ok(city("head")) == head


@pytest.mark.parametrize("control", ["\r", "\x0b", "\x0c"])
def test_a_reason_holding_a_control_character_other_than_newline_or_tab_is_refused(city, control):
    claim(city, "timing")
    claim(city, "gazette", "--time", "2:31:40")
    head = ok(city("head"))
    refused = [city("retract", "1", "--reason", f"wrong{control}place"),
               city("rule", WOMEN, "--position", "1", "--accept", "1", "--by", "Referee",
                    "--reason", f"wrong{control}place")]
    for result in refused:
        assert result.exit_code == 1
        assert result.stderr == (f"Error: --reason holds the control character {control!r} at character 6; only "
                                 f"newlines and tabs are allowed: {f'wrong{control}place'!r}\n")
    assert ok(city("head")) == head


def test_newlines_and_tabs_are_kept_in_quotes_and_reasons(city):
    claim(city, "timing", "--quote", "first\nline\tend")
    ok(city("retract", "1", "--reason", "wrong\n\tplace"))
    (shown,) = as_json(city("results", WOMEN, "--all", "-f", "json"))[0]["claims"]
    assert (shown["quote"], shown["standing_reason"]) == ("first\nline\tend", "wrong\n\tplace")


# --- a retracted report joins no lines --------------------------------------------------------------------


def test_a_retracted_via_claim_no_longer_makes_its_claimant_and_reporter_one_line(city):
    claim(city, "state-tv", "--via", "gazette")
    claim(city, "state-tv")
    claim(city, "gazette")
    (placing,) = as_json(city("results", WOMEN, "-f", "json"))
    assert (placing["verdict"], placing["lines"]) == ("single-source", 1)  # state-tv reached us via the gazette
    ok(city("retract", "1", "--reason", "State TV's report was misquoted"))
    (placing,) = as_json(city("results", WOMEN, "-f", "json"))
    assert (placing["verdict"], placing["lines"]) == ("agreed", 2)
    assert {c["id"]: c["line"] for c in placing["claims"]} == {2: "state-tv", 3: "gazette"}
    shown = as_json(city("claim", "show", "2", "-f", "json"))
    assert (shown["placing"]["verdict"], shown["placing"]["lines"]) == ("agreed", 2)


# --- a page's ETag depends on the tolerance it was weighed with --------------------------------------------


@pytest.mark.parametrize("path", ["/disputes", f"/{WOMEN}", "/claims/1"])
def test_a_server_with_another_tolerance_never_answers_304_to_an_older_etag(city, client, path):
    claim(city, "timing", "--time", "2:31:07")
    claim(city, "gazette", "--time", "2:31:40")
    tag = client().get(path).headers["etag"]
    assert client().get(path, headers={"If-None-Match": tag}).status_code == 304
    other = client(tolerance_ms=60_000).get(path, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag


# --- the export's links are checked, not only its hashes ---------------------------------------------------


def test_an_export_line_with_only_its_prev_hash_edited_is_refused_by_load(db, tmp_path):
    source = str(tmp_path / "source.db")
    path = tmp_path / "ledger.jsonl"
    for args in (("demo",), ("export", str(path))):
        ok(CliRunner().invoke(cli, ["--db", source, *args]))
    lines = path.read_bytes().split(b"\n")
    linked = json.loads(lines[1])["entry_hash"]
    edited = linked[:-1] + ("0" if linked[-1] != "0" else "1")
    lines[2] = lines[2].replace(f'"prev_hash":"{linked}"'.encode(), f'"prev_hash":"{edited}"'.encode())
    path.write_bytes(b"\n".join(lines))
    result = CliRunner().invoke(cli, ["--db", db, "load", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {path}:3: entry 3 does not link to the entry before it (its prev_hash is "
                             f"{edited[:12]}..., the previous entry's hash is {linked[:12]}...); nothing was loaded\n")
    empty = CliRunner().invoke(cli, ["--db", db, "info"])
    assert empty.exit_code == 1 and ("no ledger at" in empty.stderr or "holds no ledger yet" in empty.stderr)
