"""What counts as a dispute, and each placing's verdict: pure rules, then the same through the CLI."""

from __future__ import annotations

import json
from itertools import count

import pytest
from helpers import city_marathon
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.views import ClaimView
from ledger.read.verdicts import (
    AGREED,
    DISPUTED,
    SINGLE_SOURCE,
    find_disputes,
    placings,
)

CATEGORY = "city-2025/marathon/open-women"
_ids = count(1)
ATHLETES = {1: "Anna Nowak", 2: "Maria Silva", 3: "Jon Su-gyong"}


def claim(source: str, athlete: int | None = None, position: int | None = None, time: int | None = None,
          status: str = "FIN", net: int | None = None, category: str = CATEGORY,
          unnamed: str | None = None) -> ClaimView:
    """A live claim; `athlete=None` is an athlete the source did not name."""
    return ClaimView(
        id=next(_ids), category=category, source=source, source_kind="press", athlete_id=athlete,
        athlete=ATHLETES.get(athlete), unnamed=unnamed if athlete is None else None,
        as_written=ATHLETES.get(athlete), position=position, time_ms=time, time_decimals=0,
        net_time_ms=net, net_time_decimals=0, status=status, url=None, quote=None, published=None)


def hms(h: int, m: int, s: int, ms: int = 0) -> int:
    return ((h * 60 + m) * 60 + s) * 1000 + ms


T = hms(2, 31, 7)


def kinds(disputes) -> list[tuple[str, int | None, str | None]]:
    return [(d.kind, d.position, d.athlete) for d in disputes]


# --- position disputes --------------------------------------------------------------------------


def test_two_sources_naming_different_athletes_for_one_placing_is_a_position_dispute():
    a, b = claim("timing", 1, 1, T), claim("gazette", 2, 1, T + 33_000)
    disputes = find_disputes([a, b])
    assert kinds(disputes) == [("position", 1, None)]
    assert [c.id for c in disputes[0].claims] == [a.id, b.id]


def test_two_sources_naming_different_athletes_is_a_dispute_even_with_the_same_time():
    assert kinds(find_disputes([claim("timing", 1, 1, T), claim("gazette", 2, 1, T)])) == [("position", 1, None)]


def test_two_sources_naming_different_athletes_is_a_dispute_without_any_time():
    assert kinds(find_disputes([claim("timing", 1, 1), claim("gazette", 2, 1)])) == [("position", 1, None)]


def test_an_unnamed_athlete_against_a_named_one_is_a_position_dispute():
    state_media = claim("state-media", None, 1, unnamed="a local athlete")
    own_claim = claim("kopec", 1, 1)
    disputes = find_disputes([state_media, own_claim])
    assert kinds(disputes) == [("position", 1, None)]
    assert {c.id for c in disputes[0].claims} == {state_media.id, own_claim.id}


def test_sources_agreeing_on_one_athlete_are_not_a_dispute():
    assert find_disputes([claim("timing", 1, 1, T), claim("gazette", 1, 1, T)]) == []


def test_a_tie_one_source_same_position_same_time_is_not_a_dispute():
    assert find_disputes([claim("timing", 1, 2, T), claim("timing", 2, 2, T)]) == []


def test_one_source_giving_one_placing_to_two_athletes_with_different_times_is_a_dispute():
    disputes = find_disputes([claim("timing", 1, 2, T), claim("timing", 2, 2, T + 5_000)])
    assert kinds(disputes) == [("position", 2, None)]


def test_a_tie_in_one_source_is_still_disputed_by_another_source_naming_someone_else():
    tie = [claim("timing", 1, 2, T), claim("timing", 2, 2, T)]
    other = claim("gazette", 3, 2, T)
    assert kinds(find_disputes([*tie, other])) == [("position", 2, None)]


def test_claims_in_different_categories_never_dispute_each_other():
    assert find_disputes([claim("timing", 1, 1, T), claim("gazette", 2, 1, T, category="city-2025/10k/open")]) == []


def test_different_placings_are_not_a_dispute():
    assert find_disputes([claim("timing", 1, 1, T), claim("timing", 2, 2, T + 9_000)]) == []


# --- athlete disputes ---------------------------------------------------------------------------


def test_one_athlete_given_two_positions_is_an_athlete_dispute():
    disputes = find_disputes([claim("timing", 1, 1, T), claim("gazette", 1, 2, T)])
    assert kinds(disputes) == [("athlete", None, "Anna Nowak")]


def test_one_athlete_given_two_statuses_is_an_athlete_dispute():
    disputes = find_disputes([claim("timing", 1, 1, T), claim("gazette", 1, status="DNF")])
    assert kinds(disputes) == [("athlete", None, "Anna Nowak")]


