"""The Pyongyang 2025 example: the men's amateur dispute, state media's unnamed winner vs Kopec."""

from __future__ import annotations

import re

import pytest
from helpers import as_json, connect, ok
from sqlalchemy import text


from ledger.store.engine import open_engine, transaction
from ledger.write import demo as demo_data

AMATEUR_MEN = "pyongyang-2025/marathon/amateur-men"
DISPUTE_KEYS = {"category", "kind", "position", "athlete", "claims"}
CLAIM_KEYS = {"id", "athlete", "source", "source_kind", "position", "time", "status", "url", "quote"}
PLACING_KEYS = {"position", "verdict", "claims"}


def journal_count(db: str) -> int:
    with connect(db) as conn:
        return conn.execute(text("SELECT COUNT(*) FROM journal")).scalar()


def amateur_dispute(disputes: list[dict]) -> dict:
    (dispute,) = [d for d in disputes if d["category"] == AMATEUR_MEN]
    return dispute


def by_source(claims: list[dict]) -> dict[str, dict]:
    return {c["source"]: c for c in claims}


# --- what `demo` prints -------------------------------------------------------------------------


def test_demo_prints_the_amateur_dispute_with_both_sources(run):
    result = run("demo")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert AMATEUR_MEN in out
    for shown in ("dprk-state-media", "state-media", "a local athlete", "wojciech-kopec", "participant",
                  "Wojciech Kopec"):
        assert shown in out, shown


def test_demo_table_shows_each_claim_on_its_own_row(run):
    result = run("demo", "--width", "0")  # as wide as it is: the category on each row
    rows = [line for line in result.stdout.splitlines() if line.startswith("1 ") and AMATEUR_MEN in line]
    assert len(rows) == 2
    assert any("dprk-state-media" in row and "unnamed" in row for row in rows)
    assert any("wojciech-kopec" in row and "Wojciech Kopec" in row for row in rows)


def test_demo_says_on_stderr_that_it_loaded_the_example(run):
    result = run("demo")
    assert "Loaded the Pyongyang 2025 example" in result.stderr


def test_demo_json_is_the_men_amateur_position_dispute_and_nothing_else(run):
    disputes = as_json(run("demo", "-f", "json"))
    assert [(d["category"], d["kind"], d["position"], d["athlete"]) for d in disputes] == [
        (AMATEUR_MEN, "position", 1, None)]


def test_state_media_claims_an_unnamed_local_athlete_won(demo):
    claims = by_source(amateur_dispute(as_json(demo("disputes", "pyongyang-2025", "-f", "json")))["claims"])
    state_media = claims["dprk-state-media"]
    assert state_media["athlete"] is None
    assert "a local athlete" in state_media["unnamed"]
    assert (state_media["source_kind"], state_media["position"], state_media["status"]) == ("state-media", 1, "FIN")
    assert "state media reporting a local athlete as the winner" in state_media["quote"]


def test_kopec_claims_he_won(demo):
    claims = by_source(amateur_dispute(as_json(demo("disputes", "pyongyang-2025", "-f", "json")))["claims"])
    kopec = claims["wojciech-kopec"]
    assert (kopec["athlete"], kopec["source_kind"], kopec["position"]) == ("Wojciech Kopec", "participant", 1)
    assert "his claim for victory" in kopec["quote"]


def test_the_dispute_holds_exactly_the_two_claims(demo):
    dispute = amateur_dispute(as_json(demo("disputes", "-f", "json")))
    assert sorted(c["source"] for c in dispute["claims"]) == ["dprk-state-media", "wojciech-kopec"]


def test_demo_invents_no_times(demo):
    for dispute in as_json(demo("disputes", "-f", "json")):
        assert all(c["time"] is None for c in dispute["claims"])


# --- re-running ---------------------------------------------------------------------------------


def test_rerunning_demo_adds_no_journal_entries(demo, db):
    before = journal_count(db)
    assert before > 0
    result = demo("demo")
    assert result.exit_code == 0, result.stderr
    assert "already" in result.stderr
    assert journal_count(db) == before


def test_rerunning_demo_still_prints_the_dispute(demo):
    assert amateur_dispute(as_json(demo("demo", "-f", "json")))["kind"] == "position"


def test_demo_on_an_initialised_ledger_loads_once(ledger, db):
    assert ledger("demo").exit_code == 0
    loaded = journal_count(db)
    assert ledger("demo").exit_code == 0
    assert journal_count(db) == loaded


def test_demo_adds_the_figures_to_an_example_loaded_before_figures_existed(run, db, monkeypatch):
    assert run("init").exit_code == 0
    engine, _ = open_engine(db)
    with monkeypatch.context() as older, transaction(engine) as session:  # as a version before figures loaded it
        older.setattr(demo_data, "load_figures", lambda session, by: None)
        demo_data.load(session, "older")
    engine.dispose()
    assert as_json(run("figures", "-f", "json")) == []
    added = run("demo")
    assert added.exit_code == 0 and "Added the article's figures" in added.stderr
    assert len(as_json(run("figures", "-f", "json"))) == 12
    loaded = journal_count(db)
    again = run("demo")
    assert again.exit_code == 0 and "already" in again.stderr and journal_count(db) == loaded
    assert run("verify").exit_code == 0


