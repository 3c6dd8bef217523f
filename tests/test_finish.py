"""`raceledger finish CATEGORY --source S [FILE]`: finish order by bib, whole or `--live` (issue 21, point 2)."""

from __future__ import annotations

import pytest
from helpers import MARATHON, as_json, city_marathon, entered, ok
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.errors import LedgerError
from ledger.imports.finish import FinishLine, parse_line

WOMEN = f"{MARATHON}/open-women"
START = "Bib,Name,Sex,Born\n101,Anna Nowak,F,1990\n57,Maria Silva,F,1988\n12,Eva Kern,F,1979\n8,Ida Berg,F,2001\n"

pytestmark = pytest.mark.city(city_marathon({"open-women": ("Open women", "F")}, ("timing", "gazette")))


@pytest.fixture
def started(city, tmp_path):
    entered(city, tmp_path, START)
    return city


def placed(run, *extra: str) -> list[tuple]:
    return [(p["position"], c["athlete"], c["bib"], c["time"], c["status"], c["source"])
            for p in as_json(run("results", WOMEN, "-f", "json", *extra)) for c in p["claims"]]


def counts(run) -> tuple[int, int]:
    found = as_json(run("info", "-f", "json"))
    return found["journal_entries"], found["claims"]


def test_a_finish_order_by_bib_is_numbered_in_order_as_one_entry(started):
    done = ok(started("finish", WOMEN, "--source", "timing", input="101 2:31:07\n\n57 2:31:40.5\n12 DNF\n8\n"))
    assert done == f"Recorded 3 finishers and 1 non-finisher in {WOMEN} (source timing) as journal entry 7.\n"
    assert placed(started) == [(1, "Anna Nowak", "101", "2:31:07", "FIN", "timing"),
                               (2, "Maria Silva", "57", "2:31:40.5", "FIN", "timing"),
                               (3, "Ida Berg", "8", None, "FIN", "timing"),
                               (None, "Eva Kern", "12", None, "DNF", "timing")]
    assert ok(started("verify", "--deep")).startswith("Verified 7 entries")


def test_every_bad_line_is_named_and_nothing_is_written(started, tmp_path):
    before = counts(started)
    path = tmp_path / "order.txt"
    path.write_text("101 2:31:07\n999 2:32:00\n57 2:30:00\n101 2:40:00\n12 soon\n", encoding="utf-8")
    failed = started("finish", WOMEN, "--source", "timing", str(path))
    assert failed.exit_code == 1
    assert failed.stderr.splitlines() == [
        f"{path}:2: unknown bib 999: no entrant of the race and no claim gives it (record the start list with: "
        "raceledger entrants import)",
        f"{path}:3: time 2:30:00 is earlier than 2:31:07 on line 1: a gun time never falls down the order",
        f"{path}:4: bib 101 is also on line 1",
        f"{path}:5: 'soon' is neither a time nor a status: expected BIB [TIME] [STATUS], e.g. '123 2:31:07' or '45 DNF'",
        f"Error: {path}: 4 bad lines; nothing was recorded (fix them, or record the good lines with --skip-invalid)",
    ]
    assert counts(started) == before
    done = started("finish", WOMEN, "--source", "timing", str(path), "--skip-invalid")
    assert done.exit_code == 0 and "4 bad lines skipped" in done.stdout
    assert [p[:3] for p in placed(started)] == [(1, "Anna Nowak", "101")]


def test_a_second_order_that_repeats_the_sources_placings_is_refused_with_advice(started):
    ok(started("finish", WOMEN, "--source", "timing", input="101 2:31:07\n57 2:31:40\n"))
    failed = started("finish", WOMEN, "--source", "timing", input="101 2:31:07\n57 2:31:40\n")
    assert failed.exit_code == 1
    assert failed.stderr == (f"Error: <stdin> repeats 2 placings timing already claims in {WOMEN}; to take it as the "
                             "source's whole current word (repeats kept, changes and omissions withdrawn as corrections,"
                             " new ones added), add --supersedes; to record it twice on purpose, add --again\n")
    ok(started("finish", WOMEN, "--source", "gazette", input="101 2:31:07\n57 2:31:40\n"))  # another source may
    assert [p[0] for p in placed(started)] == [1, 1, 2, 2]


def test_a_missing_file_or_category_is_one_error_line(started):
    assert started("finish", WOMEN, "--source", "timing", "nope.txt").stderr == "Error: no file 'nope.txt'\n"
    failed = started("finish", f"{WOMEN}x", "--source", "timing", input="101\n")
    assert failed.exit_code == 1 and failed.stderr.startswith("Error: no category")
    assert started("finish", WOMEN, "--source", "timing", input="\n").stderr.startswith("Error: <stdin>: no finish lines")