def test_times_further_apart_than_the_default_one_second_are_an_athlete_dispute():
    disputes = find_disputes([claim("timing", 1, 1, T), claim("gazette", 1, 1, T + 1_001)])
    assert kinds(disputes) == [("athlete", None, "Anna Nowak")]


def test_times_exactly_one_second_apart_agree_by_default():
    assert find_disputes([claim("timing", 1, 1, T), claim("gazette", 1, 1, T + 1_000)]) == []


def test_a_tighter_tolerance_makes_one_second_a_dispute():
    claims = [claim("timing", 1, 1, T), claim("gazette", 1, 1, T + 1_000)]
    assert kinds(find_disputes(claims, tolerance_ms=500)) == [("athlete", None, "Anna Nowak")]


def test_a_wider_tolerance_lets_times_agree():
    assert find_disputes([claim("timing", 1, 1, T), claim("gazette", 1, 1, T + 3_000)], tolerance_ms=5_000) == []


def test_net_times_apart_beyond_the_tolerance_are_an_athlete_dispute():
    disputes = find_disputes([claim("timing", 1, 1, T, net=T - 20_000), claim("gazette", 1, 1, T, net=T - 10_000)])
    assert kinds(disputes) == [("athlete", None, "Anna Nowak")]


def test_a_time_given_by_one_source_only_is_not_a_disagreement():
    assert find_disputes([claim("timing", 1, 1, T), claim("gazette", 1, 1)]) == []


def test_athlete_dispute_lists_every_claim_about_the_athlete():
    claims = [claim("timing", 1, 1, T), claim("gazette", 1, 2, T), claim("blog", 1, 1, T)]
    (dispute,) = find_disputes(claims)
    assert [c.id for c in dispute.claims] == [c.id for c in claims]


def test_unnamed_athletes_are_never_an_athlete_dispute_with_each_other():
    assert find_disputes([claim("a", None, 3, unnamed="a local"), claim("b", None, 4, unnamed="a local")]) == []


def test_position_disputes_come_before_athlete_disputes():
    claims = [claim("timing", 1, 1, T), claim("gazette", 2, 1, T), claim("gazette", 1, 2, T)]
    assert [d.kind for d in find_disputes(claims)] == ["position", "athlete"]


# --- verdicts -----------------------------------------------------------------------------------


def verdicts(claims, tolerance_ms: int = 1000) -> list[tuple[int | None, str]]:
    return [(p.position, p.verdict) for p in placings(claims, tolerance_ms)]


def test_one_claim_is_single_source():
    assert verdicts([claim("timing", 1, 1, T)]) == [(1, SINGLE_SOURCE)]


def test_two_sources_in_agreement_are_agreed():
    assert verdicts([claim("timing", 1, 1, T), claim("gazette", 1, 1, T + 400)]) == [(1, AGREED)]


def test_two_sources_naming_different_athletes_are_disputed():
    assert verdicts([claim("timing", 1, 1), claim("gazette", 2, 1)]) == [(1, DISPUTED)]


def test_a_tie_from_one_source_is_single_source_not_disputed():
    assert verdicts([claim("timing", 1, 1, T), claim("timing", 2, 1, T)]) == [(1, SINGLE_SOURCE)]


def test_a_placing_whose_athlete_is_disputed_elsewhere_is_disputed():
    claims = [claim("timing", 1, 1, T), claim("gazette", 1, 2, T)]
    assert verdicts(claims) == [(1, DISPUTED), (2, DISPUTED)]


def test_the_tolerance_decides_between_agreed_and_disputed():
    claims = [claim("timing", 1, 1, T), claim("gazette", 1, 1, T + 2_000)]
    assert verdicts(claims, 1000) == [(1, DISPUTED)]
    assert verdicts(claims, 3000) == [(1, AGREED)]


def test_placings_come_in_position_order_then_the_unplaced():
    claims = [claim("timing", 2, status="DNF"), claim("timing", 3, 3, T), claim("timing", 1, 1, T)]
    assert [p.position for p in placings(claims)] == [1, 3, None]


def test_every_claim_appears_in_exactly_one_placing():
    claims = [claim("timing", 1, 1, T), claim("gazette", 2, 1, T), claim("timing", 3, status="DNS"),
              claim("blog", None, 2, unnamed="a local athlete")]
    placed = [c.id for p in placings(claims) for c in p.claims]
    assert sorted(placed) == sorted(c.id for c in claims)


@given(st.lists(st.tuples(st.sampled_from(["c/b", "c/a", "c/c"]), st.sampled_from(["timing", "gazette"]),
                         st.one_of(st.none(), st.integers(1, 3)), st.one_of(st.none(), st.integers(1, 4)),
                         st.sampled_from(["FIN", "DNF"])), max_size=25))
