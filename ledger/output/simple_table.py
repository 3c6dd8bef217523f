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
from itertools import chain
from typing import Sequence

# Control characters other than the newline: ANSI codes, tabulate's separating-line mark, other
# line breaks (which tabulate splits on inconsistently).
_UNCOVERED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SEPARATOR = "  "


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
    wraps long names: most rows of a big report may be two lines tall). Each column is split and
    measured once; a row is laid out with one `%` a line."""
    split = [[cell.strip().split("\n") for cell in column] for column in columns]
    widths = [max(len(h) + 2, max((len(line) for cell in column for line in cell), default=0))
              for h, column in zip(headers, split)]
    row = _SEPARATOR.join(f"%-{w}s" for w in widths)
    lines = [_layout(widths)(*headers).rstrip(), _rule(widths)]
    for cells in zip(*split):
        height = max(map(len, cells))
        if height == 1:  # a stripped cell is empty or ends in a visible character: an empty row is dropped
            if text := (row % tuple(c[0] for c in cells)).rstrip():
                lines.append(text)
            continue
        lines += [(row % parts).rstrip() for parts in zip(*(c if len(c) == height else c + [""] * (height - len(c))
                                                            for c in cells))]
    return "\n".join(lines)


def _layout(widths: Sequence[int]):
    """A row's cells, each padded to its column's width, two spaces apart."""
    return _SEPARATOR.join(f"{{:<{w}}}" for w in widths).format


def _rule(widths: Sequence[int]) -> str:
    return _SEPARATOR.join("-" * w for w in widths)
