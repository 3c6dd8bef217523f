"""Every reading command speaks every output format, and refuses an unknown one in one line."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cli import cli
from ledger.output import render
from ledger.output.render import WRAP_COLUMNS

AMATEUR_MEN = "pyongyang-2025/marathon/amateur-men"
READERS = {
    "results": ("results", AMATEUR_MEN),
    "disputes": ("disputes", "pyongyang-2025"),
    "sources": ("sources",),
    "athlete show": ("athlete", "show", "Wojciech Kopec"),
    "event list": ("event", "list"),
    "race list": ("race", "list"),
    "category list": ("category", "list"),
    "athlete list": ("athlete", "list"),
}
UNKNOWN_FORMAT = ("Error: Invalid value for '-f' / '--format': unknown format 'bogus': use json, jsonl, csv, tsv "
                  "or a tabulate format such as simple, github, grid")


def is_unknown_format(result, command: str) -> bool:
    """A usage error (exit 2) in one line, naming the option, the value and the formats to use."""
    return result.exit_code == 2 and result.stdout == "" and re.fullmatch(
        re.escape(UNKNOWN_FORMAT) + rf" \(see '\S+ {command} --help'\)\n", result.stderr) is not None


def output(run, args: tuple[str, ...], fmt: str) -> str:
    result = run(*args, "-f", fmt)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def expected_rows(run, name: str) -> int:
    """How many rows a flat format should hold: one per claim for claim reports, else one per record."""
    records = json.loads(output(run, READERS[name], "json"))
    if name in ("results", "disputes"):
        return sum(len(item["claims"]) for item in records)
    if name == "athlete show":
        return len(records["claims"])
    return len(records)


@pytest.mark.parametrize("name", READERS)
def test_json_is_one_document(demo, name):
    records = json.loads(output(demo, READERS[name], "json"))
    assert records
    assert isinstance(records, dict if name == "athlete show" else list)


@pytest.mark.parametrize("name", READERS)
def test_jsonl_is_one_json_object_a_line(demo, name):
    lines = output(demo, READERS[name], "jsonl").splitlines()
    records = json.loads(output(demo, READERS[name], "json"))
    assert [json.loads(line) for line in lines] == (records if isinstance(records, list) else [records])


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
@pytest.mark.parametrize("name", READERS)
def test_csv_and_tsv_have_a_header_and_a_row_per_record(demo, name, fmt, delimiter):
    rows = list(csv.reader(io.StringIO(output(demo, READERS[name], fmt)), delimiter=delimiter))
    header, body = rows[0], rows[1:]
    assert len(body) == expected_rows(demo, name)
    assert all(len(row) == len(header) for row in body)


def test_csv_quotes_text_holding_commas(demo):
    rows = list(csv.DictReader(io.StringIO(output(demo, READERS["results"], "csv"))))
    assert any("Polish runner Wojciech Kopec, who swept" in row["quote"] for row in rows)


@pytest.mark.parametrize("name", READERS)
def test_github_is_a_markdown_table(demo, name):
    table = [line for line in output(demo, READERS[name], "github").splitlines() if line.startswith("|")]
    assert len(table) >= 3
    assert set(table[1]) <= set("|-: ")


# What CSV and TSV carry of a claim's own citation; a table marks its citations instead (`cite`)
# and lists them under itself.
# In CSV alone: a table marks a claim's citation and lists it below, and tells namesakes apart in its name.
CSV_ONLY_COLUMNS = ("athlete_id", "url", "published", "retrieved", "quote")
WIDE = ("--width", "0")  # a table as wide as it is: no column said above it, left out or narrowed


@pytest.mark.parametrize("fmt", ["simple", "grid", "pipe", "plain"])
@pytest.mark.parametrize("name", READERS)
def test_tabulate_formats_print_a_table(demo, name, fmt):
    """A header naming every column that holds anything (a claim's citation as its mark), then a
    line per record holding its cells (in order, cells of wrapping columns aside: those may
    continue on the lines below)."""
    header, *records = list(csv.reader(io.StringIO(output(demo, READERS[name], "csv"))))
    shown = [i for i, column in enumerate(header) if any(record[i] for record in records)
             and header[i] not in CSV_ONLY_COLUMNS]
    claims = name in ("results", "disputes", "athlete show")
    wide = WIDE if name not in ("event list", "race list", "category list", "athlete list") else ()
    lines = iter(output(demo, (*READERS[name], *wide), fmt).splitlines())
    expected = [header[i] for i in shown] + (["cite"] if claims else [])
    assert any(line.replace("|", " ").split() == expected for line in lines)
    for record in records:
        cells = [record[i] for i in shown if header[i] not in WRAP_COLUMNS and record[i]]
        pattern = re.compile(r"\W" + r"\W.*\W".join(map(re.escape, cells)) + r"\W")
        assert any(pattern.search(f" {line} ") for line in lines), (record, fmt)


@pytest.mark.parametrize("name", READERS)
def test_the_default_format_is_a_simple_table(demo, name):
    result = demo(*READERS[name])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == output(demo, READERS[name], "simple")


@pytest.mark.parametrize("name", READERS)
def test_an_unknown_format_is_a_one_line_usage_error(demo, name):
    assert is_unknown_format(demo(*READERS[name], "-f", "bogus"), name)


def test_an_unknown_format_is_refused_by_demo_before_it_creates_anything(tmp_path):
    path = tmp_path / "new.db"
    assert is_unknown_format(CliRunner().invoke(cli, ["--db", str(path), "demo", "-f", "bogus"]), "demo")
    assert not path.exists()


def test_an_unknown_format_is_reported_before_the_database_is_opened(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "missing.db"), "sources", "-f", "bogus"])
    assert is_unknown_format(result, "sources")


@pytest.mark.parametrize("value", ["soon", "-1", "1.2345"])
def test_a_bad_tolerance_is_a_one_line_usage_error_before_the_database_is_opened(tmp_path, value):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "missing.db"), "results", "a/b/c", "--tolerance", value])
    assert (result.exit_code, result.stdout) == (2, "")
    assert re.fullmatch(rf"Error: Invalid value for '--tolerance': bad tolerance '{re.escape(value)}': expected "
                        r"seconds \(1, 0\.5\) or a time \(0:01\) \(see '\S+ results --help'\)\n", result.stderr)


@pytest.mark.parametrize("args", [("disputes",), ("sources",), ("event", "list"), ("race", "list"),
                                  ("category", "list"), ("athlete", "list")])
def test_an_empty_ledger_gives_an_empty_json_list(ledger, args):
    assert json.loads(output(ledger, args, "json")) == []


def test_an_empty_table_says_so(ledger):
    assert output(ledger, ("event", "list"), "simple") == "(no events)\n"


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_a_claim_report_with_no_claims_is_its_header_alone(demo, fmt, delimiter):
    """A flat file of no claims still names its columns, as the one with claims does."""
    assert demo("category", "add", "pyongyang-2025/marathon/empty", "--name", "Empty").exit_code == 0
    with_claims = output(demo, READERS["results"], fmt).splitlines()[0]
    assert output(demo, ("results", "pyongyang-2025/marathon/empty"), fmt) == with_claims + "\n"
    empty = output(demo, ("results", "pyongyang-2025/marathon/empty"), "simple")
    assert empty.startswith("(no claims)\n\nFigures about pyongyang-2025/marathon/empty, its race and its event:")
    assert output(demo, ("disputes", "pyongyang-2025/marathon/empty"), fmt).startswith(delimiter.join(["position", "category", "kind"]))


def test_json_keeps_non_ascii_names_readable(demo):
    result = demo("athlete", "add", "Łucja Żak", "--nationality", "POL")
    assert result.exit_code == 0, result.stderr
    assert '"Łucja Żak"' in output(demo, ("athlete", "list"), "json")


@given(st.text(alphabet=st.sampled_from(list("ab Z-/9.\t\n") + ["\u2003", "é"]), max_size=40), st.integers(1, 14))
def test_a_cell_cut_at_its_last_fitting_space_is_wrapped_as_word_by_word(text, width):
    """_wrapped's shortcut (two lines, cut at the last space that fits) gives the lines of the
    word-by-word rule, and every line fits."""
    wrapped = render._wrapped(text, width)
    assert wrapped == render._wrapped_words(text, width)
    assert all(len(line) <= width for line in wrapped.split("\n"))
