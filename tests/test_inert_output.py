"""Text from a source is data: inert in a table, a CSV or TSV file, a message and a web page; exact in JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from helpers import MARATHON, city_marathon, ok
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from tabulate import multiline_formats, tabulate, tabulate_formats

from cli import cli
from ledger.output.inert import guarded, visible
from ledger.output.render import DATA_FORMATS, render
from ledger.store.engine import open_engine
from ledger.web.app import make_app

# What a reader never sees as such: C0 controls, DEL, C1 controls, bidi overrides and isolates.
DANGEROUS = frozenset(map(chr, [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
HOSTILE = "\x1b[2J\x1b[31mred\x00\x07\x08\r\x7f\x9b Evil\u202eName\u2066"
SHOWN = r"\x1b[2J\x1b[31mred\x00\x07\x08\r\x7f\x9b Evil\u202eName\u2066"
FORMULA = '=HYPERLINK("https://evil.example","click")'
CATEGORY = f"{MARATHON}/open-women"
pytestmark = pytest.mark.city(city_marathon({"open-women": ("Open women", "F")}))

# Text that often holds what a reader must not be shown, and what a spreadsheet would run.
TEXT = st.text(st.one_of(st.sampled_from(sorted(DANGEROUS) + list("=+-@'\\ \"a,")), st.characters(codec="utf-8")),
               max_size=12)


def unseen(text: str) -> set[str]:
    return set(text) & DANGEROUS


def test_visible_writes_python_escapes_and_leaves_a_backslash():
    assert visible(HOSTILE) == SHOWN
    assert visible("one\ntwo\tthree") == r"one\ntwo\tthree"
    assert visible("one\ntwo\tthree", "\n") == "one\ntwo\\tthree"
    assert visible("one\ntwo\tthree\r", "\n\t") == "one\ntwo\tthree\\r"
    assert visible("C:\\x1b Kopeć 王 \u200f") == "C:\\x1b Kopeć 王 \u200f"  # a right-to-left mark only marks


@given(TEXT)
def test_visible_text_holds_nothing_unseen_and_plain_text_is_unchanged(text):
    assert not unseen(visible(text))
    assert unseen(visible(text, "\n")) <= {"\n"} and visible(text, "\n").count("\n") == text.count("\n")
    assert (visible(text) == text) == (not unseen(text))


def test_a_formula_is_guarded_but_a_lone_dash_is_not():
    assert [guarded(c) for c in (FORMULA, "+1", "-1", "@SUM(A1)", "\tx", "\rx", "-", "a=b", "")] == [
        "'" + FORMULA, "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "-", "a=b", ""]


ROWS = [{"position": 1, "source": HOSTILE, "time": "2:31:07", "quote": "one\ntwo\tthree"},
        {"position": -2, "source": FORMULA, "time": "-", "quote": None}]


@pytest.mark.parametrize("fmt", [fmt for fmt in tabulate_formats if fmt not in DATA_FORMATS])
def test_every_table_format_shows_control_characters_as_escapes(fmt):
    out = render(ROWS, fmt).decode()
    assert not unseen(out) - {"\n"}
    if not fmt.startswith("latex"):  # (LaTeX writes a backslash as a command)
        assert SHOWN in out and r"two\tthree" in out
        # a format that lays out no cell of several lines (html, mediawiki...) gets a newline escaped too
        assert (r"one\ntwo" in out) == (fmt not in multiline_formats)


def test_the_simple_table_is_tabulates_layout_of_the_visible_text():
    rows = [[visible(str(v) if v is not None else "", "\n") for v in row.values()] for row in ROWS]
    assert render(ROWS, "simple").decode() == tabulate(rows, headers=list(ROWS[0]), disable_numparse=True) + "\n"


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_cells_are_visible_and_guarded(fmt, delimiter):
    out = render(ROWS, fmt).decode()
    assert not unseen(out) - {"\n", "\t"}
    assert list(csv.reader(io.StringIO(out), delimiter=delimiter)) == [
        ["position", "source", "time", "quote"],
        ["1", SHOWN, "2:31:07", "one\ntwo\tthree" if fmt == "csv" else "one\ntwo\\tthree"],
        ["-2", "'" + FORMULA, "-", ""]]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_keeps_every_value_exact(fmt):
    out = render(ROWS, fmt).decode()
    assert (json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]) == ROWS
    assert "\x1b" not in out and "\\u001b" in out


@settings(max_examples=150)
@given(st.lists(st.tuples(TEXT, st.integers(-5, 5), TEXT), min_size=1, max_size=6),
       st.sampled_from([("csv", ",", "\n\t"), ("tsv", "\t", "\n")]))
def test_csv_read_back_gives_a_guarded_visible_row_per_record(records, flat):
    fmt, delimiter, keep = flat
    rows = [{"a": a, "n": n, "b": b} for a, n, b in records]
    header, *read = csv.reader(io.StringIO(render(rows, fmt).decode()), delimiter=delimiter)
    assert header == ["a", "n", "b"]
    assert read == [[guarded(visible(a, keep)), str(n), guarded(visible(b, keep))] for a, n, b in records]
    for row in read:
        assert all(not unseen(cell) - set(keep) for cell in row)
        assert all(cell == "-" or not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row[::2])


def test_a_quote_a_spreadsheet_would_run_is_inert_in_every_output(city):
    quote = f"{FORMULA} said\tthe timer\nwith a second line"
    ok(city("claim", CATEGORY, "--source", "timing", "--unnamed", "a local runner", "--position", "1", "--quote", quote))
    [claim] = csv.DictReader(io.StringIO(ok(city("results", CATEGORY, "-f", "csv"))))
    assert claim["quote"] == "'" + quote
    [claim] = csv.DictReader(io.StringIO(ok(city("results", CATEGORY, "-f", "tsv"))), delimiter="\t")
    assert claim["quote"] == "'" + quote.replace("\t", r"\t")
    table = ok(city("results", CATEGORY))
    assert not unseen(table) - {"\n"} and r"said\tthe" in table
    assert json.loads(ok(city("results", CATEGORY, "-f", "json")))[0]["claims"][0]["quote"] == quote


def test_a_message_shows_a_name_inert(city):
    assert ok(city("athlete", "add", "Evil\u202eName")) == "Added athlete Evil\\u202eName (journal entry 5).\n"


def test_a_message_shows_a_file_name_inert(tmp_path):
    path = tmp_path / "a\x1b[2Jb.db"
    assert r"a\x1b[2Jb.db (schema revision" in ok(CliRunner().invoke(cli, ["--db", str(path), "init"]))


def test_the_web_view_escapes_a_name_as_html(city, db):
    ok(city("athlete", "add", "<script>alert(1)</script> Evil\u202eName"))
    engine, _ = open_engine(db, write=False, read_only=True)
    try:
        page = TestClient(make_app(engine)).get("/athletes/1").text
    finally:
        engine.dispose()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Evil" in page
