"""Whether two sourced figures conflict, decided by a rule whose derivation a reporter can read.

Pure and exact: no database, no floats. Storage, CLI and views build `Estimate`s and show what
`compare`, `standing` and `standings` return.

The rule. Figures of one subject and measure are compared as intervals on one footing, never as
points. Kinds: `total` over a period, `per-year` (the average a year over a period), `peak-year`
(the count of the worst single year of a period), `at-date` (a count at one date). Over a period of
N years a total T is T/N a year and puts the peak year in [T/N, T]; a per-year figure R makes a
total R*N and a peak year in [R, R*N]; a peak year P puts the total in [P, N*P] and the yearly
average in [P/N, P]. A range's low and high travel through these bounds separately. "Approximately"
widens low and high by `tolerance_pct` (DEFAULT_TOLERANCE_PCT unless the caller says otherwise).
Intervals that overlap are `consistent`, disjoint ones `disputed`.

Not comparable (with the reason in `why`, never silently consistent): different units; an at-date
figure against one over a period; an at-date figure without a date; two dates that are not the same
(a bare year holds every day of it) and not within the caller's window; two different periods;
different kinds when neither figure gives a period, or when the period is not whole years.
When only one figure gives a period, the other is taken over it and the why-text says so.

Periods count in whole years: a year period 1995..1998 is 4 years (end - start + 1); a date
period counts only when it runs from a day to the eve of an anniversary of it (1995-07-01..1998-06-30
is 3 years; a 29 February start has its anniversary on 1 March). Any other date period has no year
count, so only figures of one kind compare over it: spreading a count over a part-year would invent
how it falls. N is a whole number, and quotients such as T/3 are exact `Fraction`s, shown cut at two
decimals with a trailing '…'.

The footing is the first of peak-year, total, per-year that either figure has, so both orders of a
pair use the same one. Any footing gives the same verdict: each conversion scales low and high by
positive factors, e.g. T against P overlaps on the peak footing iff T_low/N <= P_high and
P_low <= T_high, which is T_low <= N*P_high and P_low <= T_high, the overlap on the total footing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from ledger.core.errors import LedgerError

TOTAL, PER_YEAR, PEAK_YEAR, AT_DATE = "total", "per-year", "peak-year", "at-date"
KINDS = (TOTAL, PER_YEAR, PEAK_YEAR, AT_DATE)
CONSISTENT, DISPUTED, NOT_COMPARABLE = "consistent", "disputed", "not-comparable"
SINGLE_SOURCE = "single-source"  # a standing only: no other figure to compare with
# 10% covers any number rounded to two significant figures (rounding moves it by at most 5%) twice
# over, and stays well short of swallowing the factor-of-two gaps that real disputes show.
DEFAULT_TOLERANCE_PCT = Decimal(10)
# The footing of two kinds over a period: the first of these that either figure has.
FOOTING_ORDER = (PEAK_YEAR, TOTAL, PER_YEAR)

Moment = int | dt.date  # a bare year (every day of it) or one day
Bounds = tuple[Fraction, Fraction]

_YEAR = re.compile(r"^\d{4}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")
_ONE_DAY = dt.timedelta(days=1)


def parse_amount(text: str) -> Decimal:
    """A figure's number as typed: digits with an optional decimal point, kept exact."""
    if not _AMOUNT.match(text.strip()):
        raise LedgerError(
            f"bad number {text!r}: expected digits with an optional decimal point, e.g. 220000 or 2750.5"
        )
    return Decimal(text.strip())


def parse_moment(text: str) -> Moment:
    """A bare year (2003) or a day (2003-05-01), as `at` and period ends take them."""
    text = text.strip()
    try:
        if _YEAR.match(text):
            return _checked_moment(int(text))
        if _DAY.match(text):
            return _checked_moment(dt.date.fromisoformat(text))
    except ValueError:
        pass
    raise LedgerError(f"bad date {text!r}: expected a year (2003) or a day (2003-05-01)")