# --- the JSON contract (DESIGN.md section 5) ----------------------------------------------------


def test_disputes_json_has_the_fixed_keys(demo):
    disputes = as_json(demo("disputes", "-f", "json"))
    assert isinstance(disputes, list) and disputes
    for dispute in disputes:
        assert DISPUTE_KEYS <= set(dispute)
        assert dispute["kind"] in ("position", "athlete", "figure")  # figure disputes: issue 15
        for claim in dispute["claims"]:
            assert CLAIM_KEYS <= set(claim)


def test_disputes_json_claim_athlete_is_null_when_unnamed(demo):
    claims = amateur_dispute(as_json(demo("disputes", "-f", "json")))["claims"]
    assert [c["athlete"] for c in claims if c["source"] == "dprk-state-media"] == [None]


def test_results_json_has_position_verdict_and_claims(demo):
    placings = as_json(demo("results", AMATEUR_MEN, "-f", "json"))
    assert isinstance(placings, list) and placings
    for placing in placings:
        assert PLACING_KEYS <= set(placing)
        for claim in placing["claims"]:
            assert CLAIM_KEYS <= set(claim)


def test_results_json_claims_have_the_same_shape_as_dispute_claims(demo):
    placing_claims = as_json(demo("results", AMATEUR_MEN, "-f", "json"))[0]["claims"]
    dispute_claims = amateur_dispute(as_json(demo("disputes", "-f", "json")))["claims"]
    assert placing_claims == dispute_claims


def test_amateur_men_first_place_is_disputed(demo):
    placings = as_json(demo("results", AMATEUR_MEN, "-f", "json"))
    assert [(p["position"], p["verdict"], len(p["claims"])) for p in placings] == [(1, "disputed", 2)]


@pytest.mark.parametrize("category, winner", [("elite-men", "Pak Kum-dong"), ("elite-women", "Jon Su-gyong")])
def test_elite_winners_stand_on_one_line_of_evidence_the_article(demo, category, winner):
    placings = as_json(demo("results", f"pyongyang-2025/marathon/{category}", "-f", "json"))
    assert [(p["position"], p["verdict"], p["lines"]) for p in placings] == [(1, "single-source", 1)]
    claims = placings[0]["claims"]
    assert {c["athlete"] for c in claims} == {winner}
    assert {(c["source"], c["via"], c["line"]) for c in claims} == {
        ("rare-glimpse-inside", None, "rare-glimpse-inside"),
        ("dprk-state-media", "rare-glimpse-inside", "rare-glimpse-inside")}


def test_every_quote_is_the_article_s_words_and_credited_to_it(demo):
    for category in ("elite-men", "elite-women", "amateur-men"):
        for placing in as_json(demo("results", f"pyongyang-2025/marathon/{category}", "-f", "json")):
            for claim in placing["claims"]:
                assert claim["quote"] in (demo_data._PAK_JON_QUOTE, demo_data._AMATEUR_QUOTE)
                assert (claim["via"] or claim["source"]) == "rare-glimpse-inside"
                assert [c["quote"] for c in claim["citations"]] == [claim["quote"]]


def test_the_amateur_dispute_is_between_state_media_and_kopec_both_through_the_article(demo):
    (placing,) = as_json(demo("results", AMATEUR_MEN, "-f", "json"))
    assert placing["verdict"] == "disputed" and placing["lines"] == 1
    assert {(c["source"], c["via"]) for c in placing["claims"]} == {
        ("dprk-state-media", "rare-glimpse-inside"), ("wojciech-kopec", "rare-glimpse-inside")}


def test_demo_says_why_each_placing_stands_as_it_does(run):
    out = ok(run("demo"))
    why = out[out.index("Why each placing"):]
    assert "amateur-men place 1: disputed, because dprk-state-media (via" in why
    assert "elite-men place 1: single-source, because rare-glimpse-inside names Pak" in " ".join(why.split())
    assert "agreement needs two independent lines" in " ".join(why.split())


def test_json_times_are_strings_or_null(demo):
    for placing in as_json(demo("results", AMATEUR_MEN, "-f", "json")):
        for claim in placing["claims"]:
            assert claim["time"] is None or re.fullmatch(r"\d+:\d\d:\d\d(\.\d{1,3})?", claim["time"])


def test_kopec_is_found_by_his_accented_name(demo):
    shown = as_json(demo("athlete", "show", "wojciech kopeć", "-f", "json"))
    assert shown["name"] == "Wojciech Kopec"
    assert [(c["category"], c["verdict"]) for c in shown["claims"]] == [(AMATEUR_MEN, "disputed")]


def test_sources_show_state_media_and_kopec_disputing_on_one_line_through_the_article(demo):
    """Both claims reached us in the article: no independent line contradicts either."""
    counted = {s["slug"]: s for s in as_json(demo("sources", "-f", "json"))}
    assert {slug: counted[slug]["contradicted"] for slug in ("dprk-state-media", "wojciech-kopec",
                                                           "rare-glimpse-inside")} == {
        "dprk-state-media": 0, "wojciech-kopec": 0, "rare-glimpse-inside": 0}
    assert (counted["dprk-state-media"]["via_others"], counted["wojciech-kopec"]["via_others"]) == (3, 1)
    assert counted["rare-glimpse-inside"]["for_others"] == 4