def test_placings_of_interleaved_categories_hold_each_claim_once_in_order(rows):
    """Claims of several categories, in any order: each placing is one category's one position (or
    one unplaced athlete), categories in order, positions ascending before the unplaced."""
    claims = [claim(source, athlete, position if status == "FIN" else None, category=category, status=status,
                    unnamed="a local athlete" if athlete is None else None)
              for category, source, athlete, position, status in rows]
    found = placings(claims)
    assert sorted(c.id for p in found for c in p.claims) == sorted(c.id for c in claims)
    assert all({(c.category, c.position) for c in p.claims} == {(p.category, p.position)} for p in found)
    order = [(p.category, p.position is None, p.position or 0) for p in found]
    assert order == sorted(order)
    placed = [(p.category, p.position) for p in found if p.position is not None]
    assert len(placed) == len(set(placed))


# --- through the CLI ----------------------------------------------------------------------------

CAT = "city-2025/marathon/open-women"


# The City Marathon each test's `city` ledger starts from (see the `city` fixture in conftest.py): a category, three sources and athletes with other spellings of their names.
pytestmark = pytest.mark.city([
    *city_marathon({"open-women": ("Open women", "F"), "open-men": ("Open men", "M")},
                   ("timing", "gazette", "state-tv")),
    ("athlete", "add", "Anna Nowak", "--nationality", "POL"),
    ("athlete", "add", "Maria Silva", "--nationality", "POR"),
    ("athlete", "add", "Wojciech Kopec", "--nationality", "POL", "--alias", "W. Kopeć"),
    ("athlete", "add", "Pak Kum-dong", "--nationality", "PRK"),
    ("athlete", "add", "Łucja Żak", "--nationality", "POL"),
])


def add_claim(run, *args: str, category: str = CAT) -> None:
    result = run("claim", category, *args)
    assert result.exit_code == 0, result.stderr