def _checked_moment(moment: Moment) -> Moment:
    """Years 1 to 9998, so that the day after any period's end exists."""
    year = moment if type(moment) is int else getattr(moment, "year", None)
    if type(moment) not in (int, dt.date) or not 1 <= year <= 9998:
        raise LedgerError(f"bad date {moment!r}: expected a year or a day between the years 1 and 9998")
    return moment


def _first_day(moment: Moment) -> dt.date:
    return dt.date(moment, 1, 1) if type(moment) is int else moment


def _last_day(moment: Moment) -> dt.date:
    return dt.date(moment, 12, 31) if type(moment) is int else moment


def _anniversary(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return dt.date(day.year + years, 3, 1)


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included; each a bare year (the whole year) or a day."""

    start: Moment
    end: Moment

    def __post_init__(self) -> None:
        _checked_moment(self.start)
        _checked_moment(self.end)
        if self.last_day < self.first_day:
            raise LedgerError(f"bad period {self}: its end is before its start; give START..END")

    @classmethod
    def parse(cls, text: str) -> Period:
        """`1995..1998`, `1995-07-01..1998-06-30`, or a year and a day mixed."""
        start, dots, end = text.partition("..")
        if not dots:
            raise LedgerError(f"bad period {text!r}: expected START..END, e.g. 1995..1998")
        return cls(parse_moment(start), parse_moment(end))

    @property
    def first_day(self) -> dt.date:
        return _first_day(self.start)

    @property
    def last_day(self) -> dt.date:
        return _last_day(self.end)

    def same_days_as(self, other: Period) -> bool:
        """1995..1998 and 1995-01-01..1998-12-31 are one period written two ways."""
        return (self.first_day, self.last_day) == (other.first_day, other.last_day)

    def years(self) -> int | None:
        """Its length in whole years, or None when it is not a whole number of years (module doc)."""
        after = self.last_day + _ONE_DAY
        count = after.year - self.first_day.year
        return count if count >= 1 and _anniversary(self.first_day, count) == after else None

    def __str__(self) -> str:
        if type(self.start) is int and type(self.end) is int:
            return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"
        return f"{self.start} to {self.end}"


@dataclass(frozen=True)
class Estimate:
    """One figure as the rule sees it: its bounds as the source stated them, before any widening.

    A point has low == high. `label` names who said it in why-texts ("the 1998 memo"); `period`
    belongs to the kinds over a period, `at` to at-date (None there: the source gave no date).
    """

    id: int
    low: Decimal
    high: Decimal
    unit: str
    kind: str
    approximately: bool = False
    period: Period | None = None
    at: Moment | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise LedgerError(f"unknown kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        if not self.unit.strip():
            raise LedgerError("a figure needs a unit, such as persons or USD")
        for bound in (self.low, self.high):
            if not isinstance(bound, Decimal) or not bound.is_finite() or bound < 0:
                raise LedgerError(f"bad number {bound!r}: a figure is an exact decimal, 0 or more")
        if self.low > self.high:
            raise LedgerError(f"low {self.low} is above high {self.high}: give the smaller bound as low")
        if self.kind == AT_DATE and self.period is not None:
            raise LedgerError("an at-date figure holds at one date: give it a date, not a period")
        if self.kind != AT_DATE and self.at is not None:
            raise LedgerError(f"a {self.kind} figure holds over a period: give it a period, not a date")
        if self.at is not None:
            _checked_moment(self.at)

    @property
    def value(self) -> Decimal | None:
        """The point the source gave, None for a range."""
        return self.low if self.low == self.high else None

    @property
    def name(self) -> str:
        return self.label or f"figure {self.id}"


def check_shape(low: Decimal, high: Decimal, unit: str, kind: str, approximately: bool = False,
                period: tuple[Moment, Moment] | None = None, at: Moment | None = None) -> None:
    """A figure's shape as the rule takes it (`Estimate`'s checks: low not above high, a period only for
    a kind over one, a date only for at-date), so that no writer records a figure the rule cannot weigh."""
    Estimate(0, low, high, unit, kind, approximately, None if period is None else Period(*period), at)


class Comparison(NamedTuple):
    """The verdict on two figures and its derivation in words, ending with the verdict (unpacks as a pair)."""

    verdict: str
    why: str


class ComparedWith(NamedTuple):
    """One line of a figure's standing: the other figure's id and how the two compare."""

    with_id: int
    verdict: str
    why: str

    def as_json(self) -> dict:
        return {"with": self.with_id, "verdict": self.verdict, "why": self.why}


class Standing(NamedTuple):
    """A figure against every other figure of its subject and measure, in the order of their ids."""

    verdict: str
    comparisons: tuple[ComparedWith, ...]


def compare(
    a: Estimate,
    b: Estimate,
    tolerance_pct: Decimal = DEFAULT_TOLERANCE_PCT,
    window: dt.timedelta | None = None,
) -> Comparison:
    """Whether `a` and `b` can both be true, and why; the verdict is the same in either order.

    `tolerance_pct` (a Decimal or int from 0 to 100) widens figures given as "around"; `window` lets
    at-date figures that many days apart compare (whole days; a bare year is all its days).
    """
    tolerance = _tolerance(tolerance_pct)
    reason = _why_not_comparable(a, b, window)
    if reason is not None:
        return Comparison(NOT_COMPARABLE, f"{reason}: {NOT_COMPARABLE}")
    if a.kind == AT_DATE:
        verdict, text = _compare_directly(a, b, tolerance)
        text += _window_note(a.at, b.at, window)
    elif a.kind == b.kind:
        verdict, text = _compare_directly(a, b, tolerance)
        text = _assumed_period(a, b) + text
    else:
        verdict, text = _compare_on_footing(a, b, tolerance)
        text = _assumed_period(a, b) + text
    return Comparison(verdict, f"{text}: {verdict}")


def standing(
    figure: Estimate,
    others: Iterable[Estimate],
    tolerance_pct: Decimal = DEFAULT_TOLERANCE_PCT,
    window: dt.timedelta | None = None,
) -> Standing:
    """`figure` against the other live figures of its subject and measure (any with its own id are skipped).

    single-source with no other figure; disputed if any comparison is; consistent if at least one
    is and none is disputed; not-comparable when none could be compared.
    """
    compared = tuple(
        ComparedWith(other.id, *compare(figure, other, tolerance_pct, window))
        for other in sorted(others, key=lambda other: other.id)
        if other.id != figure.id
    )
    verdicts = {line.verdict for line in compared}
    if not verdicts:
        return Standing(SINGLE_SOURCE, compared)
    overall = next(v for v in (DISPUTED, CONSISTENT, NOT_COMPARABLE) if v in verdicts)
    return Standing(overall, compared)


def standings(
    figures: Iterable[Estimate],
    tolerance_pct: Decimal = DEFAULT_TOLERANCE_PCT,
    window: dt.timedelta | None = None,
) -> dict[int, Standing]:
    """The standing of each figure of one subject and measure, by id."""
    group = list(figures)
    return {figure.id: standing(figure, group, tolerance_pct, window) for figure in group}


def _tolerance(tolerance_pct: Decimal) -> Fraction:
    """The percentage as a Fraction; above 100 a widened low would fall below zero."""
    if isinstance(tolerance_pct, float) or not 0 <= tolerance_pct <= 100:
        raise LedgerError(f"bad tolerance {tolerance_pct!r}: expected an exact percentage from 0 to 100")
    return Fraction(tolerance_pct)


# --- when two figures cannot be compared -----------------------------------------------------------


def _why_not_comparable(a: Estimate, b: Estimate, window: dt.timedelta | None) -> str | None:
    if a.unit != b.unit:
        return f"{a.name} counts in {a.unit} and {b.name} in {b.unit}, different units"
    if (a.kind == AT_DATE) != (b.kind == AT_DATE):
        dated, spread = (a, b) if a.kind == AT_DATE else (b, a)
        return (f"{_stated(dated)} is a count at one date and {_stated(spread)} is a {spread.kind} figure "
                "of a period; they cannot be put on one footing")
    if a.kind == AT_DATE:
        return _why_dates_differ(a, b, window)
    return _why_periods_differ(a, b)


def _why_dates_differ(a: Estimate, b: Estimate, window: dt.timedelta | None) -> str | None:
    if a.at is None and b.at is None:
        return f"neither {a.name} nor {b.name} gives a date for its figure" + _no_window_helps(window)
    if a.at is None or b.at is None:
        undated, dated = (a, b) if a.at is None else (b, a)
        return (f"{undated.name} gives no date for its {_amount(undated)}, so it cannot be set against "
                f"{_stated(dated)}" + _no_window_helps(window))
    if _within(a.at, b.at, window):
        return None
    hint = f", nor within the {window.days:,}-day window" if window else "; a window would let them compare"
    return f"{_stated(a)} and {_stated(b)} are not at the same date{hint}"


def _no_window_helps(window: dt.timedelta | None) -> str:
    return "; no window can place a count that has no date" if window else ""


def _days_apart(a: Moment, b: Moment) -> int:
    """0 when they share a day (a bare year shares every day of it), else the days from one to the other."""
    return max((_first_day(b) - _last_day(a)).days, (_first_day(a) - _last_day(b)).days, 0)


def _within(a: Moment, b: Moment, window: dt.timedelta | None) -> bool:
    apart = _days_apart(a, b)
    return apart == 0 or (window is not None and apart <= window.days)


def _why_periods_differ(a: Estimate, b: Estimate) -> str | None:
    if a.period is not None and b.period is not None and not a.period.same_days_as(b.period):
        return f"{_stated(a)} and {_stated(b)} cover different periods"
    if a.kind == b.kind:
        return None
    period = a.period or b.period
    if period is None:
        return (f"neither {_stated(a)} nor {_stated(b)} gives a period, so a {a.kind} figure and a "
                f"{b.kind} figure cannot be put on one footing")
    if period.years() is None:
        return (f"{period} is not a whole number of years, so a {a.kind} figure and a {b.kind} figure "
                "cannot be put on one footing over it")
    return None


# --- comparing -------------------------------------------------------------------------------------


def _bounds(figure: Estimate, tolerance: Fraction) -> Bounds:
    """Low and high as exact Fractions, widened by the tolerance when the source said "around"."""
    low, high = Fraction(figure.low), Fraction(figure.high)
    if not figure.approximately:
        return low, high
    return low * (1 - tolerance / 100), high * (1 + tolerance / 100)


def _compare_directly(a: Estimate, b: Estimate, tolerance: Fraction) -> tuple[str, str]:
    """Two figures of one kind, over one period or at one date: their own bounds meet or not."""
    (a_low, a_high), (b_low, b_high) = _bounds(a, tolerance), _bounds(b, tolerance)
    first, second = _described(a, tolerance), _described(b, tolerance)
    if a_high < b_low:
        return DISPUTED, f"{first} is below {second}"
    if b_high < a_low:
        return DISPUTED, f"{first} is above {second}"
    if (a_low, a_high) == (b_low, b_high):
        return CONSISTENT, f"{first} and {second} agree"
    return CONSISTENT, f"{first} and {second} overlap"


def _scale(kind: str, footing: str, years: int) -> Bounds:
    """The factors a figure's low and high are multiplied by to stand on `footing` over `years` years.

    Only these three conversions occur, FOOTING_ORDER choosing the footing."""
    n = Fraction(years)
    return {
        (TOTAL, PEAK_YEAR): (1 / n, Fraction(1)),  # the worst year holds at least an even share, at most all
        (PER_YEAR, PEAK_YEAR): (Fraction(1), n),  # at least the average, at most every year's share at once
        (PER_YEAR, TOTAL): (n, n),
    }[(kind, footing)]


def _compare_on_footing(a: Estimate, b: Estimate, tolerance: Fraction) -> tuple[str, str]:
    """Two kinds over one period of whole years: convert one onto the other's kind, then compare."""
    footing = next(kind for kind in FOOTING_ORDER if kind in (a.kind, b.kind))
    converted, kept = (b, a) if a.kind == footing else (a, b)
    period = a.period or b.period
    low_factor, high_factor = _scale(converted.kind, footing, period.years())
    low, high = _bounds(converted, tolerance)
    low, high = low * low_factor, high * high_factor
    kept_low, kept_high = _bounds(kept, tolerance)
    noun = "the worst single year" if footing == PEAK_YEAR else f"the total over {period}"
    puts, other = f"{_described(converted, tolerance)} puts {noun}", _described(kept, tolerance)
    if kept_low > high:
        return DISPUTED, f"{puts} at most at {_number(high)}; {other} is above that"
    if kept_high < low:
        return DISPUTED, f"{puts} at least at {_number(low)}; {other} is below that"
    where = f"at {_number(low)}" if low == high else f"between {_number(low)} and {_number(high)}"
    inside = low <= kept_low and kept_high <= high
    return CONSISTENT, f"{puts} {where}; {other} {'falls within' if inside else 'overlaps'} that"


