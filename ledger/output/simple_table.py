"""tabulate's `simple` layout in one pass: the default table of every reading command.

tabulate infers a type and measures every cell several times over, a few microseconds a cell:
seconds for the 50,000 claims of one big category. For cells it treats as text (the renderer
turns number parsing off) the `simple` layout is plain: each column as wide as its widest line
and at least two wider than its header, cells stripped and left-aligned, two spaces between
columns, trailing spaces cut, a line of dashes under the header; a cell of several lines makes
its row as tall. This module lays out exactly that, and a property test holds it to tabulate's
own output. Text it does not cover (control characters such as ANSI colour codes, which the
renderer escapes first, other line breaks, and wide characters when tabulate measures them with
wcwidth) is left to tabulate.
"""

from __future__ import annotations

import re
from itertools import chain, repeat, zip_longest
from typing import Sequence

# Control characters other than the newline: ANSI codes, tabulate's separating-line mark, other
# line breaks (which tabulate splits on inconsistently).
_UNCOVERED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SEPARATOR = "  "
_NEWLINES = repeat("\n")  # the separator of every split of a tall row's cells


def covers(text: str) -> bool:
    """Whether a table whose headers and cells, joined, are `text` is laid out here as tabulate would."""
    if _UNCOVERED.search(text):
        return False
    if text.isascii():
        return True
    import tabulate  # only here: a table of plain ASCII, the most common, never needs it

    return not (tabulate.wcwidth is not None and tabulate.WIDE_CHARS_MODE)


def simple(headers: Sequence[str], columns: Sequence[Sequence[str]]) -> str | None:
    """The table of these columns of text cells as `tabulate(rows, headers, "simple",
    disable_numparse=True)` lays out its rows (without a final newline); None for text this
    module does not cover, to be left to tabulate."""
    text = " ".join(chain(headers, *columns))
    if not covers(text):
        return None
    if "\n" in text:  # tabulate looks before it strips
        return _tall(headers, columns)
    stripped = [list(map(str.strip, column)) for column in columns]
    widths = [max(len(h) + 2, max(map(len, column), default=0)) for h, column in zip(headers, stripped)]
    row = _SEPARATOR.join([*(f"%-{w}s" for w in widths[:-1]), "%s"])  # the last column needs no padding
    return "\n".join([_layout(widths)(*headers).rstrip(), _rule(widths),
                      *map(str.rstrip, map(row.__mod__, zip(*stripped)))])


def _tall(headers: Sequence[str], columns: Sequence[Sequence[str]]) -> str:
    """The layout of a table some of whose cells hold several lines (a table fitted to a width
    wraps long names: most rows of a big report may be two lines tall). Only the columns holding a
    line break are measured by line, and in C (joined, then split once; line breaks counted by
    `str.count`); a row is laid out with one `%` a line, and split only when it is tall."""
    stripped = [list(map(str.strip, column)) for column in columns]
    joined = ["\n".join(column) for column in stripped]
    widths = [max(len(h) + 2, max(map(len, text.split("\n"))) if column else 0)
              for h, text, column in zip(headers, joined, stripped)]
    # A column holds a cell of several lines when it has more line breaks than the joins.
    tall = [column for text, column in zip(joined, stripped) if column and text.count("\n") >= len(column)]
    breaks_of_rows = map(max, zip(*(map(str.count, column, repeat("\n")) for column in tall))) if tall else repeat(0)
    row = _SEPARATOR.join(f"%-{w}s" for w in widths)
    lines = [_layout(widths)(*headers).rstrip(), _rule(widths)]
    for breaks, cells in zip(breaks_of_rows, zip(*stripped)):
        if not breaks:  # a stripped cell is empty or ends in a visible character: an empty row is dropped
            if text := (row % cells).rstrip():
                lines.append(text)
            continue
        lines += [(row % line).rstrip() for line in zip_longest(*map(str.split, cells, _NEWLINES), fillvalue="")]
    return "\n".join(lines)


def _layout(widths: Sequence[int]):
    """A row's cells, each padded to its column's width, two spaces apart."""
    return _SEPARATOR.join(f"{{:<{w}}}" for w in widths).format


def _rule(widths: Sequence[int]) -> str:
    return _SEPARATOR.join("-" * w for w in widths)
