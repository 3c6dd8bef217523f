"""Categories derived from the overall order by a rule over the entrants (issue 21, point 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import MARATHON, as_json, city_marathon, entered, ok
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.rules import age_on

OVERALL = f"{MARATHON}/overall"
W40 = f"{MARATHON}/w40"
START = ("Bib,Name,Sex,Birth Date,Age\n1,Anna Nowak,F,1984-01-01,\n2,Jan Kos,M,1980-01-01,\n3,Eva Kern,F,,41\n"
         "4,Ida Berg,F,1999-05-05,\n5,Ola Lis,,1983-01-01,\n6,Uma Rey,F,,\n7,Zoe Alt,F,1985-10-13,\n")

pytestmark = pytest.mark.city(city_marathon({"overall": ("Overall", "X")}, ("timing", "gazette")))


@pytest.fixture
def derived(city, tmp_path):
    entered(city, tmp_path, START)
    ok(city("finish", OVERALL, "--source", "timing", input="1 2:30:00\n2 2:31:00\n3 2:32:00\n4 2:33:00\n5 2:34:00\n"
                                                            "6 2:35:00\n7 2:36:00\n"))
    ok(city("finish", OVERALL, "--source", "gazette", input="3 2:32:00\n1 2:32:30\n"))
    ok(city("category", "add", W40, "--name", "Women 40-44", "--sex", "F", "--age-min", "40", "--age-max", "44",
            "--derived-from", OVERALL))
    return city


def test_each_sources_claims_are_ranked_within_the_derived_category(derived):
    found = as_json(derived("results", W40, "-f", "json"))
    assert [(p["position"], p["verdict"], p["derived_from"], p["unplaced"],
             [(c["athlete"], c["source"], c["position"], c["overall_position"], c["time"]) for c in p["claims"]])
            for p in found] == [
        (1, "disputed", OVERALL, None, [("Anna Nowak", "timing", 1, 1, "2:30:00"), ("Eva Kern", "gazette", 1, 1, "2:32:00")]),
        (2, "disputed", OVERALL, None, [("Eva Kern", "timing", 2, 3, "2:32:00"), ("Anna Nowak", "gazette", 2, 2, "2:32:30")]),
        (None, "single-source", OVERALL, "no sex known", [("Ola Lis", "timing", None, 5, "2:34:00")]),
        (None, "single-source", OVERALL, "no age known", [("Uma Rey", "timing", None, 6, "2:35:00")]),
    ]  # Zoe Alt turns 40 the day after race day: not in the category
    table = ok(derived("results", W40, "--width", "0"))
    assert "no sex known" in table and "overall" in table


def test_claims_go_to_the_category_derived_from(derived):
    failed = derived("finish", W40, "--source", "timing", input="1\n")
    assert failed.exit_code == 1
    assert failed.stderr == (f"Error: {W40} is derived from {OVERALL} (its places are ranked from there); "
                             f"record claims in {OVERALL}\n")


@pytest.mark.parametrize("args,message", [
    (("--sex", "F", "--derived-from", f"{MARATHON}/nope"), "no category 'city-2025/marathon/nope'"),
    (("--derived-from", OVERALL), "a derived category needs a rule: --sex, --age-min or --age-max"),
    (("--sex", "F", "--derived-from", W40), f"--derived-from '{W40}' is itself derived"),
])
def test_a_bad_derived_category_is_refused(derived, args, message):
    failed = derived("category", "add", f"{MARATHON}/w2", "--name", "W", *args)
    assert failed.exit_code == 1 and failed.stderr.startswith(f"Error: {message}")


def test_a_derived_category_replays(derived):
    assert ok(derived("verify", "--deep")).startswith("Verified")


@given(st.dates(dt.date(1900, 1, 1), dt.date(2025, 10, 12)))
def test_age_on_race_day_from_a_birth_date_is_never_more_than_from_the_year(born):
    day = dt.date(2025, 10, 12)
    exact, by_year = age_on(day, born, None, None), age_on(day, None, born.year, None)
    assert by_year - 1 <= exact <= by_year
    assert exact == by_year or (day.month, day.day) < (born.month, born.day)