def _assumed_period(a: Estimate, b: Estimate) -> str:
    """What the comparison takes for granted when only one figure gives its period."""
    if (a.period is None) == (b.period is None):
        return ""
    missing, period = (a, b.period) if a.period is None else (b, a.period)
    taken = {
        TOTAL: f"the total to cover {period}",
        PER_YEAR: f"the yearly average to be over {period}",
        PEAK_YEAR: f"the peak year to fall within {period}",
    }[missing.kind]
    return f"taking {taken}, which {missing.name} does not state, "


def _window_note(a: Moment, b: Moment, window: dt.timedelta | None) -> str:
    apart = _days_apart(a, b)
    return f" ({apart:,} days apart, within the {window.days:,}-day window)" if apart else ""


# --- words ------------------------------------------------------------------------------------------


def _amount(figure: Estimate) -> str:
    """The bounds as stated: 220,000 or 300,000-800,000, with "around" when the source said so."""
    low, high = _number(Fraction(figure.low)), _number(Fraction(figure.high))
    stated = low if low == high else f"{low}-{high}"
    return f"around {stated}" if figure.approximately else stated


def _stated(figure: Estimate) -> str:
    """The figure as its source put it: amount, kind, and its own period or date."""
    return f"{_amount(figure)} {_kind_words(figure)}"


