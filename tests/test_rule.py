"""Rulings: an official body decides which claim holds for a placing (appeals supersede), or rules on
an athlete's status; the other claims stay listed as overruled, the claims a DQ affects stay as made."""

from __future__ import annotations

import datetime as dt
import json
from itertools import count

import pytest
from helpers import city_marathon

from ledger.core.views import ClaimView
from ledger.read.verdicts import (
    ACCEPTED,
    DISPUTED,
    LIVE,
    OVERRULED,
    RETRACTED,
    RULED,
    Rulings,
    RulingView,
    find_disputes,
    placings,
)

AMATEUR = "pyongyang-2025/marathon/amateur-men"
ELITE = "pyongyang-2025/marathon/elite-men"
JURY = "Jury of appeal"


def results(run, category: str = AMATEUR, *extra: str) -> list[dict]:
    found = run("results", category, "-f", "json", *extra)
    assert found.exit_code == 0, found.stderr
    return json.loads(found.stdout)


def claim_of(run, source: str, category: str = AMATEUR) -> int:
    return next(c["id"] for p in results(run, category, "--all") for c in p["claims"] if c["source"] == source)


def head(run) -> str:
    return run("head").stdout.strip()


def rule_kopec(run, *extra: str):
    return run("rule", AMATEUR, "--position", "1", "--accept", str(claim_of(run, "wojciech-kopec")),
               "--by", JURY, "--reason", "Finish-line video shows Kopec first", *extra)


# --- placing rulings through the CLI ------------------------------------------------------------


def test_a_jury_ruling_on_the_amateur_placing_keeps_the_overruled_claim_visible(demo):
    done = rule_kopec(demo, "--decided", "2025-04-07")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "Recorded ruling 1.\n"
    [placing] = results(demo)
    assert placing["verdict"] == "ruled"
    assert placing["ruling"]["decided_by"] == JURY
    assert placing["ruling"]["decided"] == "2025-04-07"
    assert placing["ruling"]["supersedes"] == []
    standing = {c["source"]: (c["standing"], c["standing_reason"], c["ruled_by"]) for c in placing["claims"]}
    assert standing == {
        "wojciech-kopec": ("accepted", "Finish-line video shows Kopec first", 1),
        "dprk-state-media": ("overruled", "Finish-line video shows Kopec first", 1),
    }


def test_the_table_shows_accepted_and_overruled_with_the_reason(demo):
    rule_kopec(demo)
    table = demo("results", AMATEUR, "-f", "tsv").stdout  # the cells a table format wraps
    assert "\truled\t" in table
    assert "\taccepted: Finish-line video shows Kopec first\t" in table
    assert "\toverruled: Finish-line video shows Kopec first\t" in table
    assert demo("results", AMATEUR, "--width", "0").stdout.splitlines()[0].split()[-2:] == ["standing", "cite"]


def test_a_ruled_dispute_leaves_the_open_list_and_shows_with_all(demo):
    rule_kopec(demo)
    assert json.loads(demo("disputes", "pyongyang-2025", "-f", "json").stdout) == []
    [ruled] = json.loads(demo("disputes", "pyongyang-2025", "--all", "-f", "json").stdout)
    assert {k: ruled[k] for k in ("category", "kind", "position", "athlete", "verdict")} == {
        "category": AMATEUR, "kind": "position", "position": 1, "athlete": None, "verdict": "ruled"}
    assert ruled["ruling"]["accepted_claim"] == claim_of(demo, "wojciech-kopec")
    for claim in ruled["claims"]:
        assert {"id", "athlete", "source", "source_kind", "position", "time", "status", "url", "quote"} <= set(claim)
    assert "ruled" in demo("disputes", "--all").stdout


def test_open_disputes_keep_verdict_disputed_and_no_ruling(demo):
    [open_dispute] = json.loads(demo("disputes", "pyongyang-2025", "-f", "json").stdout)
    assert open_dispute["verdict"] == "disputed"
    assert open_dispute["ruling"] is None