def disputes_json(run, *args: str) -> list[dict]:
    result = run("disputes", *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def results_json(run, *args: str, category: str = CAT) -> list[dict]:
    result = run("results", category, *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_cli_named_against_named_for_one_placing_is_a_position_dispute(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07")
    add_claim(city, "--source", "gazette", "--athlete", "maria silva", "--position", "1", "--time", "2:31:40")
    (dispute,) = disputes_json(city, "city-2025")
    assert (dispute["kind"], dispute["position"], dispute["category"]) == ("position", 1, CAT)
    assert [(c["athlete"], c["source"]) for c in dispute["claims"]] == [("Anna Nowak", "timing"),
                                                                       ("Maria Silva", "gazette")]
    assert [(p["position"], p["verdict"]) for p in results_json(city)] == [(1, "disputed")]


def test_cli_unnamed_against_named_for_one_placing_is_a_position_dispute(city):
    add_claim(city, "--source", "state-tv", "--unnamed", "a local athlete", "--position", "1")
    add_claim(city, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "1")
    (dispute,) = disputes_json(city)
    assert dispute["kind"] == "position"
    unnamed, named = dispute["claims"]
    assert (unnamed["athlete"], unnamed["unnamed"], unnamed["source"]) == (None, "a local athlete", "state-tv")
    assert (named["athlete"], named["source"]) == ("Anna Nowak", "gazette")


@pytest.mark.parametrize("spelling", ["wojciech kopec", "WOJCIECH KOPEĆ", "Wojciech Kopeć", "w. kopec", "W Kopeć",
                                      "wojciech-kopec"])
def test_cli_any_spelling_of_one_athlete_is_the_same_athlete(city, spelling):
    add_claim(city, "--source", "timing", "--athlete", "Wojciech Kopec", "--position", "1", "--time", "2:31:07",
              category="city-2025/marathon/open-men")
    add_claim(city, "--source", "gazette", "--athlete", spelling, "--position", "1", "--time", "2:31:07",
              category="city-2025/marathon/open-men")
    assert disputes_json(city) == []
    (placing,) = results_json(city, category="city-2025/marathon/open-men")
    assert placing["verdict"] == "agreed"
    assert {c["athlete"] for c in placing["claims"]} == {"Wojciech Kopec"}


@pytest.mark.parametrize("spelling", ["Pak Kum Dong", "PAK KUM-DONG", "pak kum dong", "Pak Kum–dong"])
def test_cli_hyphens_and_spaces_in_a_name_match(city, spelling):
    add_claim(city, "--source", "timing", "--athlete", "Pak Kum-dong", "--position", "1",
              category="city-2025/marathon/open-men")
    add_claim(city, "--source", "state-tv", "--athlete", spelling, "--position", "1",
              category="city-2025/marathon/open-men")
    assert disputes_json(city) == []


def test_cli_letters_without_a_combining_accent_match_too(city):
    add_claim(city, "--source", "timing", "--athlete", "Łucja Żak", "--position", "3")
    add_claim(city, "--source", "gazette", "--athlete", "lucja zak", "--position", "3")
    assert [(p["position"], p["verdict"]) for p in results_json(city)] == [(3, "agreed")]


def test_cli_the_name_as_the_source_wrote_it_is_kept(city):
    add_claim(city, "--source", "gazette", "--athlete", "w. kopec", "--position", "1",
              category="city-2025/marathon/open-men")
    (placing,) = results_json(city, category="city-2025/marathon/open-men")
    assert (placing["claims"][0]["athlete"], placing["claims"][0]["as_written"]) == ("Wojciech Kopec", "w. kopec")


def test_cli_a_tie_is_not_a_dispute(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "2", "--time", "2:40:00")
    add_claim(city, "--source", "timing", "--athlete", "Maria Silva", "--position", "2", "--time", "2:40:00")
    assert disputes_json(city) == []
    assert [(p["position"], p["verdict"], len(p["claims"])) for p in results_json(city)] == [(2, "single-source", 2)]


def test_cli_athlete_dispute_on_position(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1")
    add_claim(city, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "2")
    (dispute,) = disputes_json(city)
    assert (dispute["kind"], dispute["athlete"], dispute["position"]) == ("athlete", "Anna Nowak", None)
    assert sorted(c["position"] for c in dispute["claims"]) == [1, 2]


def test_cli_athlete_dispute_on_status(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "4", "--time", "2:50:00")
    add_claim(city, "--source", "gazette", "--athlete", "Anna Nowak", "--status", "DNF")
    (dispute,) = disputes_json(city)
    assert (dispute["kind"], dispute["athlete"]) == ("athlete", "Anna Nowak")
    assert sorted(c["status"] for c in dispute["claims"]) == ["DNF", "FIN"]


def test_cli_athlete_dispute_on_time_beyond_the_default_second(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07")
    add_claim(city, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:09")
    (dispute,) = disputes_json(city)
    assert (dispute["kind"], dispute["athlete"]) == ("athlete", "Anna Nowak")
    assert [c["time"] for c in dispute["claims"]] == ["2:31:07", "2:31:09"]


def test_cli_times_within_the_default_second_agree(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07.2")
    add_claim(city, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:08")
    assert disputes_json(city) == []
    assert [p["verdict"] for p in results_json(city)] == ["agreed"]


def test_cli_tolerance_option_tightens_the_comparison(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07.2")
    add_claim(city, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:08")
    assert [d["kind"] for d in disputes_json(city, "--tolerance", "0.5")] == ["athlete"]
    assert [p["verdict"] for p in results_json(city, "--tolerance", "0.5")] == ["disputed"]


def test_cli_tolerance_option_widens_the_comparison(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07")
    add_claim(city, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:10")
    assert disputes_json(city, "--tolerance", "5") == []
    assert [p["verdict"] for p in results_json(city, "--tolerance", "5")] == ["agreed"]


def test_cli_disputes_scope_limits_to_the_slug(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1")
    add_claim(city, "--source", "gazette", "--athlete", "Maria Silva", "--position", "1")
    for scope in ("city-2025", "city-2025/marathon", CAT):
        assert len(disputes_json(city, scope)) == 1, scope
    assert disputes_json(city, "city-2025/marathon/open-men") == []


def test_cli_athlete_show_gives_each_claim_its_placing_verdict(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1")
    add_claim(city, "--source", "gazette", "--athlete", "Maria Silva", "--position", "1")
    add_claim(city, "--source", "timing", "--athlete", "Maria Silva", "--position", "2",
              category="city-2025/marathon/open-men")
    result = city("athlete", "show", "anna nowak", "-f", "json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert [(c["category"], c["verdict"]) for c in shown["claims"]] == [(CAT, "disputed")]


def test_cli_sources_count_claims_contradicted_by_another_source(city):
    add_claim(city, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1")
    add_claim(city, "--source", "gazette", "--athlete", "Maria Silva", "--position", "1")
    add_claim(city, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "2", "--time", "2:40:00")
    add_claim(city, "--source", "timing", "--athlete", "Maria Silva", "--position", "2", "--time", "2:40:00")
    result = city("sources", "-f", "json")
    assert result.exit_code == 0, result.stderr
    counted = {s["slug"]: (s["claims"], s["contradicted"]) for s in json.loads(result.stdout)}
    assert counted == {"timing": (2, 2), "gazette": (2, 2), "state-tv": (0, 0)}