def _described(figure: Estimate, tolerance: Fraction) -> str:
    """As stated, plus the bounds the rule uses when "around" widened them."""
    if not figure.approximately:
        return _stated(figure)
    low, high = (_number(bound) for bound in _bounds(figure, tolerance))
    taken = f"{low}-{high}" if low != high else low
    return f"{_amount(figure)} (taken as {taken}, ±{_number(tolerance)}%) {_kind_words(figure)}"


def _kind_words(figure: Estimate) -> str:
    over = f" over {figure.period}" if figure.period else ""
    if figure.kind == TOTAL:
        return f"in total{over}"
    if figure.kind == PER_YEAR:
        return f"a year on average{over}"
    if figure.kind == PEAK_YEAR:
        return f"in the peak year of {figure.period}" if figure.period else "in the peak year"
    return "at a date not given" if figure.at is None else _moment(figure.at)


def _moment(moment: Moment) -> str:
    return f"in {moment}" if type(moment) is int else f"on {moment.isoformat()}"


def _number(value: Fraction) -> str:
    """220,000 or 2,750.5: exact when its decimals end, else cut at two decimals and marked '…'."""
    rest = value.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest != 1:
        return f"{Decimal(f'{math.floor(value * 100)}E-2'):,f}…"
    places = 0  # the fewest decimals that hold it exactly, so it has no trailing zero
    while 10**places % value.denominator:
        places += 1
    return f"{Decimal(f'{value.numerator * 10**places // value.denominator}E-{places}'):,f}"
