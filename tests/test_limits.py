"""One limit per field, the same on SQLite and PostgreSQL, checked before anything is written.

Each case here was a traceback, or a value SQLite stored and PostgreSQL then refused to load.
"""

from __future__ import annotations

import json

import pytest
from conftest import _reset_postgres
from helpers import as_json, build, city_marathon, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_exchange import on
from test_fuzz_cli import rechained

from ledger.core import limits
from ledger.projection.import_rows import IMPORT_COLUMNS

CAT = "city-2025/marathon/open-men"
HUGE = "99999999999999999999"
LONG = "a" * 10_000

pytestmark = pytest.mark.city([
    *city_marathon({"open-men": ("Open men", "M")}),
    ("athlete", "add", "Anna Nowak"),
    ("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1"),
])


def refused(run, *args: str) -> str:
    """The one error line of a command that must fail with exit 1 and leave the journal as it was."""
    head = ok(run("head"))
    result = run(*args)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert ok(run("head")) == head
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("args, says", [
    (("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", HUGE),
     f"bad position {HUGE}: must be at most 2147483647"),
    (("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "9223372036854775807"),
     "must be at most 2147483647"),
    (("retract", HUGE, "--reason", "typo"), f"bad claim id {HUGE}: must be from 1 to 2147483647"),
    (("rule", CAT, "--position", "1", "--accept", HUGE, "--by", "Referee", "--reason", "photo"),
     f"bad claim id {HUGE}: must be from 1 to 2147483647"),
    (("history", HUGE), f"bad claim id {HUGE}: must be from 1 to 2147483647"),
    (("athlete", "show", f"#{HUGE}"), f"bad athlete id {HUGE}: must be from 1 to 2147483647"),
    (("claim", CAT, "--source", "timing", "--athlete", f"#{HUGE}", "--position", "2"), "bad athlete id"),
    (("race", "add", "city-2025/half", "--name", "Half", "--distance", HUGE),
     f"bad race distance_m {HUGE}: must be from 1 to 2147483647"),
    (("figure", "show", HUGE), f"bad figure id {HUGE}: must be from 1 to 2147483647"),
    (("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--time", "999:00:00"),
     "bad time '999:00:00': must be at most 596:31:23.647"),
])
def test_numbers_past_what_a_column_holds_are_one_error_naming_the_limit(city, args, says):
    assert says in refused(city, *args)


@pytest.mark.parametrize("args, says", [
    (("athlete", "add", LONG), "athlete name is too long: at most 300 characters, got 'aaaa"),
    (("athlete", "add", "Anna\x00Nowak"), "athlete name holds the control character '\\x00' at character 5"),
    (("athlete", "add", "\x1b[2J\x1b[31mAnna"), "athlete name holds the control character '\\x1b' at character 1"),
    (("athlete", "add", "Anna", "--alias", "A\tNowak"), "--alias holds the control character '\\t'"),
    (("event", "add", "city-2026", "--name", "City", "--date", "2026-10-11", "--place", "x" * 301),
     "event place is too long: at most 300 characters"),
    (("source", "add", "blog", "--name", "Blog", "--kind", "press", "--url", "javascript:alert(1)"),
     "bad source url 'javascript:alert(1)': expected an http:// or https:// address"),
    (("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "2", "--url", "file:///etc/passwd"),
     "bad claim url 'file:///etc/passwd': expected an http:// or https:// address"),
    (("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "2", "--quote", "q" * 10_001),
     "claim quote is too long: at most 10000 characters"),
    (("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "2", "--quote", "a\x07b"),
     "claim quote holds the control character '\\x07' at character 2; only newlines and tabs are allowed"),
    (("claim", CAT, "--source", "timing", "--athlete", LONG, "--position", "2"),
     "athlete name is too long: at most 300 characters"),
    (("results", "x" * 500), "slug is too long: at most 200 characters"),
    (("retract", "1", "--reason", "r" * 2001), "--reason is too long: at most 2000 characters"),
    (("--as", "clerk\x1b[2J", "athlete", "add", "Eva Berg"), "who records the entry (--as) holds the control character"),
])
def test_texts_past_their_limit_or_with_control_characters_are_refused(city, args, says):
    line = refused(city, *args)
    assert says in line
    assert len(line) < 300  # the value is shortened, never echoed whole


def test_a_quote_may_keep_newlines_and_tabs(city):
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1",
            "--quote", "First line\n\tsecond line"))
    quotes = [c["quote"] for p in as_json(city("results", CAT, "-f", "json")) for c in p["claims"]]
    assert "First line\n\tsecond line" in quotes


def test_a_status_keeps_the_note_its_source_wrote_as_an_import_does(city):
    ok(city("athlete", "add", "Eva Berg"))
    ok(city("claim", CAT, "--source", "timing", "--athlete", "Eva Berg", "--status", "DQ TR 54.7.3"))
    claims = [c for p in as_json(city("results", CAT, "-f", "json")) for c in p["claims"]]
    assert [(c["status"], c["status_note"]) for c in claims if c["athlete"] == "Eva Berg"] == [("DQ", "TR 54.7.3")]
    assert "DQ TR 54.7.3" in ok(city("history", CAT))


def test_an_athlete_named_by_id_keeps_no_name_as_written_unless_one_is_given(city):
    ok(city("claim", CAT, "--source", "timing", "--athlete", "#1", "--position", "1"))
    ok(city("claim", CAT, "--source", "timing", "--athlete", "#1", "--written-as", "A. Nowak", "--position", "1"))
    claims = [c for p in as_json(city("results", CAT, "-f", "json")) for c in p["claims"]]
    assert [c["as_written"] for c in claims] == ["Anna Nowak", None, "A. Nowak"]
    assert "#1" not in ok(city("history", CAT))


def test_every_limit_is_stated_once_with_a_kind_the_entries_use():
    assert set(limits.ENTRY_FIELDS.values()) <= set(limits.TEXTS) | set(limits.WHOLES)
    assert all(limit.most <= limits.LARGEST for limit in limits.WHOLES.values())


def test_a_loaded_import_row_past_the_limits_is_refused_on_both_databases(city, tmp_path, db):
    path = tmp_path / "results.csv"
    path.write_text("Place,Name,Time\n1,Eva Berg,2:31:07\n", encoding="utf-8")
    # --again: timing claims place 1 already, and a repeating file is refused without it (issue 21)
    ok(city("import", CAT, str(path), "--source", "timing", "--again"))
    entries = [json.loads(line) for line in ok(city("export")).splitlines()]
    (row,) = entries[-1]["body"]["rows"]
    row[IMPORT_COLUMNS.index("status")] = "XYZ"
    (tmp_path / "bad.jsonl").write_bytes(rechained(entries))
    target = on(str(tmp_path / "copy.db") if not db.startswith("postgresql") else db)
    if db.startswith("postgresql"):
        _reset_postgres(db)
    result = target("load", str(tmp_path / "bad.jsonl"))
    assert result.exit_code == 1 and "row 2: bad sex, status or decimals" in result.stderr, result.stderr


# --- anything SQLite accepts loads into PostgreSQL, and exports back the same -------------------------

texts = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\x1b[2J", "line\nbreak", "tab\there", "\u202eevil", "é" * 300,
                     "x" * 301, "q" * 10_001, "https://example.org/a", "javascript:alert(1)"]),
)
numbers = st.one_of(st.integers(min_value=-3, max_value=5),
                    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**20]))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(texts, texts, numbers), min_size=1, max_size=6))
