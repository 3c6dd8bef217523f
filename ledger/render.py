"""The one renderer every reading command uses: JSON, JSON Lines, CSV, TSV or any tabulate table."""

from __future__ import annotations

import csv
import io
import json
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
    if fmt not in formats():
        raise LedgerError(f"unknown format {fmt!r}: use json, jsonl, csv, tsv or a tabulate format such as simple, github, grid")
    return fmt


def _delimited(rows: Rows, delimiter: str) -> str:
    out = io.StringIO()
    columns = list(rows[0]) if rows else []
    writer = csv.DictWriter(out, columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _table(rows: Rows, fmt: str) -> str:
    """A table of the columns that hold anything (CSV and TSV keep every column, for re-import)."""
    from tabulate import tabulate

    columns = [c for c in rows[0] if any(row[c] not in (None, "") for row in rows)]
    widths = [WRAP_COLUMNS.get(c) for c in columns]
    body = [["" if row[c] is None else row[c] for c in columns] for row in rows]
    return tabulate(body, headers=columns, tablefmt=fmt, maxcolwidths=widths, disable_numparse=True) + "\n"


def render(records: Any, fmt: str, flat: Callable[[], Iterable[dict[str, Any]]] | None = None,
           empty: str = "nothing to show") -> str:
    """`records` as JSON as they are; for rows-and-columns formats, `flat()` gives one dict a row."""
    check_format(fmt)
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        items = records if isinstance(records, list) else [records]
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    rows = list(flat() if flat else records)
    if fmt in ("csv", "tsv"):
        return _delimited(rows, "," if fmt == "csv" else "\t")
    return _table(rows, fmt) if rows else f"({empty})\n"
