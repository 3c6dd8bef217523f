"""`raceledger athlete merge KEEP OTHER`: one journal entry; claims move, spellings stay, nothing lost."""

from __future__ import annotations

import pytest
from helpers import as_json, build, city_marathon, ok

CAT = "city-2025/marathon/open-men"


@pytest.fixture
def two_records(ledger, tmp_path):
    """Pak Kum-dong (#1, entered by hand) and Pak Kum Dong (#2, made by an import: another nationality)."""
    build(ledger, [*city_marathon({"open-men": ("Open men", "M")}, ("timing", "gazette")),
                   ("athlete", "add", "Pak Kum-dong", "--nationality", "PRK", "--alias", "Pak Kumdong")])
    ok(ledger("claim", CAT, "--source", "gazette", "--athlete", "Pak Kum-dong", "--position", "1", "--time", "2:10:00"))
    path = tmp_path / "results.csv"
    path.write_text("Place,Name,Nat,YOB,Time\n1,Pak Kum Dong,KOR,1990,2:10:30\n2,Anna Berg,SWE,,2:11:00\n",
                    encoding="utf-8")
    ok(ledger("import", CAT, str(path), "--source", "timing"))
    return ledger


def info(run) -> dict:
    return as_json(run("info", "-f", "json"))


def test_a_merge_is_one_journal_entry_that_moves_the_claims(two_records):
    before = info(two_records)
    out = ok(two_records("athlete", "merge", "#1", "#2"))
    assert out == "Merged #2 Pak Kum Dong into #1 Pak Kum-dong (journal entry %d); 1 claims moved.\n" % (
        before["journal_entries"] + 1)
    after = info(two_records)
    assert (after["journal_entries"], after["claims"]) == (before["journal_entries"] + 1, before["claims"])
    shown = as_json(two_records("athlete", "show", "#1", "-f", "json"))
    assert [(c["source"], c["as_written"]) for c in shown["claims"]] == [("gazette", "Pak Kum-dong"),
                                                                          ("timing", "Pak Kum Dong")]


def test_athlete_show_lists_both_spellings_and_claims_keep_the_name_as_written(two_records):
    ok(two_records("athlete", "merge", "#1", "#2"))
    shown = as_json(two_records("athlete", "show", "Pak Kum-dong", "-f", "json"))
    assert shown["name"] == "Pak Kum-dong"
    assert shown["aliases"] == ["Pak Kumdong", "Pak Kum Dong"]
    table = ok(two_records("athlete", "show", "Pak Kum-dong"))
    assert table.splitlines()[0] == "Pak Kum-dong (#1, PRK); also written Pak Kumdong, Pak Kum Dong"


def test_the_merged_record_leads_to_the_kept_one(two_records):
    ok(two_records("athlete", "merge", "#1", "#2"))
    assert as_json(two_records("athlete", "show", "#2", "-f", "json"))["id"] == 1
    names = [a["name"] for a in as_json(two_records("athlete", "list", "-f", "json"))]
    assert names.count("Pak Kum-dong") == 1 and "Pak Kum Dong" not in names


def test_keep_takes_the_birth_year_it_lacked_and_keeps_its_own_nationality(two_records):
    ok(two_records("athlete", "merge", "#1", "#2"))
    shown = as_json(two_records("athlete", "show", "#1", "-f", "json"))
    assert (shown["nationality"], shown["born"]) == ("PRK", 1990)


def test_claims_about_one_person_now_disagree_as_one_athlete(two_records):
    assert [d["kind"] for d in as_json(two_records("disputes", "-f", "json"))] == ["position"]
    ok(two_records("athlete", "merge", "#1", "#2"))
    disputes = as_json(two_records("disputes", "-f", "json"))
    assert [(d["kind"], d["athlete"]) for d in disputes] == [("athlete", "Pak Kum-dong")]


def test_a_later_import_links_the_merged_spelling_to_the_kept_athlete(two_records, tmp_path):
    ok(two_records("athlete", "merge", "#1", "#2"))
    path = tmp_path / "later.csv"
    path.write_text("Place,Name,Time\n1,pak kum dong,2:09:00\n", encoding="utf-8")
    # --again: gazette claims place 1 already, and a repeating file is refused without it (issue 21)
    assert "0 new athletes, 1 linked" in ok(two_records("import", CAT, str(path), "--source", "gazette", "--again"))


@pytest.mark.parametrize("keep,other,message", [
    ("#1", "#1", "'#1' and '#1' are already one athlete (#1 Pak Kum-dong)"),
    ("#1", "#99", "no athlete with id #99"),
    ("Pak Kum Dong", "#1", "'Pak Kum Dong' matches 2 athletes (#1 Pak Kum-dong, #2 Pak Kum Dong); name one by its "
                           "id, e.g. '#1'"),
])
def test_a_merge_that_cannot_be_is_refused_and_writes_nothing(two_records, keep, other, message):
    before = info(two_records)
    result = two_records("athlete", "merge", keep, other)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"
    assert info(two_records) == before


def test_merging_again_is_refused(two_records):
    ok(two_records("athlete", "merge", "#1", "#2"))
    assert two_records("athlete", "merge", "#1", "#2").stderr == (
        "Error: '#1' and '#2' are already one athlete (#1 Pak Kum-dong)\n")


def test_a_merge_replays_to_the_same_ledger(two_records, tmp_path):
    ok(two_records("athlete", "merge", "#1", "#2"))
    export = tmp_path / "ledger.jsonl"
    ok(two_records("export", str(export)))
    from click.testing import CliRunner

    from cli import cli

    copy = str(tmp_path / "copy.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", copy, "load", str(export)]).exit_code == 0
    for args in (["athlete", "show", "#1", "-f", "json"], ["athlete", "list", "-f", "json"], ["disputes", "-f", "json"]):
        assert runner.invoke(cli, ["--db", copy, *args]).stdout == two_records(*args).stdout
