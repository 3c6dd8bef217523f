"""A start list's cells are checked once per distinct text (ledger.imports.startlist): each line's
verdict must still be its own, whatever the lines before it held."""

from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.imports import resultsfile, startlist

RACE_DAY = dt.date(2025, 4, 6)
HEADER = ["Bib", "First Name", "Last Name", "Sex", "Birth Date", "YOB", "Age", "Nat", "Club", "Category"]
# Repeated cells, good and bad, so that a value seen on an earlier line comes back on a later one.
SEXES = st.sampled_from(["M", "f", "Women", "", "Q"])
BIRTH_DATES = st.sampled_from(["1990-05-01", "2030-01-01", "1990-13-01", "", "1985"])
YEARS = st.sampled_from(["1990", "19x0", "", "1899"])
AGES = st.sampled_from(["34", "", "3.5", "0"])
NATIONS = st.sampled_from(["POL", "prk", "", "PO"])
CLUBS = st.sampled_from(["Club A", "", "Club\x07B"])
CATEGORIES = st.sampled_from(["F35", "", "M40"])


def parse(lines: list[list[str]]) -> tuple[list[tuple], list[str]]:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *lines])
    problems = resultsfile.Problems("start.csv")
    cols = startlist.columns(HEADER, "start.csv")
    found = list(startlist.entries(io.StringIO(out.getvalue()), ",", cols, RACE_DAY, problems))
    return [tuple(e)[1:] for e in found], [p.split(": ", 1)[1] for p in problems.errors]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(SEXES, BIRTH_DATES, YEARS, AGES, NATIONS, CLUBS, CATEGORIES), min_size=1, max_size=12))
def test_each_line_is_read_as_if_it_were_alone(cells):
    lines = [[str(100 + n), "Runner", f"No{n}", *row] for n, row in enumerate(cells)]
    together = parse(lines)
    alone = [parse([line]) for line in lines]
    assert together == ([e for entries, _ in alone for e in entries], [p for _, problems in alone for p in problems])


def test_a_bad_cell_repeated_is_named_on_every_line():
    _, problems = parse([["1", "Ann", "A", "Q", "", "", "", "", "", ""], ["2", "Bea", "B", "Q", "", "", "", "", "", ""]])
    assert problems == ["unknown sex 'Q': expected M, F or X", "unknown sex 'Q': expected M, F or X"]
