"""The one-pass `simple` table lays out every table it covers exactly as tabulate does."""

from __future__ import annotations

import subprocess
import sys

import tabulate as tabulate_module
from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from ledger.output import simple_table

# Text as result tables hold it: names, times, quotes with spaces, some non-ASCII, some cells
# of several lines (wrapped quotes), empty cells.
TEXT = st.text(alphabet=st.sampled_from(list("ab Z09:.-'\n") + ["é", "ł", "Ä", "ß"]), max_size=12)
HEADER = st.text(alphabet=st.sampled_from(list("abcdefghij_")), min_size=1, max_size=10)


@st.composite
def tables(draw):
    headers = draw(st.lists(HEADER, min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(TEXT, min_size=len(headers), max_size=len(headers)), max_size=8))
    return headers, rows


def expected(headers, rows) -> str:
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def laid_out(headers, rows) -> str:
    """plaintable's layout of the rows, given column by column as the renderer gives them."""
    return simple_table.simple(headers, [[row[i] for row in rows] for i in range(len(headers))])


@settings(max_examples=400)
@given(tables())
def test_the_layout_is_tabulates(table):
    headers, rows = table
    laid = laid_out(headers, rows)
    assert laid is not None or tabulate_module.wcwidth is not None  # without wcwidth, all of this text is covered
    if laid is not None:
        assert laid == expected(headers, rows)


def test_a_result_table_with_a_wrapped_quote():
    headers = ["position", "claim", "athlete", "quote"]
    rows = [["1", "4", "Wojciech Kopec", "I won the\namateur race"], ["1", "3", "(unnamed: a local athlete)", ""],
            ["2", "5", "Pak Kum-dong", "  "]]
    assert laid_out(headers, rows) == expected(headers, rows)


def test_control_characters_are_left_to_tabulate():
    assert not simple_table.covers("\x1b[31mred\x1b[0m")
    assert not simple_table.covers("a\tb")
    assert not simple_table.covers("line\rbreak")
    assert simple_table.covers("Kopeć\nPak Kum-dong")
    assert laid_out(["athlete"], [["\x1b[31mred\x1b[0m"]]) is None


def test_a_default_table_of_ascii_text_never_imports_tabulate():
    """Importing tabulate costs 15 ms of a reading command; the default table of plain text needs none of it."""
    script = ("import sys; from ledger.output import render; "
              "out = render.render([{'athlete': 'Pak Kum-dong', 'time': '2:05:31'}], 'simple'); "
              "print('tabulate' in sys.modules, out.decode().splitlines()[2])")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert found.stdout.split(None, 1) == ["False", "Pak Kum-dong  2:05:31\n"]
