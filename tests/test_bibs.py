"""One runner across sources by bib, and bib disputes (issue 21, point 4)."""

from __future__ import annotations

import pytest
from helpers import MARATHON, as_json, city_marathon, connect, ok
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ledger.projection import bibs
from ledger.store.engine import resolve_target
from ledger.store.migrate import downgrade, upgrade

WOMEN = f"{MARATHON}/open-women"
MEN = f"{MARATHON}/open-men"
# Two namesakes in one file, told apart only by their bibs (as in big city marathons' files).
NAMESAKES = ("Place,Bib,Name,Time\n1,199,\"Williams, Jon\",2:35:33\n2,3684,\"Williams, Jon\",2:36:10\n"
             "3,12,Ann Lee,2:40:00\n")

pytestmark = pytest.mark.city(city_marathon({"open-women": ("Open women", "F"), "open-men": ("Open men", "M")},
                                            ("timing", "gazette")))


def write(tmp_path, text: str, name: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def disputes(run, *scope: str) -> list[dict]:
    return as_json(run("disputes", *scope, "-f", "json"))


def test_one_file_with_bibs_under_two_sources_makes_no_false_dispute(city, tmp_path):
    path = write(tmp_path, NAMESAKES, "results.csv")
    ok(city("import", MEN, path, "--source", "timing"))
    done = ok(city("import", MEN, path, "--source", "gazette"))
    assert "0 new athletes, 3 linked to existing ones" in done
    assert disputes(city) == []
    placings = as_json(city("results", MEN, "-f", "json"))
    assert [(p["position"], p["verdict"], [(c["athlete"], c["bib"]) for c in p["claims"]]) for p in placings] == [
        (1, "agreed", [("Williams, Jon", "199"), ("Williams, Jon", "199")]),
        (2, "agreed", [("Williams, Jon", "3684"), ("Williams, Jon", "3684")]),
        (3, "agreed", [("Ann Lee", "12"), ("Ann Lee", "12")])]
    assert placings[0]["claims"][0]["athlete"] == placings[0]["claims"][1]["athlete"]
    table = ok(city("results", MEN, "--width", "0"))
    assert "3684" in table  # bibs are shown where claims are


def test_a_compatible_name_in_another_order_is_the_same_runner(city, tmp_path):
    ok(city("import", MEN, write(tmp_path, "Place,Bib,Name\n1,7,Jon Williams\n", "a.csv"), "--source", "timing"))
    ok(city("import", MEN, write(tmp_path, "Place,Bib,Name\n1,7,\"WILLIAMS, Jon\"\n", "b.csv"), "--source", "gazette"))
    [placing] = as_json(city("results", MEN, "-f", "json"))
    assert placing["verdict"] == "agreed"


def test_the_same_bib_with_another_name_is_a_bib_dispute_never_a_merge(city, tmp_path):
    start = write(tmp_path, "Bib,Name\n7,Anna Nowak\n8,Maria Silva\n", "start.csv")
    ok(city("entrants", "import", MARATHON, start, "--source", "timing"))
    ok(city("import", WOMEN, write(tmp_path, "Place,Bib,Name\n1,7,Eva Kern\n2,8,Maria Silva\n", "g.csv"),
            "--source", "gazette"))
    [dispute] = disputes(city)
    assert {k: dispute[k] for k in ("kind", "bib", "category", "position", "athlete")} == {
        "kind": "bib", "bib": "7", "category": WOMEN, "position": None, "athlete": None}
    assert [(c["id"], c["athlete"], c["source"], c["bib"]) for c in dispute["claims"]] == [
        (None, "Anna Nowak", "timing", "7"), (1, "Eva Kern", "gazette", "7")]
    ids = {c["athlete"] for c in as_json(city("results", WOMEN, "-f", "json"))[0]["claims"]}
    assert ids == {"Eva Kern"}
    assert disputes(city, MARATHON) == [dispute] and disputes(city, MEN) == []
    assert "bib" in ok(city("disputes", "--width", "0"))


def test_bib_disputes_across_categories_of_a_race_name_the_later_claims_category(city, tmp_path):
    ok(city("import", WOMEN, write(tmp_path, "Place,Bib,Name\n1,7,Anna Nowak\n", "w.csv"), "--source", "timing"))
    ok(city("import", MEN, write(tmp_path, "Place,Bib,Name\n1,7,Jon Williams\n", "m.csv"), "--source", "gazette"))
    [dispute] = disputes(city)
    assert (dispute["kind"], dispute["category"], [c["category"] for c in dispute["claims"]]) == (
        "bib", MEN, [WOMEN, MEN])


def contested(db: str) -> set[tuple[int, str]]:
    with connect(db) as conn:
        return set(map(tuple, conn.execute(text("SELECT race_id, bib FROM bib_contest"))))


def test_only_bibs_whose_names_cannot_be_one_runners_are_contested(city, db, tmp_path):
    """A ledger recorded before claims were linked by bib can hold one runner under two athlete
    records sharing a bib: no dispute, and no bib_contest row (issue 24: 63,259 such rows made
    `disputes` over a million claims read and drop them every time). Migration 0010 removes the rows
    0008 made for them; the projection never makes them."""
    start = write(tmp_path, "Bib,Name\n7,Anna Nowak\n", "start.csv")
    ok(city("entrants", "import", MARATHON, start, "--source", "timing"))
    ok(city("import", WOMEN, write(tmp_path, "Place,Bib,Name\n1,7,Eva Kern\n", "g.csv"), "--source", "gazette"))
    path = write(tmp_path, NAMESAKES, "results.csv")
    ok(city("import", MEN, path, "--source", "timing"))
    ok(city("import", MEN, path, "--source", "gazette"))
    with connect(db) as conn:  # as an earlier version recorded it: the gazette's runner of bib 199 a record of its own
        race, athlete, seq = conn.execute(text(
            "SELECT category.race_id, athlete.id, athlete.seq FROM claim JOIN category ON claim.category_id = category.id "
            "JOIN athlete ON claim.athlete_id = athlete.id WHERE claim.bib = '199'")).first()
        conn.execute(text("INSERT INTO athlete (id, name, key, seq) VALUES (:id, 'Jon Williams', 'jon williams', :seq)"),
                     {"id": athlete + 1000, "seq": seq})
        conn.execute(text("UPDATE claim SET athlete_id = :id WHERE bib = '199' AND source_id = "
                          "(SELECT id FROM source WHERE slug = 'gazette')"), {"id": athlete + 1000})
        conn.commit()
    engine = create_engine(resolve_target(db).url)
    try:
        downgrade(engine, "0009")  # 0008's rule (kept by 0009): every bib given to two athlete records
        assert contested(db) == {(race, "7"), (race, "199")}
        upgrade(engine)
        assert contested(db) == {(race, "7")}
        with Session(engine) as session, session.begin():  # the projection's rule is the migration's
            bibs.refresh(session, race)
        assert contested(db) == {(race, "7")}
    finally:
        engine.dispose()
    assert [d["bib"] for d in disputes(city)] == ["7"]


def test_more_contested_bibs_than_one_batch_are_all_found_again_by_a_whole_race_refresh(city, db, tmp_path):
    """The bibs given to two runners are read first, then their names 500 bibs at a time (one
    statement with a subquery was planned as a loop over the race's claims by PostgreSQL inside
    `load`'s one transaction): every batch counts, and a whole-race refresh finds the same bibs."""
    bibs_given = [str(100 + n) for n in range(1201)]
    start = write(tmp_path, "Bib,Name\n" + "".join(f"{b},Anna Nowak {b}\n" for b in bibs_given), "start.csv")
    ok(city("entrants", "import", MARATHON, start, "--source", "timing"))
    results = "Place,Bib,Name\n" + "".join(f"{n + 1},{b},Eva Kern {b}\n" for n, b in enumerate(bibs_given))
    ok(city("import", WOMEN, write(tmp_path, results, "g.csv"), "--source", "gazette"))
    found = contested(db)
    assert {bib for _, bib in found} == set(bibs_given)
    [race] = {race for race, _ in found}
    engine = create_engine(resolve_target(db).url)
    try:
        with Session(engine) as session, session.begin():
            bibs.refresh(session, race)
    finally:
        engine.dispose()
    assert contested(db) == found
    assert sorted(d["bib"] for d in disputes(city) if d["kind"] == "bib") == sorted(bibs_given)
