"""Which athlete an imported row is: linked only on a safe match, near misses reported, never merged."""

from __future__ import annotations

import pytest
from helpers import city_marathon, ok
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.names import name_key, slow_name_key
from ledger.imports.identity import fold

CAT = "city-2025/marathon/open-men"
# The athletes the `city` fixture adds, by id.
PAK, KOPEC, MIKHAIL, SMITH_GBR, SMITH_USA = 1, 2, 3, 4, 5


# The City Marathon each test's `city` ledger starts from (see the `city` fixture in conftest.py).
pytestmark = pytest.mark.city([
    *city_marathon({"open-men": ("Open men", "M")}),
    ("athlete", "add", "Pak Kum-dong", "--nationality", "PRK", "--born", "1990"),
    ("athlete", "add", "Wojciech Kopec", "--nationality", "POL", "--alias", "Wojciech Kopeć"),
    ("athlete", "add", "Mikhail Petrov", "--nationality", "RUS"),
    ("athlete", "add", "John Smith", "--nationality", "GBR"),
    ("athlete", "add", "John Smith", "--nationality", "USA"),
])


@pytest.fixture
def linked(db):
    """The athlete id of each imported claim, by the name the file wrote."""
    from sqlalchemy import create_engine, text

    from ledger.store.engine import resolve_target

    def query() -> dict[str, int]:
        return dict(pairs())

    def pairs() -> list[tuple[str, int]]:
        engine = create_engine(resolve_target(db).url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT as_written, athlete_id FROM claim ORDER BY id")).all()
        engine.dispose()
        return [tuple(row) for row in rows]

    query.pairs = pairs

    return query


def import_rows(run, tmp_path, rows: str):
    path = tmp_path / "results.csv"
    path.write_text("Place,Bib,Name,Nat,YOB,Time\n" + rows, encoding="utf-8")
    return run("import", CAT, str(path), "--source", "timing")


def test_an_exact_normalised_match_links_to_the_athlete(city, tmp_path, linked):
    result = import_rows(city, tmp_path, "1,1,PAK KUM DONG,PRK,1990,2:10:00\n2,2,wojciech kopeć,,,2:11:00\n"
                                          "3,3,Mikhail Petrov,,1985,2:12:00\n")
    assert "0 new athletes, 3 linked to existing ones" in ok(result)
    assert linked() == {"PAK KUM DONG": PAK, "wojciech kopeć": KOPEC, "Mikhail Petrov": MIKHAIL}


def test_a_contradicting_nationality_or_birth_year_makes_a_new_athlete_and_is_reported(city, tmp_path, linked):
    result = import_rows(city, tmp_path, "1,1,Pak Kum Dong,KOR,,2:10:00\n2,2,Pak Kum-dong,,1991,2:11:00\n")
    out = ok(result)
    assert "2 new athletes, 0 linked" in out
    ids = linked()
    assert PAK not in ids.values() and len(set(ids.values())) == 2
    assert (f"#{ids['Pak Kum Dong']} Pak Kum Dong (line 2) has the name, but another nationality or birth year, of "
            "#1 Pak Kum-dong (PRK, born 1990)") in out
    assert f"#{ids['Pak Kum-dong']} Pak Kum-dong (line 3) has the name, but another" in out


def test_a_name_of_several_athletes_links_to_none(city, tmp_path, linked):
    out = ok(import_rows(city, tmp_path, "1,1,John Smith,,,2:10:00\n"))
    new = linked()["John Smith"]
    assert new not in (SMITH_GBR, SMITH_USA)
    assert f"#{new} John Smith (line 2) has the name of several athletes: #4 John Smith (GBR), #5 John Smith (USA)" in out


def test_two_rows_of_one_file_are_never_one_athlete(city, tmp_path, linked):
    out = ok(import_rows(city, tmp_path, "1,1,Anna Berg,SWE,,2:10:00\n2,2,Anna Berg,SWE,,2:11:00\n"
                                         "3,3,Mikhail Petrov,RUS,,2:12:00\n4,4,mikhail petrov,,,2:13:00\n"))
    assert "4 new athletes, 0 linked" in out
    ids = [athlete for _, athlete in linked.pairs()]
    assert len(set(ids)) == 4 and MIKHAIL not in ids
    assert "has the name of an athlete whom several rows of the file match: #3 Mikhail Petrov (RUS)" in out


def test_near_misses_are_reported_and_never_linked(city, tmp_path, linked):
    out = ok(import_rows(city, tmp_path, "1,1,Michail Petrov,RUS,,2:10:00\n2,2,Kopec Wojciech,POL,,2:11:00\n"))
    assert "2 new athletes, 0 linked" in out
    ids = linked()
    assert f"#{ids['Michail Petrov']} Michail Petrov (line 2) has a name like #3 Mikhail Petrov (RUS)" in out
    assert f"#{ids['Kopec Wojciech']} Kopec Wojciech (line 3) has a name like #2 Wojciech Kopec (POL)" in out
    assert "raceledger athlete merge KEEP OTHER" in out


def test_a_new_name_with_no_near_miss_reports_nothing(city, tmp_path):
    out = ok(import_rows(city, tmp_path, "1,1,Ola Nordmann,NOR,,2:10:00\n"))
    assert "Possible duplicates" not in out


def test_the_new_athlete_keeps_the_files_nationality_and_birth_year(city, tmp_path):
    ok(import_rows(city, tmp_path, "1,1,Ola Nordmann,nor,1980,2:10:00\n"))
    shown = ok(city("athlete", "show", "Ola Nordmann", "-f", "json"))
    assert '"nationality": "NOR"' in shown and '"born": 1980' in shown


# --- name keys and folds ------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x24F) | st.sampled_from(
    list("‐‑‒–—’\u0301\u00a0ﬁ\t"))))
def test_the_fast_name_key_is_the_general_rule(name):
    assert name_key(name) == slow_name_key(name)


@pytest.mark.parametrize("a,b", [("Mikhail Petrov", "Michail Petrov"), ("Wojciech Kopec", "Kopec Wojciech"),
                                 ("Jon Su-gyong", "John Su Gyong"), ("Sofia Lindqvist", "Sophia Lindquist")])
def test_folds_catch_transliterations_and_surname_first(a, b):
    assert fold(name_key(a)) == fold(name_key(b))


def test_folds_keep_different_names_apart():
    assert fold(name_key("Anna Nowak")) != fold(name_key("Maria Silva"))
