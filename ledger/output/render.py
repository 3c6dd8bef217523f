"""The one renderer every reading command uses: JSON, JSON Lines, CSV, TSV or any tabulate table.

Reports can hold every claim of a category, so the two defaults are fast paths: indented JSON
through orjson (the standard library indents in pure Python, seconds for 50,000 claims; the text
is the same), and the `simple` table through ledger.output.simple_table (tabulate's layout in one pass).
Text in a table, a CSV or a TSV file is inert (ledger.output.inert); JSON keeps every value exact.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from types import NoneType
from typing import Any, Callable, Iterable, Sequence

from ledger.core.errors import LedgerError
from ledger.output import inert

DEFAULT_FORMAT = "simple"
DATA_FORMATS = ("json", "jsonl", "csv", "tsv")
# Long free text wraps in tables instead of stretching them.
WRAP_COLUMNS = {"quote": 40, "url": 30, "place": 30, "name": 30, "athlete": 30, "standing": 30, "ruling": 30}

Rows = Sequence[dict[str, Any]]


class Columns(dict):
    """A table given column by column (name: one value a row), as a report of many rows is
    cheapest to build; rows of dicts are turned into this before they are laid out."""

    @classmethod
    def of_rows(cls, rows: Rows) -> Columns:
        return cls({name: [row[name] for row in rows] for name in rows[0]} if rows else {})

    @property
    def height(self) -> int:
        return len(next(iter(self.values()), ()))


def formats() -> list[str]:
    from tabulate import tabulate_formats

    return [*DATA_FORMATS, *tabulate_formats]


def check_format(fmt: str) -> str:
    """`fmt` if it is one of `formats()`. tabulate is imported only for a table of a format other
    than the default (ledger.output.simple_table)."""
    if fmt not in DATA_FORMATS and fmt != DEFAULT_FORMAT and fmt not in formats():
        raise LedgerError(f"unknown format {fmt!r}: use json, jsonl, csv, tsv or a tabulate format such as simple, github, grid")
    return fmt


def _delimited(columns: Columns, delimiter: str) -> str:
    """CSV or TSV, every text cell inert (ledger.output.inert); a tab in a TSV cell is escaped, as
    tools that split lines on tabs would shift the columns after it."""
    keep = "\n\t" if delimiter == "," else "\n"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*(inert.data_cells(values, keep) for values in columns.values())))
    return out.getvalue()


def _wrapped(text: str, width: int) -> str:
    """Long text in a narrow column, wrapped into lines of at most `width`."""
    return "\n".join(line for paragraph in text.splitlines() if paragraph.strip()
                     for line in textwrap.wrap(paragraph, width))


def _text(values: list[Any]) -> list[str]:
    """Values as cell text, None as empty: by the column's types, as most columns hold one or two."""
    types = set(map(type, values))
    if types <= {str}:
        return values
    if types <= {str, NoneType}:
        return ["" if v is None else v for v in values]
    if types <= {int}:
        return list(map(str, values))
    return [v if v.__class__ is str else "" if v is None else str(v) for v in values]


def _shows_lines(fmt: str) -> bool:
    """Whether a table format lays a cell of several lines out on as many lines; the others get a
    newline escaped, like any control character, and no wrapping."""
    if fmt == DEFAULT_FORMAT:
        return True
    from tabulate import multiline_formats

    return fmt in multiline_formats


def _cells(name: str, values: list[Any], lines: bool) -> list[str] | None:
    """One column's cells as inert table text (None as empty, long text wrapped where the column
    wraps and the format shows `lines`); None for a column with nothing to show."""
    if not any(values) and all(v is None or v == "" for v in values):  # (0 is something to show)
        return None
    cells = inert.visible_cells(_text(values), "\n" if lines else "")
    width = WRAP_COLUMNS.get(name)
    if lines and width is not None and (max(map(len, cells)) > width or "\n" in "".join(cells)):
        cells = [c if len(c) <= width and "\n" not in c else _wrapped(c, width) for c in cells]
    return cells


def _table(columns: Columns, fmt: str) -> str:
    """A table of the columns that hold anything (CSV and TSV keep every column, for re-import)."""
    from ledger.output import simple_table

    lines = _shows_lines(fmt)
    shown = {name: cells for name, values in columns.items() if (cells := _cells(name, values, lines)) is not None}
    if fmt == DEFAULT_FORMAT and (laid_out := simple_table.simple(list(shown), list(shown.values()))) is not None:
        return laid_out + "\n"
    from tabulate import tabulate

    return tabulate(list(zip(*shown.values())), headers=list(shown), tablefmt=fmt, disable_numparse=True) + "\n"


def render(records: Any, fmt: str, flat: Callable[[], Iterable[dict[str, Any]] | Columns] | None = None,
           empty: str = "nothing to show") -> bytes:
    """`records` as JSON as they are; for rows-and-columns formats, `flat()` gives one dict a row
    (or the table's Columns), without it `records` are the rows. `records` may be a function that
    builds them, so that a table of a big report never builds its JSON.

    The text comes as UTF-8 bytes, to be written as they are: a report of a big category is tens
    of megabytes, not worth decoding to be encoded again. `fmt` is one that `check_format` passed
    (the CLI's --format option checks it before any work starts)."""
    if callable(records) and (fmt in ("json", "jsonl") or flat is None):
        records = records()
    if fmt == "json":
        import orjson

        return orjson.dumps(records, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    if fmt == "jsonl":
        items = records if isinstance(records, list) else [records]
        text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    else:
        table = flat() if flat else records
        columns = table if isinstance(table, Columns) else Columns.of_rows(list(table))
        if fmt in ("csv", "tsv"):
            text = _delimited(columns, "," if fmt == "csv" else "\t")
        else:
            text = _table(columns, fmt) if columns.height else f"({empty})\n"
    return text.encode("utf-8")