def test_whatever_sqlite_accepts_loads_into_postgresql_and_exports_back_identical(tmp_path_factory, pg_url, steps):
    if not pg_url:
        pytest.skip("needs PostgreSQL (RACELEDGER_TEST_PG_URL)")
    folder = tmp_path_factory.mktemp("exchange")
    sqlite = on(str(folder / "source.db"))
    build(sqlite, [("init",), *city_marathon({"open-men": ("Open men", "M")})])
    for i, (name, quote, number) in enumerate(steps):
        sqlite("athlete", "add", name)
        sqlite("claim", CAT, "--source", "timing", "--unnamed", f"runner {i}", "--position", str(number),
               "--quote", quote, "--url", quote)
        sqlite("claim", CAT, "--source", "timing", "--unnamed", name or "x", "--position", "1", "--quote", quote)
        sqlite("event", "add", f"e-{i}", "--name", quote or "e", "--date", "2025-01-01", "--place", name)
    ok(sqlite("export", str(folder / "sqlite.jsonl")))
    _reset_postgres(pg_url)
    postgres = on(pg_url)
    ok(postgres("load", str(folder / "sqlite.jsonl")))
    ok(postgres("export", str(folder / "postgres.jsonl")))
    assert (folder / "postgres.jsonl").read_bytes() == (folder / "sqlite.jsonl").read_bytes()


def _verdict(body: dict) -> str | None:
    try:
        limits.check_entry("claim", body, "tester")
    except limits.LedgerError as exc:
        return str(exc)
    return None


@given(st.sampled_from(sorted(limits.ENTRY_FIELDS) + ["date", "status", "kind"]),
       st.one_of(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\x00\n\t\x0b\x85\ud800"),
                         max_size=30)
                 | st.integers(min_value=15, max_value=2100).map(lambda n: "ab" * n),
                 st.integers(min_value=-2**33, max_value=2**33), st.booleans(), st.none(),
                 st.just("https://e.example/a"), st.just("ftp://e.example/a")))
def test_a_flat_value_is_judged_as_the_full_check_judges_it(key, value):
    """check_entry tests a dict's flat values on a fast path; a value inside a list takes the full
    one (`text`, `whole`). Both refuse exactly the same values (issue 21 point 8 made the first)."""
    fast, full = _verdict({key: value}), _verdict({key: [value]})
    assert (fast is None) == (full is None), (fast, full)
