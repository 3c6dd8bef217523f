"""Every reading command speaks every output format, and refuses an unknown one in one line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from cli import cli

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
UNKNOWN_FORMAT = ("Error: unknown format 'bogus': use json, jsonl, csv, tsv or a tabulate format such as simple, "
                  "github, grid")


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


@pytest.mark.parametrize("fmt", ["simple", "grid", "pipe", "plain"])
@pytest.mark.parametrize("name", READERS)
def test_tabulate_formats_print_a_table(demo, name, fmt):
    assert output(demo, READERS[name], fmt).strip()


@pytest.mark.parametrize("name", READERS)
def test_the_default_format_is_a_simple_table(demo, name):
    result = demo(*READERS[name])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == output(demo, READERS[name], "simple")


@pytest.mark.parametrize("name", READERS)
def test_an_unknown_format_is_a_one_line_error(demo, name):
    result = demo(*READERS[name], "-f", "bogus")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == UNKNOWN_FORMAT + "\n"


def test_an_unknown_format_is_refused_by_demo_before_it_creates_anything(tmp_path):
    path = tmp_path / "new.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "demo", "-f", "bogus"])
    assert (result.exit_code, result.stderr) == (1, UNKNOWN_FORMAT + "\n")
    assert not path.exists()


def test_an_unknown_format_is_reported_before_the_database_is_opened(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "missing.db"), "sources", "-f", "bogus"])
    assert (result.exit_code, result.stderr) == (1, UNKNOWN_FORMAT + "\n")


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
    assert output(demo, ("results", "pyongyang-2025/marathon/empty"), "simple") == "(no claims)\n"
    assert output(demo, ("disputes", "pyongyang-2025/marathon/empty"), fmt).startswith(delimiter.join(["position", "category", "kind"]))


def test_json_keeps_non_ascii_names_readable(demo):
    result = demo("athlete", "add", "Łucja Żak", "--nationality", "POL")
    assert result.exit_code == 0, result.stderr
    assert '"Łucja Żak"' in output(demo, ("athlete", "list"), "json")
