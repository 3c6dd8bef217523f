"""A disqualification moves the others up, in a view (issue 21, point 6): `results --standings`,
`rule --status DQ --vacate`, claims of a DQ'd athlete `disqualified` in every view, FIN refused
for an athlete nobody disqualified."""

from __future__ import annotations

import pytest
from helpers import MARATHON, as_json, city_marathon, ok

WOMEN = f"{MARATHON}/open-women"
FILE = ("Place,Bib,Name,Time\n1,7,Anna Nowak,2:31:07\n2,8,Maria Silva,2:31:40\n3,9,Eva Kern,2:33:00\n"
        "4,10,Ida Berg,2:34:00\n")

pytestmark = pytest.mark.city(city_marathon({"open-women": ("Open women", "F")}, ("timing", "gazette")))


@pytest.fixture
def raced(city, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(FILE, encoding="utf-8")
    ok(city("import", WOMEN, str(path), "--source", "timing"))
    return city


def dq(run, name: str, *extra: str):
    return run("rule", WOMEN, "--athlete", name, "--status", "DQ", "--by", "Referee", "--reason", "Rule 144.3(a)",
               *extra)


def standings(run) -> list[tuple]:
    return [(p["position"], p["official_position"], p["vacated"],
             [(c["athlete"], c["position"], c["official_position"], c["standing"]) for c in p["claims"]])
            for p in as_json(run("results", WOMEN, "--standings", "-f", "json"))]


def test_a_dq_moves_the_places_below_up_and_every_claim_stays_as_made(raced):
    ok(dq(raced, "Anna Nowak"))
    assert standings(raced) == [
        (1, None, False, [("Anna Nowak", 1, None, "disqualified")]),
        (2, 1, False, [("Maria Silva", 2, 1, "live")]),
        (3, 2, False, [("Eva Kern", 3, 2, "live")]),
        (4, 3, False, [("Ida Berg", 4, 3, "live")]),
    ]
    [first, *_] = as_json(raced("results", WOMEN, "-f", "json"))
    assert "official_position" not in first  # only the standings view adds it
    claim = first["claims"][0]
    assert (claim["standing"], claim["standing_reason"], claim["status_ruling"]["status"]) == (
        "disqualified", "Rule 144.3(a)", "DQ")
    table = ok(raced("results", WOMEN, "--standings", "--width", "0"))
    assert "disqualified: Rule 144.3(a)" in table and " DQ " in table


def test_a_vacated_place_stays_empty(raced):
    ok(dq(raced, "Maria Silva", "--vacate"))
    ok(dq(raced, "Eva Kern"))
    assert [(p[0], p[1], p[2]) for p in standings(raced)] == [(1, 1, False), (2, None, True), (3, None, False),
                                                              (4, 3, False)]
    ruling = as_json(raced("results", WOMEN, "-f", "json"))[1]["claims"][0]["status_ruling"]
    assert ruling["vacate"] is True


def test_a_dq_wins_over_an_accepting_placing_ruling_which_still_makes_the_placing_ruled(raced):
    ok(raced("rule", WOMEN, "--position", "1", "--accept", "1", "--by", "Jury", "--reason", "Photo"))
    ok(dq(raced, "Anna Nowak"))
    [first, *_] = as_json(raced("results", WOMEN, "-f", "json"))
    assert (first["verdict"], first["claims"][0]["standing"]) == ("ruled", "disqualified")


def test_reinstating_needs_a_disqualification(raced):
    failed = raced("rule", WOMEN, "--athlete", "Anna Nowak", "--status", "FIN", "--by", "Referee", "--reason", "x")
    assert failed.exit_code == 1
    assert failed.stderr == (f"Error: no ruling and no claim gives Anna Nowak DQ in {WOMEN}: there is nothing "
                             "to reinstate\n")
    ok(dq(raced, "Anna Nowak"))
    ok(raced("rule", WOMEN, "--athlete", "Anna Nowak", "--status", "FIN", "--by", "Jury", "--reason", "Appeal upheld"))
    assert standings(raced)[0] == (1, 1, False, [("Anna Nowak", 1, 1, "live")])


def test_vacate_goes_with_a_dq_only(raced):
    failed = raced("rule", WOMEN, "--position", "1", "--accept", "1", "--by", "J", "--reason", "r", "--vacate")
    assert failed.exit_code == 2 and "--vacate goes with --athlete NAME --status DQ" in failed.stderr
    failed = raced("rule", WOMEN, "--athlete", "Anna Nowak", "--status", "DNF", "--by", "J", "--reason", "r",
                   "--vacate")
    assert failed.exit_code == 1 and failed.stderr.startswith("Error: --vacate goes with --status DQ")


def unisolated(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


def test_the_web_page_and_the_markdown_report_show_the_disqualification(raced, db, tmp_path):
    from web_fixtures import write_report

    ok(dq(raced, "Anna Nowak", "--vacate"))
    write_report(db, tmp_path / "site")
    # Source text in a sentence is isolated (FSI ... PDI, issue 20 point 9): read here without the marks.
    page = unisolated((tmp_path / "site" / "city-2025" / "marathon" / "open-women.html").read_text())
    assert "disqualified by a ruling" in page and "status is DQ (Rule 144.3(a))" in page
    assert "bib <strong>7</strong>" in page
    write_report(db, tmp_path / "notes", markdown=True)
    notes = unisolated((tmp_path / "notes" / "disputes.md").read_text())
    assert ("## Disqualifications\n\n- city-2025/marathon/open-women: Anna Nowak disqualified, place left empty, "
            "ruled by Referee: Anna Nowak's status is DQ \\(Rule 144.3\\(a\\)\\)\n") in notes
    assert ok(raced("verify", "--deep")).startswith("Verified")
