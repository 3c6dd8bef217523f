"""Figures drawn: every estimate of a subject and measure as a bar on one axis (issue 15).

A chart holds the figures of one subject, measure and unit (figures in other units share no axis:
the rule finds them not comparable). Each bar spans the figure as stated, low to high; a point is
a tick; a figure given as "around" a value also shows the band the rule widens it to. The axis is
linear from zero, or logarithmic when the figures span two orders of magnitude or more, so a
10,000 beside a 300,000 stays visible. Positions are fractions of the axis, for the template's SVG
to scale: display only; the figures themselves stay exact decimals in the records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Sequence

from ledger.output.figure_columns import stated_amount, stated_when
from ledger.core.figure_rule import DEFAULT_TOLERANCE_PCT

# The axis turns logarithmic when the largest bound is this many times the smallest one or more.
LOG_SPAN = 100


@dataclass(frozen=True)
class Bar:
    """One figure on the axis: where its stated interval and its widened band lie (0 to 1)."""

    figure_id: int
    label: str
    start: float
    end: float
    band_start: float
    band_end: float
    verdict: str
    standing: str
    clipped: bool  # a low bound of zero, drawn from the axis's start on a log scale

    @property
    def is_point(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    subject: str
    measure: str
    unit: str
    log: bool
    ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]

    @property
    def scale_words(self) -> str:
        if self.log:
            return "logarithmic scale: each step is ten times the one before"
        return "linear scale from zero"


def _bounds(figure: dict[str, Any], tolerance_pct: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The figure as stated (low, high) and the band the rule weighs (widened when "around");
    figures are never negative, and a tolerance is at most 100%, so neither is the band."""
    low, high = Decimal(figure["low"]), Decimal(figure["high"])
    if not figure["approximately"]:
        return low, high, low, high
    spread = tolerance_pct / 100
    return low, high, low * (1 - spread), high * (1 + spread)


def _nice_step(span: float) -> float:
    """A step of 1, 2 or 5 times a power of ten that cuts `span` into at most five parts."""
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 or value == 0 else f"{value:g}"


def _linear(top: float) -> tuple[float, float, tuple[Tick, ...]]:
    step = _nice_step(top) if top > 0 else 1.0
    end = step * math.ceil(top / step) if top > 0 else 1.0
    count = round(end / step)
    return 0.0, end, tuple(Tick(i / count, _number(i * step)) for i in range(count + 1))


def _logarithmic(smallest: float, largest: float) -> tuple[float, float, tuple[Tick, ...]]:
    first, last = math.floor(math.log10(smallest)), math.ceil(math.log10(largest))
    last = max(last, first + 1)
    return float(first), float(last), tuple(Tick((p - first) / (last - first), _number(10.0 ** p))
                                            for p in range(first, last + 1))


def chart(figures: Sequence[dict[str, Any]], tolerance_pct: Decimal = DEFAULT_TOLERANCE_PCT) -> Chart:
    """The chart of figures of one subject, measure and unit (their JSON records, in order)."""
    first = figures[0]
    bounds = [_bounds(f, tolerance_pct) for f in figures]
    positive = [v for b in bounds for v in b if v > 0]
    log = bool(positive) and max(positive) / min(positive) >= LOG_SPAN  # decided exactly, in decimals
    if log:
        start, end, ticks = _logarithmic(float(min(positive)), float(max(positive)))
    else:
        start, end, ticks = _linear(float(max(v for b in bounds for v in b)))

    def place(value: Decimal) -> float:
        v = float(value)
        if log:
            v = math.log10(v) if v > 0 else start
        return min(1.0, max(0.0, (v - start) / (end - start)))

    bars = []
    for figure, (low, high, band_low, band_high) in zip(figures, bounds):
        label = f"#{figure['id']} {stated_amount(figure)}, {figure['kind']}, {stated_when(figure)} ({figure['source']})"
        bars.append(Bar(figure["id"], label,
                        place(low), place(high), place(band_low), place(band_high), figure["verdict"],
                        figure.get("standing", "live"), log and low <= 0))
    return Chart(first["subject"], first["measure"], first["unit"], log, ticks, tuple(bars))


@dataclass(frozen=True)
class Compared:
    """Two figures of one subject and measure, and the rule's words on them."""

    first: int
    second: int
    verdict: str
    why: str


@dataclass(frozen=True)
class Group:
    """The figures of one subject and measure: a chart per unit, and every pair the rule weighed."""

    subject: str
    measure: str
    measure_name: str
    figures: tuple[dict[str, Any], ...]
    charts: tuple[Chart, ...]
    compared: tuple[Compared, ...]


def groups(figures: Iterable[dict[str, Any]], tolerance_pct: Decimal = DEFAULT_TOLERANCE_PCT) -> list[Group]:
    """The figures' records (`raceledger figures -f json`) by subject and measure, in the order they
    come: each with its charts and the rule's words on each pair (from the records' comparisons)."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for figure in figures:
        found.setdefault((figure["subject"], figure["measure"]), []).append(figure)
    made = []
    for (subject, measure), listed in found.items():
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for figure in listed:
            by_unit.setdefault(figure["unit"], []).append(figure)
        compared = tuple(Compared(f["id"], c["with"], c["verdict"], c["why"])
                         for f in listed for c in f["comparisons"] if c["with"] > f["id"])
        made.append(Group(subject, measure, listed[0].get("measure_name") or measure, tuple(listed),
                          tuple(chart(same, tolerance_pct) for same in by_unit.values()), compared))
    return made
