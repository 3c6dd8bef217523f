"""`raceledger entrants import RACE FILE` and `entrants RACE`: a start list, a runner by bib (issue 21, point 1)."""

from __future__ import annotations

import pytest
from helpers import MARATHON, as_json, city_marathon, ok

pytestmark = pytest.mark.city(city_marathon({"open-women": ("Open women", "F")}, ("timing", "gazette")))

START = "Bib,Name,Sex,Birth Date,Nat,Club,Category\n7,Anna Nowak,F,1990-05-01,POL,Club A,F35\n8,\"Silva, Maria\",F,,POR,,F35\n"


def write(tmp_path, text: str, name: str = "start.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def entrants(run) -> list[dict]:
    return as_json(run("entrants", MARATHON, "-f", "json"))


def info(run) -> tuple[int, int]:
    found = as_json(run("info", "-f", "json"))
    return found["journal_entries"], found["athletes"]


def test_a_start_list_is_one_entry_and_lists_each_entrant_with_what_it_gave(city, tmp_path):
    done = ok(city("entrants", "import", MARATHON, write(tmp_path, START), "--source", "timing"))
    assert done == (f"Recorded 2 entrants of {MARATHON} as journal entry 6: 2 new athletes, "
                    "0 linked to existing ones.\n")
    first, second = entrants(city)
    assert first == {"race": MARATHON, "bib": "7", "name": "Anna Nowak", "athlete_id": 1, "athlete": "Anna Nowak",
                     "sex": "F", "birth_date": "1990-05-01", "born": 1990, "age": 35, "nationality": "POL",
                     "club": "Club A", "category": "F35", "source": "timing", "seq": 6}
    assert (second["bib"], second["name"], second["age"], second["nationality"]) == ("8", "Silva, Maria", None, "POR")
    table = ok(city("entrants", "list", MARATHON, "--width", "0"))
    assert "Club A" in table and "Silva, Maria" in table
    assert ok(city("verify", "--deep")).startswith("Verified 6 entries")


def test_first_and_last_names_birth_years_and_ages_are_read(city, tmp_path):
    text = "No,First Name,Last Name,YOB,Age\n1,Anna,Nowak,1990,\n2,Maria,Silva,,40\n"
    ok(city("entrants", "import", MARATHON, write(tmp_path, text), "--source", "timing"))
    assert [(e["name"], e["born"], e["age"]) for e in entrants(city)] == [("Anna Nowak", 1990, 35),
                                                                        ("Maria Silva", None, 40)]


def test_a_bib_twice_or_one_person_with_two_bibs_is_an_error_naming_the_lines(city, tmp_path):
    before = info(city)
    text = ("Bib,Name,Born\n7,Anna Nowak,1990\n7,Maria Silva,1988\n8,\"Nowak, Anna\",1990\n"
            "9,Anna Nowak,1991\n10,Eva Kern,19x0\n")
    failed = city("entrants", "import", MARATHON, write(tmp_path, text), "--source", "timing")
    assert failed.exit_code == 1
    where = str(tmp_path / "start.csv")
    assert failed.stderr.splitlines() == [
        f"{where}:3: bib 7 is also on line 2",
        f"{where}:4: Nowak, Anna (bib 8) is also on line 2 with bib 7: one person, two bibs (namesakes need a "
        "birth date, year or age that tells them apart)",
        f"{where}:6: bad birth year '19x0': expected a year between 1900 and 2026",
        f"Error: {where}: 3 bad lines; no entrant was recorded (fix them and import the start list again)",
    ]
    assert info(city) == before


def test_namesakes_born_apart_are_two_people(city, tmp_path):
    ok(city("entrants", "import", MARATHON, write(tmp_path, "Bib,Name,Born\n1,Anna Nowak,1990\n2,Anna Nowak,1991\n"),
            "--source", "timing"))
    assert [e["athlete_id"] for e in entrants(city)] == [1, 2]


def test_an_existing_athlete_is_linked_by_the_fail_safe_rule(city, tmp_path):
    ok(city("athlete", "add", "Anna Nowak", "--nationality", "POL"))
    ok(city("athlete", "add", "Eva Kern", "--nationality", "GER"))
    text = "Bib,Name,Nat\n7,Anna Nowak,POL\n8,Eva Kern,AUT\n"
    assert "1 new athlete, 1 linked" in ok(city("entrants", "import", MARATHON, write(tmp_path, text),
                                                "--source", "timing"))
    assert [e["athlete_id"] for e in entrants(city)] == [1, 3]


def test_a_later_start_list_adds_and_changes_entrants_as_new_entries(city, tmp_path):
    ok(city("entrants", "import", MARATHON, write(tmp_path, START), "--source", "timing"))
    later = "Bib,Name,Club\n7,Anna Nowak,Club B\n8,Eva Kern,\n9,Maria Silva,\n"
    done = ok(city("entrants", "import", MARATHON, write(tmp_path, later, "later.csv"), "--source", "timing"))
    assert "1 bib now held by another runner" in done
    found = {e["bib"]: e for e in entrants(city)}
    assert (found["7"]["athlete_id"], found["7"]["club"], found["7"]["seq"]) == (1, "Club B", 7)
    assert found["8"]["name"] == "Eva Kern" and found["8"]["athlete_id"] != 2
    assert found["9"]["athlete_id"] == 4  # "Silva, Maria" is no exact match: the fail-safe rule makes a new athlete
    history = ok(city("history", MARATHON, "--width", "0"))
    assert "start list of city-2025/marathon from timing: 2 entrants" in history and "timing: 3 entrants" in history
    assert ok(city("verify", "--deep")).startswith("Verified 7 entries")


def test_a_start_list_survives_export_and_load(city, tmp_path, db):
    ok(city("entrants", "import", MARATHON, write(tmp_path, START), "--source", "timing"))
    ok(city("export", str(tmp_path / "ledger.jsonl")))
    from click.testing import CliRunner

    from cli import cli

    copy = str(tmp_path / "copy.db")
    loaded = CliRunner().invoke(cli, ["--db", copy, "load", str(tmp_path / "ledger.jsonl")])
    assert loaded.exit_code == 0, loaded.output
    again = CliRunner().invoke(cli, ["--db", copy, "entrants", MARATHON, "-f", "json"])
    assert again.stdout == city("entrants", MARATHON, "-f", "json").stdout


def test_an_unknown_race_or_file_is_one_error_line(city, tmp_path):
    failed = city("entrants", "import", f"{MARATHON}x", write(tmp_path, START), "--source", "timing")
    assert failed.exit_code == 1 and failed.stderr.startswith("Error: no race 'city-2025/marathonx'")
    failed = city("entrants", "import", MARATHON, str(tmp_path / "nope.csv"), "--source", "timing")
    assert failed.stderr == f"Error: no file '{tmp_path / 'nope.csv'}'\n"
    failed = city("entrants", "import", MARATHON, write(tmp_path, "Name,Sex\nAnna,F\n"), "--source", "timing")
    assert "no bib column" in failed.stderr
