"""The one renderer every reading command uses: JSON, JSON Lines, CSV, TSV or any tabulate table.

Reports can hold every claim of a category, so the two defaults are fast paths: indented JSON
through orjson (the standard library indents in pure Python, seconds for 50,000 claims; the text
is the same), and the `simple` table through ledger.plaintable (tabulate's layout in one pass).
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from itertools import chain
from operator import itemgetter
from typing import Any, Callable, Iterable, Sequence

from ledger.errors import LedgerError

DEFAULT_FORMAT = "simple"
DATA_FORMATS = ("json", "jsonl", "csv", "tsv")
# Long free text wraps in tables instead of stretching them.
WRAP_COLUMNS = {"quote": 40, "url": 30, "place": 30, "name": 30, "athlete": 30, "standing": 30, "ruling": 30}

Rows = Sequence[dict[str, Any]]


def formats() -> list[str]:
    from tabulate import tabulate_formats

    return [*DATA_FORMATS, *tabulate_formats]


def check_format(fmt: str) -> str:
    if fmt not in DATA_FORMATS and fmt not in formats():  # tabulate is imported only for a table
        raise LedgerError(f"unknown format {fmt!r}: use json, jsonl, csv, tsv or a tabulate format such as simple, github, grid")
    return fmt


def _delimited(rows: Rows, delimiter: str) -> str:
    out = io.StringIO()
    columns = list(rows[0]) if rows else []
    writer = csv.DictWriter(out, columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _wrapped(text: str, width: int) -> str:
    """Long text in a narrow column, wrapped into lines of at most `width`."""
    return "\n".join(line for paragraph in text.splitlines() if paragraph.strip()
                     for line in textwrap.wrap(paragraph, width))


def _column(rows: Rows, name: str) -> list[str]:
    """One column's cells as table text (None as empty, long text wrapped where the column wraps)."""
    cells = [v if v.__class__ is str else "" if v is None else str(v) for v in map(itemgetter(name), rows)]
    width = WRAP_COLUMNS.get(name)
    if width is not None:
        cells = [c if len(c) <= width and "\n" not in c else _wrapped(c, width) for c in cells]
    return cells


def _table(rows: Rows, fmt: str) -> str:
    """A table of the columns that hold anything (CSV and TSV keep every column, for re-import)."""
    from ledger import plaintable

    columns = {name: cells for name in rows[0] if any(cells := _column(rows, name))}
    body = list(zip(*columns.values()))
    if fmt == DEFAULT_FORMAT and plaintable.covers(" ".join(chain(columns, *columns.values()))):
        return plaintable.simple(list(columns), body) + "\n"
    from tabulate import tabulate

    return tabulate(body, headers=list(columns), tablefmt=fmt, disable_numparse=True) + "\n"


def render(records: Any, fmt: str, flat: Callable[[], Iterable[dict[str, Any]]] | None = None,
           empty: str = "nothing to show") -> bytes:
    """`records` as JSON as they are; for rows-and-columns formats, `flat()` gives one dict a row.

    The text comes as UTF-8 bytes, to be written as they are: a report of a big category is tens
    of megabytes, not worth decoding to be encoded again."""
    check_format(fmt)
    if fmt == "json":
        import orjson

        return orjson.dumps(records, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    if fmt == "jsonl":
        items = records if isinstance(records, list) else [records]
        text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    else:
        rows = list(flat() if flat else records)
        if fmt in ("csv", "tsv"):
            text = _delimited(rows, "," if fmt == "csv" else "\t")
        else:
            text = _table(rows, fmt) if rows else f"({empty})\n"
    return text.encode("utf-8")
