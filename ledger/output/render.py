"""The one renderer every reading command uses: JSON, JSON Lines, CSV, TSV or any tabulate table.

Reports can hold every claim of a category, so the two defaults are fast paths: indented JSON
through orjson (the standard library indents in pure Python, seconds for 50,000 claims; the text
is the same), and the `simple` table through ledger.output.simple_table (tabulate's layout in one pass).
Text in a table, a CSV or a TSV file is inert (ledger.output.inert); JSON keeps every value exact.

A table is fitted to a width (the terminal's, from the CLI) when it is wider: in turn, a column
every row of which holds the same value is said once above the table (`Columns.liftable`), less
important columns leave it (`Columns.optional`; what `Columns.below` prints under the table may
show them), and free text wraps narrower (`FIT_COLUMNS`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from types import NoneType
from typing import Any, Callable, Iterable, Sequence

from ledger.core.errors import LedgerError
from ledger.output import inert

DEFAULT_FORMAT = "simple"
DATA_FORMATS = ("json", "jsonl", "csv", "tsv")
# Long free text wraps in tables instead of stretching them, at most this wide...
WRAP_COLUMNS = {"quote": 40, "url": 30, "place": 30, "name": 30, "athlete": 30, "as_written": 30, "standing": 30,
                "ruling": 30, "why": 60, "figure": 40, "other": 40, "compared": 30}
# ...and these columns wrap narrower, down to FIT_FLOOR, when a table is wider than its width: free
# text first, then, if that is not enough, names (slugs) too.
FIT_TEXT = frozenset({*WRAP_COLUMNS, "summary"})
FIT_NAMES = frozenset({"category", "subject", "measure", "source", "via", "when", "slug", "kind", "amount"})
FIT_COLUMNS = FIT_TEXT | FIT_NAMES
FIT_FLOOR = 10
# Columns that stay wider: a figure's range (`300,000-800,000`) reads badly cut in two.
FIT_FLOORS = {"amount": 16}

Rows = Sequence[dict[str, Any]]
# What a table prints under itself, given the width (None: any) and the columns that left the table.
Below = Callable[[int | None, frozenset[str]], list[str]]


class Columns(dict):
    """A table given column by column (name: one value a row), as a report of many rows is
    cheapest to build; rows of dicts are turned into this before they are laid out. A table
    format also prints the lines `below` gives, and fits the table to a width by `liftable` and
    `optional` columns (see the module's docstring); CSV and TSV keep every column, and nothing else."""

    liftable: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    below: Below | None = None

    @classmethod
    def of_rows(cls, rows: Rows) -> Columns:
        return cls({name: [row[name] for row in rows] for name in rows[0]} if rows else {})

    @property
    def height(self) -> int:
        return len(next(iter(self.values()), ()))

    def laid_out(self, liftable: Iterable[str] = (), optional: Iterable[str] = (), below: Below | None = None) -> Columns:
        """These columns, with how a table of them fits a width and what it prints under itself."""
        self.liftable, self.optional, self.below = tuple(liftable), tuple(optional), below
        return self


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


# Where a word longer than its line may break besides anywhere: after a '/' (slugs), after a hyphen
# that follows a letter (`dprk-state-media`, `pyongyang-2025`; not `2025-04-06` nor `300,000-800,000`).
_BREAK = re.compile(r"(?<=/)(?=.)|(?<=[^\W\d_]-)(?=.)")


def _wrapped(text: str, width: int) -> str:
    """Long text in a narrow column, wrapped into lines of at most `width` (blank lines dropped): at
    spaces; a word longer than a line where `_BREAK` allows, else anywhere.

    Most cells that wrap (a name a little wider than its column) become two lines: those are cut
    at the last space that fits, without the word-by-word loop (`_wrapped_words`, which gives the
    same lines; a property test holds them together)."""
    if len(text) > width and " ".join(text.split()) == text:  # one paragraph, words one space apart
        cut = text.rfind(" ", 0, width + 1)  # the greedy first line: the words that fit
        if cut > 0 and len(text) - cut - 1 <= width:  # and the rest fits the second
            return f"{text[:cut]}\n{text[cut + 1:]}"
    return _wrapped_words(text, width)


def _wrapped_words(text: str, width: int) -> str:
    lines: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for word in paragraph.split():
            if len(line) + 1 + len(word) <= width if line else len(word) <= width:
                line = f"{line} {word}" if line else word
                continue
            if line:
                lines.append(line)
            line = ""
            for piece in _BREAK.split(word) if len(word) > width else [word]:
                if len(line) + len(piece) <= width:
                    line += piece
                    continue
                if line:
                    lines.append(line)
                while len(piece) > width:
                    lines.append(piece[:width])
                    piece = piece[width:]
                line = piece
        if line:
            lines.append(line)
    return "\n".join(lines)


def wrapped_lines(text: str, width: int | None, indent: str = "", first: str | None = None) -> list[str]:
    """Prose under a table: `text` made inert (its line breaks kept, as paragraphs), in lines of at
    most `width` (None: a line a paragraph), each after `indent`, the first after `first` when
    given; a word longer than the line, such as a URL, stays whole."""
    lines: list[str] = []
    for paragraph in inert.visible(text, "\n").split("\n"):
        lead = indent if lines or first is None else first
        if width is None or len(lead) + len(paragraph) <= width:
            lines.append(lead + paragraph)
        else:
            lines += textwrap.wrap(paragraph, max(width, len(indent) + FIT_FLOOR), initial_indent=lead,
                                   subsequent_indent=indent, break_long_words=False, break_on_hyphens=False) or [lead]
    return lines


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
    newline escaped, like any control character, and no wrapping or fitting."""
    if fmt == DEFAULT_FORMAT:
        return True
    from tabulate import multiline_formats

    return fmt in multiline_formats


def _cells(values: list[Any], lines: bool) -> list[str] | None:
    """One column's cells as inert table text (None as empty); None for a column with nothing to show."""
    if not any(values) and all(v is None or v == "" for v in values):  # (0 is something to show)
        return None
    return inert.visible_cells(_text(values), "\n" if lines else "")


def _longest(cells: list[str]) -> int:
    """The longest line of the column's cells."""
    if "\n" not in "".join(cells):
        return max(map(len, cells))
    return max(len(line) for cell in cells for line in cell.split("\n"))


def _width(name: str, cells: list[str]) -> int:
    """How wide the column is laid out: its longest line (at most its WRAP_COLUMNS width), and at
    least two wider than its header."""
    longest = _longest(cells)
    cap = WRAP_COLUMNS.get(name)
    return max(len(name) + 2, longest if cap is None else min(cap, longest))


def _overhead(fmt: str, count: int) -> int:
    """What a table of `count` columns takes besides its columns' widths: two spaces between columns
    in the simple and plain layouts; a bar and a space each side of each cell, about, in the others."""
    return 2 * (count - 1) if fmt in (DEFAULT_FORMAT, "plain") else 3 * count + 1


def _floor(name: str) -> int:
    return max(len(name) + 2, FIT_FLOORS.get(name, FIT_FLOOR))


def _fit(columns: Columns, shown: dict[str, list[str]], widths: dict[str, int], fmt: str,
         width: int) -> tuple[list[str], frozenset[str]]:
    """Fit the table to `width` (widths changed, columns removed from `widths` in place): the lines
    said above the table, and the optional columns that left it."""
    def total() -> int:
        return sum(widths.values()) + _overhead(fmt, len(widths))

    above: list[str] = []
    for name in columns.liftable:
        if total() <= width or len(widths) == 1:
            break
        cells = shown.get(name)
        if name in widths and all(cell == cells[0] for cell in cells):
            above.append(f"{name}: {' '.join(cells[0].split())}")
            del widths[name]
    dropped = set()
    for name in columns.optional:
        if total() <= width or len(widths) == 1:
            break
        if name in widths:
            del widths[name]
            dropped.add(name)
    if total() > width:
        _shrink(widths, width - _overhead(fmt, len(widths)))
    return above, frozenset(dropped)


def _shrink(widths: dict[str, int], room: int) -> None:
    """Narrow the widest FIT_TEXT columns first, each no narrower than its floor, until the columns
    take `room`; if they are all at their floors and that is not enough, FIT_NAMES columns too."""
    for flexible in (FIT_TEXT, FIT_NAMES):
        _narrow({name: w for name, w in widths.items() if name in flexible and w > _floor(name)}, widths, room)


def _narrow(flexible: dict[str, int], widths: dict[str, int], room: int) -> None:
    """Narrow the `flexible` columns (name: width), widest first, until all `widths` take `room`."""
    budget = room - sum(w for name, w in widths.items() if name not in flexible)

    def taken(cap: int) -> int:
        return sum(max(_floor(name), min(w, cap)) for name, w in flexible.items())

    if not flexible or taken(max(flexible.values())) <= budget:
        return
    low, high = 0, max(flexible.values())  # the widest cap that fits: taken(high) does not
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if taken(middle) <= budget else (low, middle - 1)
    spare = budget - taken(low)
    for name, w in flexible.items():
        widths[name] = max(_floor(name), min(w, low))
        if spare > 0 and widths[name] < w:  # what the cap leaves over, a column at a time
            widths[name] += 1
            spare -= 1


def _table(columns: Columns, fmt: str, width: int | None) -> str:
    """A table of the columns that hold anything (CSV and TSV keep every column, for re-import),
    fitted to `width` (None or 0: as wide as it is), with the lines its columns print under it."""
    from ledger.output import simple_table

    lines = _shows_lines(fmt)
    shown = {name: cells for name, values in columns.items() if (cells := _cells(values, lines)) is not None}
    above: list[str] = []
    dropped: frozenset[str] = frozenset()
    if lines:
        widths = {name: _width(name, cells) for name, cells in shown.items()}
        if width:
            above, dropped = _fit(columns, shown, widths, fmt, width)
        shown = {name: _wrapped_column(name, shown[name], w) for name, w in widths.items()}
    laid_out = None
    if fmt == DEFAULT_FORMAT:
        laid_out = simple_table.simple(list(shown), list(shown.values()))
    if laid_out is None:
        from tabulate import tabulate

        laid_out = tabulate(list(zip(*shown.values())), headers=list(shown), tablefmt=fmt, disable_numparse=True)
    under = columns.below(width or None, dropped) if columns.below is not None else []
    return "".join(line + "\n" for line in [*above, laid_out, *([""] + under if under else [])])


def _wrapped_column(name: str, cells: list[str], width: int) -> list[str]:
    """The column's cells wrapped to `width`, where the column wraps (a cell of several lines is
    wrapped anew: those are its paragraphs)."""
    if name not in FIT_COLUMNS or (_longest(cells) <= width and "\n" not in "".join(cells)):
        return cells
    done: dict[str, str] = {}  # a category's slug or a source's name on every claim: wrapped once
    return [c if len(c) <= width and "\n" not in c else done.get(c) or done.setdefault(c, _wrapped(c, width))
            for c in cells]


def render(records: Any, fmt: str, flat: Callable[[], Iterable[dict[str, Any]] | Columns] | None = None,
           empty: str = "nothing to show", width: int | None = None) -> bytes:
    """`records` as JSON as they are; for rows-and-columns formats, `flat()` gives one dict a row
    (or the table's Columns), without it `records` are the rows. `records` may be a function that
    builds them, so that a table of a big report never builds its JSON. A table is fitted to
    `width` columns (None or 0: as wide as it is).

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
            text = _table(columns, fmt, width) if columns.height else f"({empty})\n"
    return text.encode("utf-8")