def test_an_appeal_supersedes_the_first_ruling_and_history_shows_both(demo):
    rule_kopec(demo)
    state_media = claim_of(demo, "dprk-state-media")
    appeal = demo("rule", AMATEUR, "--position", "1", "--accept", str(state_media), "--by", "Federation",
                  "--reason", "Appeal upheld: Kopec cut the course")
    assert appeal.exit_code == 0, appeal.stderr
    [placing] = results(demo)
    assert placing["verdict"] == "ruled"
    assert placing["ruling"]["id"] == 2 and placing["ruling"]["decided_by"] == "Federation"
    assert [r["id"] for r in placing["ruling"]["supersedes"]] == [1]
    standing = {c["source"]: c["standing"] for c in placing["claims"]}
    assert standing == {"dprk-state-media": "accepted", "wojciech-kopec": "overruled"}
    rulings = [e for e in json.loads(demo("history", AMATEUR, "-f", "json").stdout) if e["kind"] == "rule"]
    assert [e["summary"].split(":")[0] for e in rulings] == [f"ruling 1 in {AMATEUR}", f"ruling 2 in {AMATEUR}"]
    assert "Federation" in rulings[1]["summary"] and "cut the course" in rulings[1]["summary"]


def test_a_ruling_on_an_agreed_placing_makes_it_ruled(demo):
    article = claim_of(demo, "rare-glimpse-inside", ELITE)
    assert demo("rule", ELITE, "--position", "1", "--accept", str(article), "--by", "Referee",
                "--reason", "Confirmed").exit_code == 0
    [placing] = results(demo, ELITE)
    assert placing["verdict"] == "ruled"
    # The other source names the same athlete: it agrees with the ruling, it is not overruled.
    assert sorted(c["standing"] for c in placing["claims"]) == ["accepted", "live"]


# --- status rulings -----------------------------------------------------------------------------


# The City Marathon each test's `city` ledger starts from (see the `city` fixture in conftest.py).
pytestmark = pytest.mark.city([
    *city_marathon({"open-women": ("Open women", "F")}, ("timing", "gazette")),
    ("athlete", "add", "Anna Nowak", "--nationality", "POL"),
    ("athlete", "add", "Maria Silva", "--nationality", "POR"),
])


CITY = "city-2025/marathon/open-women"


def claim(run, source: str, athlete: str, *extra: str) -> int:
    done = run("claim", CITY, "--source", source, "--athlete", athlete, *extra)
    assert done.exit_code == 0, done.stderr
    return int(done.stdout.split()[-1].rstrip("."))


def test_a_disqualification_is_shown_beside_the_claims_it_affects_which_stay_as_made(city):
    claim(city, "timing", "Anna Nowak", "--position", "1", "--time", "2:31:07")
    claim(city, "gazette", "Anna Nowak", "--position", "1", "--time", "2:31:07")
    claim(city, "timing", "Maria Silva", "--position", "2", "--time", "2:31:40")
    done = city("rule", CITY, "--athlete", "anna nowak", "--status", "dq", "--by", "Referee",
                "--reason", "Rule 144.3(a): unauthorised pacing", "--decided", "2025-10-12")
    assert done.exit_code == 0, done.stderr
    first, second = results(city, CITY)
    assert [c["status"] for c in first["claims"]] == ["FIN", "FIN"]
    for c in first["claims"]:
        assert c["status_ruling"]["status"] == "DQ"
        assert c["status_ruling"]["athlete"] == "Anna Nowak"
        assert c["status_ruling"]["reason"] == "Rule 144.3(a): unauthorised pacing"
    assert [c["status_ruling"] for c in second["claims"]] == [None]
    table = city("results", CITY, "-f", "tsv").stdout
    assert table.count("\tDQ by Referee: Rule 144.3(a): unauthorised pacing\t") == 2
    assert "ruling" in city("results", CITY, "--width", "0").stdout.splitlines()[0]


def test_a_status_ruling_settles_an_athlete_dispute_about_status(city):
    claim(city, "timing", "Anna Nowak", "--status", "DQ")
    claim(city, "gazette", "Anna Nowak", "--status", "FIN", "--time", "2:31:07")
    [dispute] = json.loads(city("disputes", "-f", "json").stdout)
    assert dispute["kind"] == "athlete"
    city("rule", CITY, "--athlete", "Anna Nowak", "--status", "DQ", "--by", "Jury", "--reason", "Rule 144")
    assert json.loads(city("disputes", "-f", "json").stdout) == []
    [ruled] = json.loads(city("disputes", "--all", "-f", "json").stdout)
    assert (ruled["kind"], ruled["verdict"], ruled["ruling"]["status"]) == ("athlete", "ruled", "DQ")


