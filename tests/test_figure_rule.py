"""The figure rule: the seed's figures as worked examples, and the rule's promises as properties.

FIGURE_RULE_EXAMPLES=2000 runs the properties harder than CI's modest default.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.errors import LedgerError
from ledger.core.figure_rule import (
    AT_DATE,
    CONSISTENT,
    DEFAULT_TOLERANCE_PCT,
    DISPUTED,
    KINDS,
    NOT_COMPARABLE,
    PEAK_YEAR,
    PER_YEAR,
    SINGLE_SOURCE,
    TOTAL,
    Estimate,
    Period,
    compare,
    parse_amount,
    parse_moment,
    standing,
    standings,
)

RULE = settings(max_examples=int(os.environ.get("FIGURE_RULE_EXAMPLES", "150")), deadline=None)
FAMINE = Period(1995, 1998)
FAMINE_YEARS_PUT_IN_DAYS = Period(dt.date(1995, 1, 1), dt.date(1998, 12, 31))
DECADE = dt.timedelta(days=3653)


def figure(id: int, low: int | str, high: int | str | None = None, **given) -> Estimate:
    """A figure in persons, a point unless `high` is given."""
    values = {"unit": "persons", "kind": TOTAL, **given}
    return Estimate(id, Decimal(low), Decimal(low if high is None else high), **values)


def choe(period: Period = FAMINE) -> Estimate:
    return figure(1, 220000, kind=TOTAL, period=period, label="Choe Su-hon (to UNICEF, 2001)")


def memo() -> Estimate:
    return figure(2, 300000, 800000, kind=PEAK_YEAR, label="the 1998 memo")


def experts() -> Estimate:
    return figure(3, 100000, 300000, kind=AT_DATE, at=2003, label="most experts")


def robinson(at=None) -> Estimate:
    return figure(4, 10000, kind=AT_DATE, at=at, label="W. Courtland Robinson's study")


# --- the seed's figures --------------------------------------------------------------------------

FAMINE_WHY = (
    "taking the peak year to fall within 1995-1998, which the 1998 memo does not state, 220,000 in "
    "total over 1995-1998 puts the worst single year at most at 220,000; 300,000-800,000 in the peak "
    "year is above that: disputed"
)


@pytest.mark.parametrize("first, second", [(choe, memo), (memo, choe)])
def test_the_famine_estimates_are_disputed_with_the_derivation_in_words(first, second):
    assert compare(first(), second()) == (DISPUTED, FAMINE_WHY)


def test_the_famine_period_written_as_days_counts_the_same_four_years():
    found = compare(choe(FAMINE_YEARS_PUT_IN_DAYS), memo())
    assert found.verdict == DISPUTED
    assert "over 1995-01-01 to 1998-12-31 puts the worst single year at most at 220,000;" in found.why


def test_a_peak_year_inside_the_total_s_bounds_is_consistent():
    peak = figure(2, 60000, 100000, kind=PEAK_YEAR, period=FAMINE, label="a later survey")
    assert compare(choe(), peak) == (
        CONSISTENT,
        ("220,000 in total over 1995-1998 puts the worst single year between 55,000 and 220,000; "
         "60,000-100,000 in the peak year of 1995-1998 falls within that: consistent"),
    )


def test_a_peak_year_below_an_even_share_of_the_total_is_disputed():
    peak = figure(2, 30000, kind=PEAK_YEAR, period=FAMINE)
    assert compare(peak, choe()).why == (
        "220,000 in total over 1995-1998 puts the worst single year at least at 55,000; "
        "30,000 in the peak year of 1995-1998 is below that: disputed"
    )


def test_a_yearly_average_is_put_on_the_total_s_footing():
    average = figure(5, 50000, 80000, kind=PER_YEAR, period=Period(1995, 1997))
    total = figure(6, 300000, kind=TOTAL, period=Period(1995, 1997))
    assert compare(total, average).why == (
        "50,000-80,000 a year on average over 1995-1997 puts the total over 1995-1997 at most at "
        "240,000; 300,000 in total over 1995-1997 is above that: disputed"
    )


def test_the_refugee_study_without_a_date_is_not_comparable_and_says_so():
    why = ("W. Courtland Robinson's study gives no date for its 10,000, so it cannot be set against "
           "100,000-300,000 in 2003")
    assert compare(experts(), robinson()) == (NOT_COMPARABLE, f"{why}: not-comparable")
    assert compare(robinson(), experts(), window=DECADE) == (
        NOT_COMPARABLE, f"{why}; no window can place a count that has no date: not-comparable")


def test_dated_refugee_estimates_compare_only_at_one_date_or_within_a_window():
    later = robinson(at=dt.date(2010, 6, 1))
    assert compare(experts(), later) == (
        NOT_COMPARABLE,
        ("100,000-300,000 in 2003 and 10,000 on 2010-06-01 are not at the same date; a window would "
         "let them compare: not-comparable"),
    )
    assert compare(experts(), later, window=DECADE) == (
        DISPUTED,
        ("100,000-300,000 in 2003 is above 10,000 on 2010-06-01 (2,344 days apart, within the "
         "3,653-day window): disputed"),
    )
    assert compare(experts(), later, window=dt.timedelta(days=365)).why.endswith(
        "are not at the same date, nor within the 365-day window: not-comparable")


def test_a_bare_year_holds_every_day_of_it():
    assert compare(experts(), robinson(at=dt.date(2003, 12, 31))).verdict == DISPUTED


def test_around_200_runners_widens_by_the_default_tolerance_and_says_so():
    runners = figure(10, 200, kind=AT_DATE, at=dt.date(2025, 4, 6), approximately=True, label="the article")
    count = figure(11, 215, kind=AT_DATE, at=2025, label="a tour operator")
    assert compare(runners, count) == (
        CONSISTENT,
        "around 200 (taken as 180-220, ±10%) on 2025-04-06 and 215 in 2025 overlap: consistent",
    )
    assert compare(runners, count, tolerance_pct=Decimal(5)) == (
        DISPUTED,
        "around 200 (taken as 190-210, ±5%) on 2025-04-06 is below 215 in 2025: disputed",
    )


def test_the_race_s_figures_alone_are_single_source():
    spectators = figure(12, 50000, kind=AT_DATE, at=dt.date(2025, 4, 6), label="Cameron Mofid")
    assert standing(spectators, [spectators]) == (SINGLE_SOURCE, ())


def test_fees_in_different_units_are_not_comparable():
    tour = Estimate(13, Decimal(2750), Decimal(2750), "USD", AT_DATE, True, at=2025, label="the article")
    in_euro = Estimate(14, Decimal(2500), Decimal(2500), "EUR", AT_DATE, at=2025, label="a brochure")
    assert compare(tour, in_euro) == (
        NOT_COMPARABLE, "the article counts in USD and a brochure in EUR, different units: not-comparable")


def test_numbers_print_with_thousands_separators_and_no_spurious_decimals():
    fee = Estimate(15, Decimal("2750.50"), Decimal("2750.50"), "USD", TOTAL, period=Period(2025, 2027))
    per_year = Estimate(16, Decimal(900), Decimal(900), "USD", PEAK_YEAR, period=Period(2025, 2027))
    assert compare(fee, per_year).why == (
        "2,750.5 in total over 2025-2027 puts the worst single year at least at 916.83…; "
        "900 in the peak year of 2025-2027 is below that: disputed"
    )


# --- when figures cannot be compared -------------------------------------------------------------


def test_different_periods_are_not_comparable():
    later = figure(5, 220000, kind=TOTAL, period=Period(1996, 1999))
    assert compare(choe(), later).why == (
        "220,000 in total over 1995-1998 and 220,000 in total over 1996-1999 cover different periods: "
        "not-comparable"
    )


def test_different_kinds_without_any_period_are_not_comparable():
    assert compare(figure(5, 220000), memo()).why == (
        "neither 220,000 in total nor 300,000-800,000 in the peak year gives a period, so a total figure "
        "and a peak-year figure cannot be put on one footing: not-comparable"
    )


def test_same_kinds_without_any_period_compare_directly():
    assert compare(figure(5, 220000), figure(6, 200000, 250000)).why == (
        "220,000 in total and 200,000-250,000 in total overlap: consistent")


def test_a_total_without_a_period_is_taken_over_the_other_s_and_says_so():
    assert compare(figure(5, 220000, label="a blog"), choe()).why == (
        "taking the total to cover 1995-1998, which a blog does not state, 220,000 in total and "
        "220,000 in total over 1995-1998 agree: consistent"
    )


def test_a_part_year_cannot_put_a_total_beside_a_yearly_average():
    spring = Period(dt.date(1995, 3, 1), dt.date(1995, 5, 31))
    found = compare(figure(5, 9000, period=spring), figure(6, 40000, kind=PER_YEAR, period=spring))
    assert found.why == (
        "1995-03-01 to 1995-05-31 is not a whole number of years, so a total figure and a per-year figure "
        "cannot be put on one footing over it: not-comparable"
    )


def test_an_at_date_figure_against_a_total_is_not_comparable():
    assert compare(experts(), figure(5, 220000, period=FAMINE)).why == (
        "100,000-300,000 in 2003 is a count at one date and 220,000 in total over 1995-1998 is a total "
        "figure of a period; they cannot be put on one footing: not-comparable"
    )


# --- standing ------------------------------------------------------------------------------------


def test_standing_lists_every_other_figure_by_id_and_a_dispute_outweighs_agreement():
    agreeing = figure(5, 200000, 250000, kind=TOTAL, period=FAMINE)
    found = standings([memo(), agreeing, choe()])
    assert found[1].verdict == DISPUTED
    assert [line.as_json() for line in found[1].comparisons] == [
        {"with": 2, "verdict": DISPUTED, "why": FAMINE_WHY},
        {"with": 5, "verdict": CONSISTENT, "why": compare(choe(), agreeing).why},
    ]
    assert found[5].verdict == DISPUTED  # against the memo as well: 250,000 over four years < 300,000


def test_standing_is_consistent_with_one_comparable_agreement_and_not_comparable_with_none():
    assert standing(experts(), [robinson(), figure(5, 150000, kind=AT_DATE, at=2003)]).verdict == CONSISTENT
    assert standing(experts(), [robinson()]).verdict == NOT_COMPARABLE


# --- input the rule refuses ------------------------------------------------------------------------


@pytest.mark.parametrize("build, message", [
    (lambda: figure(1, 300, 200), "low 300 is above high 200: give the smaller bound as low"),
    (lambda: figure(1, 1, kind="per-decade"),
     "unknown kind 'per-decade': expected one of total, per-year, peak-year, at-date"),
    (lambda: figure(1, -1), "bad number Decimal('-1'): a figure is an exact decimal, 0 or more"),
    (lambda: figure(1, "NaN"), "bad number Decimal('NaN'): a figure is an exact decimal, 0 or more"),
    (lambda: figure(1, 1, unit=" "), "a figure needs a unit, such as persons or USD"),
    (lambda: figure(1, 1, kind=AT_DATE, period=FAMINE),
     "an at-date figure holds at one date: give it a date, not a period"),
    (lambda: figure(1, 1, at=2003), "a total figure holds over a period: give it a period, not a date"),
    (lambda: Period(1998, 1995), "bad period 1998-1995: its end is before its start; give START..END"),
    (lambda: Period.parse("1995-1998"), "bad period '1995-1998': expected START..END, e.g. 1995..1998"),
    (lambda: parse_moment("2003-02-30"),
     "bad date '2003-02-30': expected a year (2003) or a day (2003-05-01)"),
    (lambda: parse_moment("9999"), "bad date 9999: expected a year or a day between the years 1 and 9998"),
    (lambda: parse_amount("220,000"),
     "bad number '220,000': expected digits with an optional decimal point, e.g. 220000 or 2750.5"),
    (lambda: compare(choe(), memo(), tolerance_pct=Decimal(101)),
     "bad tolerance Decimal('101'): expected an exact percentage from 0 to 100"),
])
def test_bad_input_is_one_ledger_error_that_says_what_to_give(build, message):
    with pytest.raises(LedgerError) as raised:
        build()
    assert str(raised.value) == message


def test_input_parses_exactly():
    assert parse_amount(" 2750.50 ") == Decimal("2750.50")
    assert Period.parse("1995..1998-06-30") == Period(1995, dt.date(1998, 6, 30))
    assert parse_moment("2003") == 2003


@pytest.mark.parametrize("period, years", [
    (Period(1995, 1998), 4),
    (Period(1995, 1995), 1),
    (FAMINE_YEARS_PUT_IN_DAYS, 4),
    (Period(dt.date(1995, 7, 1), dt.date(1998, 6, 30)), 3),
    (Period(dt.date(1996, 2, 29), dt.date(1997, 2, 28)), 1),
    (Period(1995, dt.date(1998, 6, 30)), None),
    (Period(dt.date(1995, 3, 1), dt.date(1995, 5, 31)), None),
])
def test_periods_count_whole_years_only(period, years):
    assert period.years() == years


# --- the rule's promises, as properties ---------------------------------------------------------

# Periods with their year counts written out here, so the properties do not trust Period.years().
PERIOD_YEARS = {
    FAMINE: 4,
    FAMINE_YEARS_PUT_IN_DAYS: 4,
    Period(1995, 1995): 1,
    Period(1996, 1998): 3,
    Period(dt.date(1995, 7, 1), dt.date(1998, 6, 30)): 3,
    Period(dt.date(1995, 3, 1), dt.date(1995, 5, 31)): None,
}
MOMENTS = [2003, dt.date(2003, 5, 1), dt.date(2003, 12, 31), dt.date(2004, 1, 1), 2004, dt.date(2010, 6, 1)]
amounts = st.one_of(st.integers(0, 40).map(Decimal), st.decimals(0, 10**6, places=2))
windows = st.one_of(st.none(), st.sampled_from([0, 1, 150, 400, 3000]).map(lambda d: dt.timedelta(days=d)))
tolerances = st.sampled_from([Decimal(0), Decimal("2.5"), DEFAULT_TOLERANCE_PCT, Decimal(50)])


@st.composite
def estimates(draw, unit: str | None = None) -> Estimate:
    low, high = sorted([draw(amounts), draw(amounts)])
    kind = draw(st.sampled_from(KINDS))
    period = None if kind == AT_DATE else draw(st.one_of(st.none(), st.sampled_from(list(PERIOD_YEARS))))
    at = draw(st.one_of(st.none(), st.sampled_from(MOMENTS))) if kind == AT_DATE else None
    return Estimate(draw(st.integers(1, 9)), low, high, unit or draw(st.sampled_from(["persons", "USD"])),
                    kind, draw(st.booleans()), period, at)


def widened(bounds_of: Estimate, tolerance: Decimal) -> tuple[Fraction, Fraction]:
    share = Fraction(tolerance) / 100 if bounds_of.approximately else 0
    return Fraction(bounds_of.low) * (1 - share), Fraction(bounds_of.high) * (1 + share)


def days_apart(a, b) -> int:
    """Days between two moments, each widened to the days it holds (a bare year: all of them)."""
    a_first, a_last = (a, a) if isinstance(a, dt.date) else (dt.date(a, 1, 1), dt.date(a, 12, 31))
    b_first, b_last = (b, b) if isinstance(b, dt.date) else (dt.date(b, 1, 1), dt.date(b, 12, 31))
    if a_first <= b_last and b_first <= a_last:
        return 0
    return min(abs((b_first - a_last).days), abs((a_first - b_last).days))


def documented_not_comparable(a: Estimate, b: Estimate, window) -> bool:
    """The module doc's conditions, restated on their own."""
    if a.unit != b.unit or (a.kind == AT_DATE) != (b.kind == AT_DATE):
        return True
    if a.kind == AT_DATE:
        if a.at is None or b.at is None:
            return True
        apart = days_apart(a.at, b.at)
        return apart > 0 and (window is None or apart > window.days)
    if a.period and b.period and (a.period.first_day, a.period.last_day) != (b.period.first_day, b.period.last_day):
        return True
    if a.kind == b.kind:
        return False
    period = a.period or b.period
    return period is None or PERIOD_YEARS[period] is None


