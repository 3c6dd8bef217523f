"""The figure charts (ledger.web.charts): where each estimate lies on its axis, as properties.

Positions are display only, so the properties are about what a reader sees: every bar on the axis,
in the order of the numbers, the band of an "around" figure around its bar, and a log scale exactly
when the figures span two orders of magnitude.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ledger.web.charts import LOG_SPAN, chart, groups

amounts = st.decimals(min_value=0, max_value=Decimal(10) ** 12, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def figures(draw):
    found = []
    for figure_id in range(1, draw(st.integers(1, 6)) + 1):
        low, high = sorted((draw(amounts), draw(amounts)))
        if draw(st.booleans()):
            high = low
        found.append({"id": figure_id, "subject": "topic", "measure": "deaths", "unit": "persons", "low": str(low),
                      "high": str(high), "value": str(low) if low == high else None,
                      "approximately": draw(st.booleans()), "source": f"s{figure_id}", "verdict": "single-source",
                      "kind": "total", "period": ["1995", "1998"], "at": None, "comparisons": []})
    return found


@given(figures())
def test_every_bar_lies_on_the_axis_and_its_band_holds_it(found):
    drawn = chart(found)
    for bar in drawn.bars:
        assert 0 <= bar.band_start <= bar.start <= bar.end <= bar.band_end <= 1
    assert [t.at for t in drawn.ticks] == sorted(t.at for t in drawn.ticks)
    assert drawn.ticks[0].at == 0 and drawn.ticks[-1].at == 1


@given(figures())
def test_bars_keep_the_order_of_the_numbers(found):
    bars = chart(found).bars
    for a, fa in zip(bars, found):
        for b, fb in zip(bars, found):
            if Decimal(fa["high"]) < Decimal(fb["low"]):
                assert a.end <= b.start


@given(figures())
def test_the_scale_is_logarithmic_exactly_when_the_figures_span_two_orders_of_magnitude(found):
    drawn = chart(found, Decimal(0))
    positive = [Decimal(f[k]) for f in found for k in ("low", "high") if Decimal(f[k]) > 0]
    assert drawn.log == (bool(positive) and max(positive) / min(positive) >= LOG_SPAN)


def test_the_demo_famine_pair_on_a_linear_axis_and_a_wide_span_on_a_log_one():
    famine = [{"id": 9, "subject": "dprk-famine", "measure": "deaths", "unit": "persons", "low": "220000",
               "high": "220000", "value": "220000", "approximately": False, "source": "a", "verdict": "disputed",
               "kind": "total", "period": ["1995", "1998"], "at": None,
               "comparisons": [{"with": 10, "verdict": "disputed", "why": "above that: disputed"}]},
              {"id": 10, "subject": "dprk-famine", "measure": "deaths", "unit": "persons", "low": "300000",
               "high": "800000", "value": None, "approximately": False, "source": "b", "verdict": "disputed",
               "kind": "peak-year", "period": None, "at": None,
               "comparisons": [{"with": 9, "verdict": "disputed", "why": "above that: disputed"}]}]
    (group,) = groups(famine)
    (drawn,) = group.charts
    assert not drawn.log and [t.label for t in drawn.ticks] == ["0", "200,000", "400,000", "600,000", "800,000"]
    assert drawn.bars[0].is_point and drawn.bars[0].start == 0.275 and (drawn.bars[1].start, drawn.bars[1].end) == (0.375, 1)
    assert [(c.first, c.second, c.verdict) for c in group.compared] == [(9, 10, "disputed")]  # each pair once
    wide = chart([famine[0], {**famine[1], "low": "1000", "high": "1000"}])
    assert wide.log and [t.label for t in wide.ticks] == ["1,000", "10,000", "100,000", "1,000,000"]


def test_figures_in_other_units_get_axes_of_their_own():
    usd = {"id": 1, "subject": "e", "measure": "fee", "unit": "USD", "low": "155", "high": "155", "value": "155",
           "approximately": True, "source": "a", "verdict": "not-comparable", "kind": "at-date", "period": None,
           "at": "2025-04-06", "comparisons": []}
    eur = {**usd, "id": 2, "unit": "EUR", "low": "140", "high": "140", "value": "140"}
    (group,) = groups([usd, eur])
    assert [c.unit for c in group.charts] == ["USD", "EUR"]
    band = group.charts[0].bars[0]
    assert band.band_start < band.start == band.end < band.band_end  # "around": the rule's 10% band