def test_a_reinstatement_supersedes_a_disqualification(city):
    claim(city, "timing", "Anna Nowak", "--position", "1")
    city("rule", CITY, "--athlete", "Anna Nowak", "--status", "DQ", "--by", "Referee", "--reason", "Rule 144")
    city("rule", CITY, "--athlete", "Anna Nowak", "--status", "FIN", "--by", "Jury", "--reason", "Appeal upheld")
    [placing] = results(city, CITY)
    ruling = placing["claims"][0]["status_ruling"]
    assert (ruling["status"], ruling["decided_by"]) == ("FIN", "Jury")


def test_overruling_the_claim_that_disagreed_settles_the_athlete_dispute_too(city):
    silva_first = claim(city, "gazette", "Maria Silva", "--position", "1")
    nowak_first = claim(city, "timing", "Anna Nowak", "--position", "1")
    claim(city, "timing", "Maria Silva", "--position", "2")
    kinds = sorted(d["kind"] for d in json.loads(city("disputes", "-f", "json").stdout))
    assert kinds == ["athlete", "position"]
    city("rule", CITY, "--position", "1", "--accept", str(nowak_first), "--by", "Jury", "--reason", "Photo finish")
    assert json.loads(city("disputes", "-f", "json").stdout) == []
    ruled = json.loads(city("disputes", "--all", "-f", "json").stdout)
    assert sorted((d["kind"], d["verdict"]) for d in ruled) == [("athlete", "ruled"), ("position", "ruled")]
    by_id = {c["id"]: c["standing"] for p in results(city, CITY) for c in p["claims"]}
    assert by_id[silva_first] == "overruled" and by_id[nowak_first] == "accepted"


# --- errors: one line, nothing written ----------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["--position", "1", "--accept", "999"], "Error: no claim 999; claim ids are shown by: raceledger results CATEGORY"),
    (["--position", "2", "--accept", "{kopec}"], "Error: claim {kopec} gives position 1, not 2; accept a claim for position 2"),
    (["--position", "1", "--accept", "{kopec}", "--decided", "7 April"],
     "Error: bad --decided date '7 April': expected YYYY-MM-DD, e.g. 2025-04-06"),
    (["--athlete", "Nobody", "--status", "DQ"], "Error: no athlete 'Nobody'; add them with: raceledger athlete add 'Nobody'"),
    (["--athlete", "Kopec", "--status", "XX"], "Error: unknown status 'XX': expected FIN, DNF, DNS or DQ"),
    (["--athlete", "Pak Kum-dong", "--status", "DQ"],
     f"Error: no claim about Pak Kum-dong in {AMATEUR}; record the result first, then rule on it"),
])
def test_bad_rulings_are_one_line_errors_and_write_nothing(demo, args, message):
    kopec = str(claim_of(demo, "wojciech-kopec"))
    before = head(demo)
    done = demo("rule", AMATEUR, *[a.replace("{kopec}", kopec) for a in args], "--by", JURY, "--reason", "r")
    assert (done.exit_code, done.stdout) == (1, "")
    assert done.stderr.strip() == message.replace("{kopec}", kopec)
    assert head(demo) == before


def test_a_claim_of_another_category_cannot_be_accepted(demo):
    pak = claim_of(demo, "rare-glimpse-inside", ELITE)
    done = demo("rule", AMATEUR, "--position", "1", "--accept", str(pak), "--by", JURY, "--reason", "r")
    assert done.stderr.strip() == (f"Error: claim {pak} is in {ELITE}, not {AMATEUR}; "
                                   "accept a claim of the placing being ruled on")


def test_a_retracted_claim_cannot_be_accepted(demo):
    kopec = claim_of(demo, "wojciech-kopec")
    demo("retract", str(kopec), "--reason", "withdrawn")
    done = demo("rule", AMATEUR, "--position", "1", "--accept", str(kopec), "--by", JURY, "--reason", "r")
    assert done.exit_code == 1
    assert "a ruling cannot accept a withdrawn claim" in done.stderr


@pytest.mark.parametrize("args", [
    [],
    ["--position", "1"],
    ["--accept", "1"],
    ["--athlete", "Kopec"],
    ["--position", "1", "--accept", "1", "--athlete", "Kopec", "--status", "DQ"],
])
def test_conflicting_or_incomplete_forms_are_usage_errors(demo, args):
    before = head(demo)
    done = demo("rule", AMATEUR, *args, "--by", JURY, "--reason", "r")
    assert done.exit_code == 2
    assert done.stderr.startswith("Error: ") and len(done.stderr.splitlines()) == 1
    assert head(demo) == before


