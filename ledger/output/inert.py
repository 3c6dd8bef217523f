"""Text from a source is data: shown inert in a terminal, a table, a CSV or TSV file and a message.

A name or a quote may hold characters a reader never sees as such: an ESC that starts a terminal
sequence (clear the screen, recolour, retitle the window), a carriage return or backspace that
writes over what was printed, a bidi override that shows text in another order than it is stored.
`visible` writes each as its Python escape (`\\x1b`, `\\r`, `\\u202e`). A spreadsheet runs a cell
that begins like a formula; `guarded` keeps it text. JSON needs neither: it escapes control
characters itself, and its values stay exact.
"""

from __future__ import annotations

import re
from typing import Any

# What is never shown as itself: C0 controls but tab and newline, DEL, C1 controls, and the bidi
# embeddings, overrides and isolates. Tab and newline are escaped too, unless a layout shows them
# (`keep`): a message keeps neither, a table of several-line cells and a TSV cell (quoted) keep
# "\n" (a tab would shift the columns after it), a CSV cell (quoted) keeps "\n\t".
_ALWAYS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"  # and bytes no UTF-8 decodes
_FOUND = {"": re.compile(f"[\t\n{_ALWAYS}]"), "\n": re.compile(f"[\t{_ALWAYS}]"), "\n\t": re.compile(f"[{_ALWAYS}]")}
# ASCII text is checked a few times faster as bytes: what is left when what shows as itself is deleted.
_SHOWN = {keep: bytes(range(0x20, 0x7F)) + keep.encode() for keep in _FOUND}
# OWASP's rule for CSV injection: what a cell a spreadsheet would read as a formula may begin with.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_AFTER_LINE = re.compile(f"\n[{re.escape(''.join(_FORMULA))}]")


def visible(text: str, keep: str = "") -> str:
    """`text` with each control character and bidi override written as its escape (a backslash
    stays as it is); `keep` ("\\n" or "\\n\\t") leaves line breaks and tabs to a layout that shows them."""
    if _plain(text, keep):  # almost always: no copy
        return text
    return _FOUND[keep].sub(_escape, text)


def _plain(text: str, keep: str) -> bool:
    """Whether `text` has nothing to escape."""
    if text.isascii():
        return not text.encode().translate(None, _SHOWN[keep])
    return _FOUND[keep].search(text) is None


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode()


def visible_cells(cells: list[str], keep: str) -> list[str]:
    """A table column's cells made visible: one search of the whole column when none needs it."""
    if _plain("".join(cells), keep):
        return cells
    return [visible(cell, keep) for cell in cells]


def guarded(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, kept text by a `'` before it (OWASP). A lone
    `-` stays as it is: no spreadsheet reads it as a formula, and sources write it for "none"."""
    return "'" + cell if cell.startswith(_FORMULA) and cell != "-" else cell


def data_cells(values: list[Any], keep: str) -> list[Any]:
    """A CSV or TSV column: text visible and guarded; numbers (never guarded: `-3` is a number, not
    a formula) and None as they are. One search of the column's text, a line each, when none needs it."""
    try:
        text = "\n".join(["", *filter(None, values)])
    except TypeError:  # numbers in the column
        text = "\n".join(["", *(v for v in values if v.__class__ is str)])
    if _plain(text, keep) and _FORMULA_AFTER_LINE.search(text) is None:
        return values
    return [guarded(visible(v, keep)) if v.__class__ is str else v for v in values]