def test_live_lines_are_recorded_one_by_one_and_a_bad_line_can_be_sent_again(started):
    fed = started("finish", WOMEN, "--source", "timing", "--live", input="101 2:31:07\n999\n57 2:30:00\n57 2:31:40\n")
    assert fed.exit_code == 1
    assert fed.stdout.splitlines() == ["line 1: bib 101, place 1 (claim 1)", "line 4: bib 57, place 2 (claim 2)"]
    assert fed.stderr.splitlines() == [
        "line 2: refused, nothing recorded: unknown bib 999: no entrant of the race and no claim gives it; send it again",
        "line 3: refused, nothing recorded: time 2:30:00 is earlier than 2:31:07 of place 1: a gun time never falls "
        "down the order; send it again",
        "Error: 2 lines refused (named above); 2 recorded",
    ]
    assert counts(started)[0] == 8  # one entry a line
    # A restart goes on from the source's last place; a bib that crossed already is refused.
    again = started("finish", WOMEN, "--source", "timing", "--live", input="12 DNF\n8 2:35:00\n101\n")
    assert again.stdout.splitlines() == ["line 1: bib 12, no place (claim 3)", "line 2: bib 8, place 3 (claim 4)"]
    assert "bib 101 has crossed the line already" in again.stderr
    assert [p[:3] for p in placed(started)] == [(1, "Anna Nowak", "101"), (2, "Maria Silva", "57"),
                                                (3, "Ida Berg", "8"), (None, "Eva Kern", "12")]
    assert ok(started("verify", "--deep")).startswith("Verified 10 entries")


def test_live_refuses_options_for_a_whole_order(started):
    failed = started("finish", WOMEN, "--source", "timing", "--live", "--supersedes", input="")
    assert failed.exit_code == 2 and failed.stderr.startswith("Error: --live records line by line")


# --- the line parser ------------------------------------------------------------------------------

BIBS = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e, blacklist_characters=",;#"), min_size=1,
               max_size=20)


@given(BIBS, st.one_of(st.none(), st.integers(0, 100 * 3600 * 1000 - 1)), st.sampled_from([None, "DNF", "DNS", "DQ"]))
def test_a_line_gives_back_its_bib_time_and_status(bib, ms, status):
    from ledger.core.times import format_ms

    text = " ".join(x for x in (bib, None if ms is None else format_ms(ms, 3), status) if x is not None)
    found = parse_line("  " + text + "\n")
    assert found.bib == bib
    assert (found.time.ms if found.time else None) == ms
    assert (found.status.code if found.status else None) == status


@given(st.text(max_size=40))
def test_any_line_is_parsed_or_refused_with_a_ledger_error(text):
    try:
        found = parse_line(text)
    except LedgerError:
        return
    assert found is None or isinstance(found, FinishLine)


def test_blank_lines_and_comments_are_skipped():
    assert parse_line("   \n") is None and parse_line("# start of wave 2") is None
    assert parse_line("7,2:31:07,DQ TR 54.7.3") == FinishLine("7", parse_line("7 2:31:07").time,
                                                              parse_line("7 DQ TR 54.7.3").status)


def test_an_entry_that_spells_out_fin_as_entries_before_did_reads_and_replays_the_same(started, db):
    """Finish entries leave a finisher's status out; those recorded before gave `FIN` on every claim."""
    from ledger.imports.finish import KIND
    from ledger.projection.record import record
    from ledger.store.engine import open_engine, transaction

    engine, _ = open_engine(db)
    try:
        with transaction(engine) as session:
            record(session, KIND, {"category": WOMEN, "source": "gazette", "claims": [
                {"id": 1, "line": 1, "bib": "57", "athlete": 2, "status": "FIN", "position": 1, "time_ms": 9_100_000},
                {"id": 2, "line": 2, "bib": "12", "athlete": 3, "status": "DNF"}]}, "tester")
    finally:
        engine.dispose()
    ok(started("finish", WOMEN, "--source", "timing", input="57 2:31:40\n12 DNF\n"))
    assert placed(started) == [(1, "Maria Silva", "57", "2:31:40", "FIN", "gazette"),
                               (1, "Maria Silva", "57", "2:31:40", "FIN", "timing"),
                               (None, "Eva Kern", "12", None, "DNF", "gazette"),
                               (None, "Eva Kern", "12", None, "DNF", "timing")]
    assert ok(started("verify", "--deep")).startswith("Verified 8 entries")


def test_a_live_line_with_commas_answers_with_its_bib_alone(started):
    fed = started("finish", WOMEN, "--source", "timing", "--live", input="101,2:31:07\n57;DNF\n")
    assert fed.stdout.splitlines() == ["line 1: bib 101, place 1 (claim 1)", "line 2: bib 57, no place (claim 2)"]