def test_an_empty_reason_or_body_is_refused(demo):
    kopec = str(claim_of(demo, "wojciech-kopec"))
    done = demo("rule", AMATEUR, "--position", "1", "--accept", kopec, "--by", " ", "--reason", "r")
    assert done.stderr.strip() == "Error: --by must not be empty"
    done = demo("rule", AMATEUR, "--position", "1", "--accept", kopec, "--by", JURY, "--reason", "")
    assert done.stderr.strip() == "Error: --reason must not be empty"


# --- the rules, as pure functions ---------------------------------------------------------------

_ids = count(1000)
CAT = "c/r/x"


def view(source: str, athlete: int | None, position: int | None, status: str = "FIN",
         retracted: bool = False) -> ClaimView:
    return ClaimView(id=next(_ids), category=CAT, source=source, source_kind="press", athlete_id=athlete,
                     athlete=None if athlete is None else f"A{athlete}", unnamed=None if athlete else "someone",
                     as_written=None, position=position, time_ms=None, time_decimals=0, net_time_ms=None,
                     net_time_decimals=0, status=status, url=None, quote=None, published=None,
                     retracted_seq=7 if retracted else None, retraction_reason="oops" if retracted else None)


def ruling(rid: int, seq: int, accepted: ClaimView | None = None, athlete: int | None = None,
           status: str | None = None) -> RulingView:
    return RulingView(id=rid, seq=seq, category=CAT, position=accepted.position if accepted else None,
                      accepted_claim_id=accepted.id if accepted else None,
                      accepted_athlete_id=accepted.athlete_id if accepted else None, athlete_id=athlete,
                      athlete=None, status=status, decided_by="jury", reason=f"r{rid}", decided=dt.date(2025, 1, 1))


def test_the_newest_ruling_on_a_placing_is_in_force():
    a, b = view("s1", 1, 1), view("s2", 2, 1)
    rulings = Rulings([ruling(2, 20, b), ruling(1, 10, a)])
    assert rulings.placing[(CAT, 1)].id == 2
    assert [r.id for r in rulings.superseded[2]] == [1]
    assert rulings.standing(a) == (OVERRULED, rulings.placing[(CAT, 1)])
    assert rulings.standing(b)[0] == ACCEPTED


def test_standings_of_live_retracted_and_unruled_claims():
    a, gone, elsewhere = view("s1", 1, 1), view("s2", 2, 1, retracted=True), view("s1", 3, 2)
    rulings = Rulings([ruling(1, 10, a)])
    assert rulings.standing(gone) == (RETRACTED, None)
    assert rulings.standing(elsewhere) == (LIVE, None)


def test_a_retracted_claim_is_never_part_of_a_dispute():
    a, b = view("s1", 1, 1), view("s2", 2, 1, retracted=True)
    assert find_disputes([a, b]) == []
    assert [p.verdict for p in placings([a, b])] == ["single-source"]


def test_a_placing_of_only_retracted_claims_is_retracted():
    assert [p.verdict for p in placings([view("s1", 1, 1, retracted=True)])] == [RETRACTED]


def test_a_ruled_placing_is_ruled_and_its_dispute_is_settled():
    a, b = view("s1", 1, 1), view("s2", 2, 1)
    rulings = Rulings([ruling(1, 10, a)])
    [dispute] = find_disputes([a, b], rulings=rulings)
    assert (dispute.verdict, dispute.ruling.id) == (RULED, 1)
    assert [p.verdict for p in placings([a, b], rulings=rulings)] == [RULED]
    assert [p.verdict for p in placings([a, b])] == [DISPUTED]


def test_an_athlete_dispute_left_disagreeing_after_overruling_stays_open():
    # A1 is 1st (s1, overruled), 2nd (s2) and 3rd (s3): overruling s1 leaves 2nd against 3rd.
    over, second, third, winner = view("s1", 1, 1), view("s2", 1, 2), view("s3", 1, 3), view("s4", 2, 1)
    rulings = Rulings([ruling(1, 10, winner)])
    athlete = [d for d in find_disputes([over, second, third, winner], rulings=rulings) if d.kind == "athlete"]
    assert [d.verdict for d in athlete] == [DISPUTED]


def test_a_status_ruling_settles_any_athlete_dispute_of_that_athlete():
    fin, dq = view("s1", 1, None, "FIN"), view("s2", 1, None, "DQ")
    rulings = Rulings([ruling(1, 10, athlete=1, status="DQ")])
    [dispute] = find_disputes([fin, dq], rulings=rulings)
    assert (dispute.kind, dispute.verdict) == ("athlete", RULED)
    assert rulings.on_status_of(fin).status == "DQ"