def on_the_total_footing(figure: Estimate, years: int, tolerance: Decimal) -> tuple[Fraction, Fraction]:
    """The issue's bounds, on a footing the module never uses for these pairs (it prefers peak-year)."""
    low, high = widened(figure, tolerance)
    return {TOTAL: (low, high), PER_YEAR: (low * years, high * years), PEAK_YEAR: (low, high * years)}[figure.kind]


def overlap_on_a_common_footing(a: Estimate, b: Estimate, tolerance: Decimal) -> bool:
    if a.kind == b.kind:
        (a_low, a_high), (b_low, b_high) = widened(a, tolerance), widened(b, tolerance)
    else:
        years = PERIOD_YEARS[a.period or b.period]
        (a_low, a_high), (b_low, b_high) = (on_the_total_footing(f, years, tolerance) for f in (a, b))
    return a_low <= b_high and b_low <= a_high


@RULE
@given(estimates(), estimates(), tolerances, windows)
def test_the_verdict_does_not_depend_on_the_order(a, b, tolerance, window):
    assert compare(a, b, tolerance, window).verdict == compare(b, a, tolerance, window).verdict


@RULE
@given(estimates(), estimates(), tolerances, windows)
def test_not_comparable_exactly_when_the_documented_conditions_hold(a, b, tolerance, window):
    found = compare(a, b, tolerance, window)
    assert (found.verdict == NOT_COMPARABLE) == documented_not_comparable(a, b, window)
    assert found.why.endswith(f": {found.verdict}")


@RULE
@given(estimates(unit="persons"), estimates(unit="persons"), tolerances, windows)
def test_consistent_exactly_when_the_intervals_overlap_on_a_common_footing(a, b, tolerance, window):
    found = compare(a, b, tolerance, window)
    if found.verdict != NOT_COMPARABLE:
        assert (found.verdict == CONSISTENT) == overlap_on_a_common_footing(a, b, tolerance)


@RULE
@given(estimates(unit="persons"), estimates(unit="USD"), tolerances, windows)
def test_never_consistent_across_units(a, b, tolerance, window):
    assert compare(a, b, tolerance, window).verdict == NOT_COMPARABLE


@RULE
@given(estimates(), estimates(), amounts, amounts, st.booleans(), tolerances, windows)
def test_widening_a_figure_never_turns_consistent_into_disputed(a, b, lower_by, raise_by, around, tolerance, window):
    wider = Estimate(a.id, max(a.low - lower_by, Decimal(0)), a.high + raise_by, a.unit, a.kind,
                     a.approximately or around, a.period, a.at, a.label)
    if compare(a, b, tolerance, window).verdict == CONSISTENT:
        assert compare(wider, b, tolerance, window).verdict == CONSISTENT
        assert compare(b, wider, tolerance, window).verdict == CONSISTENT


@RULE
@given(estimates(), estimates(), tolerances, tolerances, windows)
def test_a_larger_tolerance_never_turns_consistent_into_disputed(a, b, one, other, window):
    smaller, larger = sorted([one, other])
    if compare(a, b, smaller, window).verdict == CONSISTENT:
        assert compare(a, b, larger, window).verdict == CONSISTENT


@RULE
@given(estimates(), st.lists(estimates(), max_size=4), windows)
def test_a_standing_follows_from_its_comparisons(subject, others, window):
    found = standing(subject, others, window=window)
    verdicts = [line.verdict for line in found.comparisons]
    assert [line.with_id for line in found.comparisons] == sorted(o.id for o in others if o.id != subject.id)
    expected = (SINGLE_SOURCE if not verdicts else DISPUTED if DISPUTED in verdicts
                else CONSISTENT if CONSISTENT in verdicts else NOT_COMPARABLE)
    assert found.verdict == expected
